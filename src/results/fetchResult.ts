// Download -> (unzip) -> rename: a file named `<name>.csv` exists only once it is complete.
// Every window may want the same result: only the window holding the result's lock writes, clears
// or deletes its files, so one window never removes or renames another's partial download.
import { promises as fs } from 'node:fs';
import { isLocked, STALE_LOCK_MS, tryLock } from '../core/fileLock';
import type { BulkReadApi } from '../zoho/api';
import { removeQuietly } from '../zoho/download';
import { ZohoError } from '../zoho/errors';
import type { DownloadProgress, ReportRef } from '../zoho/types';
import { countCsvRecords } from './countCsvRecords';
import { extractCsv } from './extractCsv';
import type { LocalResult } from './localResult';
import { resultPaths } from './resultPaths';

/** A header row is short: only results up to this size are counted, to recognise one with no records. */
const HEADER_ONLY_MAX_BYTES = 64 * 1024;

export interface FetchResultOptions {
  /** The job's `result.count`: a result with no records when Zoho counted some is an error. */
  expectedRecords?: number;
  /** The job's relative `download_url`, passed through to the client. */
  downloadUrl?: string;
  signal?: AbortSignal;
  onProgress?: (progress: DownloadProgress) => void;
  /** ZIP bomb guard; see DEFAULT_MAX_EXTRACTED_BYTES. */
  maxExtractedBytes?: number;
  /** For `downloadedAt`; defaults to Date.now. */
  now?: () => number;
}

/**
 * Removes the finished CSV and any leftovers of an interrupted attempt. While another window is
 * downloading this result it removes nothing (false): that window notices the job is gone and
 * cleans up its own files.
 */
export async function deleteResultFiles(dir: string, ref: ReportRef, jobId: string): Promise<boolean> {
  const paths = resultPaths(dir, ref, jobId);
  const lock = await tryLock(paths.lock).catch(() => undefined);
  if (!lock) {
    return false;
  }
  try {
    await Promise.all([paths.csv, paths.downloadPart, paths.extractPart].map(removeQuietly));
    return true;
  } finally {
    await lock.release();
  }
}

/** Whether a window is downloading this result now (a crashed window's lock does not count). */
export function isResultLocked(dir: string, ref: ReportRef, jobId: string): Promise<boolean> {
  return isLocked(resultPaths(dir, ref, jobId).lock);
}

/**
 * Runs `task` (which writes this result's files, e.g. fetchResult) holding the result's lock, or
 * resolves 'busy' at once while another window holds it: that window is downloading the same result.
 */
export async function withResultLock<T>(
  dir: string,
  ref: ReportRef,
  jobId: string,
  task: () => Promise<T>,
): Promise<T | 'busy'> {
  await fs.mkdir(dir, { recursive: true });
  const lock = await tryLock(resultPaths(dir, ref, jobId).lock);
  if (!lock) {
    return 'busy';
  }
  // Real time, not the injectable clock: the lock's age is judged by other processes.
  const heartbeat = setInterval(() => void lock.touch(), STALE_LOCK_MS / 3);
  try {
    return await task();
  } finally {
    clearInterval(heartbeat);
    await lock.release();
  }
}

/**
 * Downloads a job's result into `dir` and leaves exactly one complete CSV there, or nothing.
 * Callers that may share `dir` with other windows call it inside withResultLock.
 */
export async function fetchResult(
  api: BulkReadApi,
  ref: ReportRef,
  jobId: string,
  dir: string,
  options: FetchResultOptions = {},
): Promise<LocalResult> {
  const paths = resultPaths(dir, ref, jobId);
  await fs.mkdir(dir, { recursive: true });
  // Leftovers of a crash mid-way are only ever .part files: clear them before starting again.
  await Promise.all([paths.downloadPart, paths.extractPart].map(removeQuietly));
  try {
    const outcome = await api.downloadResult(ref, jobId, paths.downloadPart, {
      downloadUrl: options.downloadUrl,
      signal: options.signal,
      onProgress: options.onProgress,
    });
    throwIfAborted(options.signal);
    // The finished body, before it takes its final name.
    let finished = paths.downloadPart;
    if (outcome.format === 'zip') {
      await extractCsv(paths.downloadPart, paths.extractPart, {
        signal: options.signal,
        maxExtractedBytes: options.maxExtractedBytes,
      });
      throwIfAborted(options.signal);
      finished = paths.extractPart;
    } else if (outcome.format === 'noRecords') {
      await fs.writeFile(paths.extractPart, ''); // the zero-record answer: an empty file stands for it
      finished = paths.extractPart;
    }
    const { size } = await fs.stat(finished);
    // A batch with no records is a header-only CSV or no file at all (contract section 6).
    const records = size <= HEADER_ONLY_MAX_BYTES ? await countCsvRecords(finished) : undefined;
    const expected = options.expectedRecords;
    if (records === 0 && expected !== undefined && expected > 0) {
      throw new ZohoError({
        kind: 'server',
        message: `The result of job ${jobId} holds 0 records but Zoho counted ${expected}; it was not kept. Download it again; if the numbers still differ, create the job again.`,
      });
    }
    await fs.rename(finished, paths.csv);
    return {
      path: paths.csv,
      bytes: size,
      ...(records !== undefined ? { records } : {}),
      downloadedAt: (options.now ?? Date.now)(),
    };
  } finally {
    await Promise.all([paths.downloadPart, paths.extractPart].map(removeQuietly));
  }
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw new ZohoError({ kind: 'cancelled', message: 'The download was cancelled.' });
  }
}

// Download -> (unzip) -> count -> rename: a file named `<name>.csv` exists only once it is complete
// and holds exactly the records Zoho counted (docs/zoho-bulk-read-api.md, "Downloading the result"). Anything else is an error and
// leaves nothing behind. Every window may want the same result: only the window holding the
// result's lock writes, clears or deletes its files, so one window never removes or renames
// another's partial download.
import { promises as fs } from 'node:fs';
import { isDiskFull } from '../core/diskFull';
import { isLocked, STALE_LOCK_MS, tryLock, type HeldLock } from '../core/fileLock';
import { silentLogger, type Logger } from '../core/ports';
import type { BulkReadApi } from '../zoho/api';
import { removeQuietly } from '../zoho/download';
import { cancelledError, isZohoError, resultDiskFull, ZohoError } from '../zoho/errors';
import type { DownloadProgress } from '../zoho/types';
import { CsvRecordCounter } from './csvRecordCounter';
import { checkStreamed, extractCsv } from './extractCsv';
import { StreamingExtraction } from './streamingExtract';
import type { LocalResult } from './localResult';
import { resultPaths, type ResultOwner, type ResultPaths } from './resultPaths';

/**
 * Generous ceiling on one record's bytes in a result (CSV or ZIP): a Zoho record with many long
 * multi-line fields stays far below it. With the header allowance it bounds what a job may write.
 */
export const MAX_BYTES_PER_RECORD = 64 * 1024;
export const HEADER_ALLOWANCE_BYTES = 1024 * 1024;
/** Never fill the disk: this much stays free after a download or an extraction. */
export const DISK_RESERVE_BYTES = 32 * 1024 * 1024;

export interface FetchResultOptions {
  /** The job's `result.count`: the file must hold exactly this many records. */
  expectedRecords: number | undefined;
  /** The job's relative `download_url`, passed through to the client. */
  downloadUrl?: string;
  signal?: AbortSignal;
  onProgress?: (progress: DownloadProgress) => void;
  /** A further ceiling on the bytes written (below the one derived from expectedRecords). */
  maxExtractedBytes?: number;
  /** See DownloadOptions. */
  idleTimeoutMs?: number;
  minBytesPerSecond?: number;
  attempts?: number;
  /** Free bytes on the disk holding `dir`; defaults to statfs. */
  freeBytes?: (dir: string) => Promise<number>;
  logger?: Logger;
  /** For `downloadedAt`; defaults to Date.now. */
  now?: () => number;
}

/** The most bytes a result of `records` records can plausibly take. */
export function plausibleResultBytes(records: number): number {
  return HEADER_ALLOWANCE_BYTES + Math.max(0, records) * MAX_BYTES_PER_RECORD;
}

async function statfsFree(dir: string): Promise<number> {
  const stats = await fs.statfs(dir);
  return Number(stats.bavail) * Number(stats.bsize);
}

/**
 * Removes the finished CSV, any leftovers of an interrupted attempt, and the job's folder. While
 * another window is downloading this result it removes nothing (false): that window notices the
 * job is gone and cleans up its own files.
 */
export async function deleteResultFiles(dir: string, owner: ResultOwner): Promise<boolean> {
  const paths = resultPaths(dir, owner);
  let lock;
  try {
    lock = await tryLock(paths.lock);
  } catch (error) {
    // No folder: nothing of this result is on disk. Anything else: leave the files alone.
    return (error as NodeJS.ErrnoException).code === 'ENOENT';
  }
  if (!lock) {
    return false;
  }
  try {
    await Promise.all([paths.csv, paths.downloadPart, paths.extractPart].map(removeQuietly));
    return true;
  } finally {
    await lock.release();
    await removeFolderIfEmpty(paths.folder);
  }
}

/** Whether a window is downloading this result now (a crashed window's lock does not count). */
export function isResultLocked(dir: string, owner: ResultOwner): Promise<boolean> {
  return isLocked(resultPaths(dir, owner).lock);
}

/**
 * Runs `task` (which writes this result's files, e.g. fetchResult) holding the result's lock, or
 * resolves 'busy' at once while another window holds it: that window is downloading the same result.
 */
export async function withResultLock<T>(
  dir: string,
  owner: ResultOwner,
  task: () => Promise<T>,
): Promise<T | 'busy'> {
  const paths = resultPaths(dir, owner);
  const lock = await tryResultLock(paths);
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
    await removeFolderIfEmpty(paths.folder);
  }
}

/**
 * A window that releases this lock removes the folder when it is empty, maybe just after this one
 * made it: then the lock file cannot be created (ENOENT), and the folder is made again.
 */
async function tryResultLock(paths: ResultPaths): Promise<HeldLock | undefined> {
  for (let attempt = 1; ; attempt++) {
    try {
      // Even mkdir can fail so: the folder may vanish between its EEXIST and its check.
      await fs.mkdir(paths.folder, { recursive: true });
      return await tryLock(paths.lock);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || attempt === 10) {
        throw error;
      }
    }
  }
}

async function removeFolderIfEmpty(folder: string): Promise<void> {
  try {
    await fs.rmdir(folder);
  } catch {
    // Not empty (the finished CSV is in it) or already gone.
  }
}

function server(message: string): ZohoError {
  return new ZohoError({ kind: 'server', message });
}

/**
 * Downloads a job's result into `dir` and leaves exactly one complete, counted CSV there, or
 * nothing. Callers that may share `dir` with other windows call it inside withResultLock.
 */
export async function fetchResult(
  api: BulkReadApi,
  owner: ResultOwner,
  dir: string,
  options: FetchResultOptions,
): Promise<LocalResult> {
  const { jobId } = owner;
  const expected = options.expectedRecords;
  if (expected === undefined || !Number.isSafeInteger(expected) || expected < 0) {
    throw server(
      `Zoho did not say how many records job ${jobId} holds, so its file could not be checked and was not downloaded. Refresh the job and try again.`,
    );
  }
  const paths = resultPaths(dir, owner);
  await fs.mkdir(paths.folder, { recursive: true });
  // Leftovers of a crash mid-way are only ever .part files: clear them before starting again.
  await Promise.all([paths.downloadPart, paths.extractPart].map(removeQuietly));
  const freeBytes = options.freeBytes ?? statfsFree;
  const limit = Math.min(
    plausibleResultBytes(expected),
    options.maxExtractedBytes ?? Number.MAX_SAFE_INTEGER,
  );
  /** The free disk, when it (and not what the job can hold) set the cap last: a refusal is then a full disk. */
  let diskBound: number | undefined;
  const cap = async (): Promise<number> => {
    const free = await freeBytes(dir);
    diskBound = free - DISK_RESERVE_BYTES < limit ? free : undefined;
    return Math.max(0, Math.min(limit, free - DISK_RESERVE_BYTES));
  };
  const logger = options.logger ?? silentLogger;
  const maxBytes = await cap();
  // A ZIP's CSV is extracted from the body as it arrives (./streamingExtract.ts): kept only if the
  // ZIP's directory confirms it, else extracted from the file. A retried body is extracted from the file.
  let streaming: StreamingExtraction | undefined = new StreamingExtraction(
    paths.extractPart,
    maxBytes,
    await import('node:zlib'), // with the first result, not at activation
  );
  let stopped: Promise<void> = Promise.resolve();
  let downloaded: number | undefined;
  try {
    // A raw CSV body is counted as it is written (csvTap); a ZIP's CSV as it is extracted.
    let counter = new CsvRecordCounter();
    const outcome = await api.downloadResult(owner.ref, jobId, paths.downloadPart, {
      downloadUrl: options.downloadUrl,
      signal: options.signal,
      onProgress: options.onProgress,
      maxBytes,
      idleTimeoutMs: options.idleTimeoutMs,
      minBytesPerSecond: options.minBytesPerSecond,
      attempts: options.attempts,
      csvTap: (chunk) => counter.push(chunk),
      zipTap: (chunk) => streaming?.push(chunk),
      onRetry: () => {
        counter = new CsvRecordCounter();
        stopped = streaming?.abort() ?? stopped;
        streaming = undefined;
      },
    });
    throwIfAborted(options.signal);
    downloaded = outcome.bytes;
    let records: number;
    if (outcome.format === 'zip') {
      const streamed = await streaming?.finish();
      streaming = undefined;
      await stopped;
      const max = await cap();
      const checked =
        streamed && streamed.bytes <= max
          ? await checkStreamed(paths.downloadPart, streamed, logger)
          : undefined;
      const extracted =
        checked ??
        (await extractCsv(paths.downloadPart, paths.extractPart, {
          signal: options.signal,
          maxExtractedBytes: max,
          logger,
        }));
      records = extracted.records;
      await removeQuietly(paths.downloadPart);
    } else if (outcome.format === 'csv') {
      records = counter.count;
      await fs.rename(paths.downloadPart, paths.extractPart);
    } else {
      records = 0; // the zero-record answer: an empty file stands for it
      await fs.writeFile(paths.extractPart, '');
    }
    if (records !== expected) {
      throw server(
        `The result of job ${jobId} holds ${records} records but Zoho counted ${expected}; it was not kept. Download it again; if the numbers still differ, create the job again.`,
      );
    }
    throwIfAborted(options.signal);
    await fs.rename(paths.extractPart, paths.csv);
    const { size } = await fs.stat(paths.csv);
    return { path: paths.csv, bytes: size, records, downloadedAt: (options.now ?? Date.now)() };
  } catch (error) {
    if (diskBound !== undefined && isZohoError(error) && error.limitBytes !== undefined) {
      // Stopped at the room the disk had left (less the reserve kept for the system), not for being
      // implausible: the user can fix this one by making room.
      throw resultDiskFull(
        paths.folder,
        jobId,
        Math.max(DISK_RESERVE_BYTES - diskBound, 0) + (downloaded ?? error.limitBytes),
        `it needs more than the ${diskBound} bytes free there, less ${DISK_RESERVE_BYTES / 1024 / 1024} MB kept free for the system`,
      );
    }
    if (isDiskFull(error) && downloaded !== undefined) {
      // The download fit (a full disk during it is told by the client); its CSV or its rename did not.
      // The CSV takes at least as much as its ZIP again, and usually 5-20 times more.
      throw resultDiskFull(
        paths.folder,
        jobId,
        2 * downloaded,
        `the ${downloaded}-byte download fit, its CSV did not`,
      );
    }
    throw error;
  } finally {
    await streaming?.abort(); // closes its file before the .part files go
    await stopped;
    await Promise.all([paths.downloadPart, paths.extractPart].map(removeQuietly));
    await removeFolderIfEmpty(paths.folder);
  }
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw cancelledError();
  }
}

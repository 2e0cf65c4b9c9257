// Download -> (unzip) -> rename: a file named `<name>.csv` exists only once it is complete.
import { promises as fs } from 'node:fs';
import type { BulkReadApi } from '../zoho/api';
import { removeQuietly } from '../zoho/download';
import { ZohoError } from '../zoho/errors';
import type { DownloadProgress, ReportRef } from '../zoho/types';
import { extractCsv } from './extractCsv';
import type { LocalResult } from './localResult';
import { noRecordsIn, recordsMissing } from './noRecords';
import { resultPaths } from './resultPaths';

export interface FetchResultOptions {
  /** The job's relative `download_url`, passed through to the client. */
  downloadUrl?: string;
  signal?: AbortSignal;
  onProgress?: (progress: DownloadProgress) => void;
  /** ZIP bomb guard; see DEFAULT_MAX_EXTRACTED_BYTES. */
  maxExtractedBytes?: number;
  /** For `downloadedAt`; defaults to Date.now. */
  now?: () => number;
  /** The job's `result.count`: a result with no records when Zoho counted some is an error. */
  expectedCount?: number;
}

/** Removes the finished CSV and any leftovers of an interrupted attempt. */
export async function deleteResultFiles(dir: string, ref: ReportRef, jobId: string): Promise<void> {
  const paths = resultPaths(dir, ref, jobId);
  await Promise.all([paths.csv, paths.downloadPart, paths.extractPart].map(removeQuietly));
}

/** Downloads a job's result into `dir` and leaves exactly one complete CSV there, or nothing. */
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
      await fs.writeFile(paths.extractPart, '');
      finished = paths.extractPart;
    }
    const { size } = await fs.stat(finished);
    const noRecords = await noRecordsIn(finished, size);
    if (noRecords && options.expectedCount !== undefined && options.expectedCount > 0) {
      throw recordsMissing(jobId, options.expectedCount);
    }
    await fs.rename(finished, paths.csv);
    return {
      path: paths.csv,
      bytes: size,
      downloadedAt: (options.now ?? Date.now)(),
      ...(noRecords ? { noRecords } : {}),
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

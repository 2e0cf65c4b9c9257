// Where a job's result lives on disk. Names are always ours: never taken from the ZIP or the server.
import * as path from 'node:path';
import type { ReportRef } from '../zoho/types';

/** Keeps letters, digits, '-', '_' and '.', so a report or job id can never leave the folder. */
function safePart(raw: string, fallback: string): string {
  const cleaned = raw
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^[._]+/, '')
    .slice(0, 100);
  return cleaned || fallback;
}

/** `${report}_${jobId}.csv`, made safe for every file system. */
export function resultFileName(ref: ReportRef, jobId: string): string {
  return `${safePart(ref.report, 'report')}_${safePart(jobId, 'job')}.csv`;
}

export interface ResultPaths {
  /** The finished CSV; exists only when complete. */
  csv: string;
  /** The body as downloaded (ZIP or raw CSV), before extraction. */
  downloadPart: string;
  /** The CSV being extracted from the ZIP. */
  extractPart: string;
  /** Held by the window downloading this result (../core/fileLock.ts): one writer across windows. */
  lock: string;
}

export function resultPaths(dir: string, ref: ReportRef, jobId: string): ResultPaths {
  const base = resultFileName(ref, jobId).replace(/\.csv$/, '');
  return {
    csv: path.join(dir, `${base}.csv`),
    downloadPart: path.join(dir, `${base}.download.part`),
    extractPart: path.join(dir, `${base}.csv.part`),
    lock: path.join(dir, `${base}.lock`),
  };
}

// Where a job's result lives on disk. Names are always ours: never taken from the ZIP or the server.
import { createHash } from '../core/nodeCrypto';
import * as path from 'node:path';
import type { ReportRef } from '../zoho/types';

/** Keeps letters, digits, '-', '_' and '.', so a report or job id can never leave the folder. */
function safePart(raw: string, fallback: string, max = 100): string {
  const cleaned = raw
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^[._]+/, '')
    .slice(0, max);
  return cleaned || fallback;
}

/** `${report}_${jobId}.csv`, made safe for every file system: the name a user saves it under. */
export function resultFileName(ref: ReportRef, jobId: string): string {
  return `${safePart(ref.report, 'report')}_${safePart(jobId, 'job')}.csv`;
}

/** What identifies a job's result: the same fields as the job's key. */
export interface ResultOwner {
  accountId: string;
  ref: ReportRef;
  jobId: string;
}

/**
 * The folder of one job's result under the results folder: owner and app (readable, shortened)
 * plus a hash of the exact account, owner, app, report and job id. Two jobs never share a file,
 * even when their readable parts clean up to the same text (`a.b` and `a_b`) or two accounts see
 * one job, while the file itself keeps the name a user knows (`<report>_<job id>.csv`).
 */
export function storedResultFolder(owner: ResultOwner): string {
  const { accountId, ref, jobId } = owner;
  const hash = createHash('sha256')
    .update(JSON.stringify([accountId, ref.owner, ref.app, ref.report, jobId]))
    .digest('hex')
    .slice(0, 12);
  return `${safePart(ref.owner, 'owner', 40)}_${safePart(ref.app, 'app', 60)}_${hash}`;
}

export interface ResultPaths {
  /** The job's own folder: holds nothing but the files below. */
  folder: string;
  /** The finished CSV; exists only when complete. */
  csv: string;
  /** The body as downloaded (ZIP or raw CSV), before extraction. */
  downloadPart: string;
  /** The CSV being extracted from the ZIP. */
  extractPart: string;
  /** Held by the window downloading this result (../core/fileLock.ts): one writer across windows. */
  lock: string;
}

export function resultPaths(dir: string, owner: ResultOwner): ResultPaths {
  const folder = path.join(dir, storedResultFolder(owner));
  const base = resultFileName(owner.ref, owner.jobId).replace(/\.csv$/, '');
  return {
    folder,
    csv: path.join(folder, `${base}.csv`),
    downloadPart: path.join(folder, `${base}.download.part`),
    extractPart: path.join(folder, `${base}.csv.part`),
    lock: path.join(folder, `${base}.lock`),
  };
}

// The pieces of an export run that are not the runner's steps: the texts that say why a run
// stopped (told once what it kept is known), the cursor digests, and small file helpers. The retry
// bookkeeping per step is ./retryPolicy.ts.
import { createHash } from '../core/nodeCrypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { megabytesToFree } from '../core/diskFull';
import { capitalise } from '../core/format';
import type { TrackedJob } from '../jobs/model';
import type { ExportRun } from './model';
import { exists } from './workingFile';

/** Why a run stopped, told once what it keeps is known (see RunCompletion.stop, ./runCompletion.ts). */
export type StopText = string | ((run: ExportRun) => string);

export class ExportStop extends Error {
  constructor(
    readonly state: 'failed' | 'interrupted',
    readonly text: StopText,
  ) {
    super(typeof text === 'string' ? text : 'the export stopped');
  }
}

/** This window is no longer the run's writer (another took it over): it stops quietly. */
export class Fenced extends Error {}

/** What became of the records so far, for a message built after the stop kept or discarded them. */
export function keptText(run: ExportRun): string {
  const records = run.records.toLocaleString('en-US');
  return run.keptPath
    ? `The ${records} records so far are kept in ${path.basename(run.keptPath)}.`
    : run.records > 0
      ? `The ${records} records read so far were not kept.`
      : 'No records were read, so no file was kept.';
}

/** A record cursor as stored with the run: short, and not the cursor itself. */
export function cursorDigest(cursor: string): string {
  return createHash('sha256').update(cursor).digest('hex').slice(0, 16);
}

export function batchName(run: ExportRun, key: string): string {
  const index = run.batches.findIndex((batch) => batch.key === key);
  return `batch ${index + 1} (job ${run.batches[index]?.jobId ?? '?'})`;
}

/** The run's cursors with the one `parent` handed on (the next batch is created from it). */
export function withCursor(run: ExportRun, parent: TrackedJob | undefined): string[] | undefined {
  const cursor = parent?.details?.result?.record_cursor;
  if (!cursor) {
    return run.cursors;
  }
  const digest = cursorDigest(cursor);
  return run.cursors?.includes(digest) ? run.cursors : [...(run.cursors ?? []), digest];
}

export function diskFullText(run: ExportRun, jobKey: string, batchBytes: number): string {
  const folder = path.dirname(run.destination);
  return `The disk is full: ${capitalise(batchName(run, jobKey))} of ${run.ref.report} could not be added to the merged file in ${folder}. ${freeAtLeast(batchBytes, 'the batch is')} ${keptText(run)}`;
}

/** The disk had no room for a new window to copy the merged file so far (see WriterClaims.keepUncopied). */
export function takeoverDiskFullText(run: ExportRun, room: number | undefined): string {
  const folder = path.dirname(run.destination);
  const free = room === undefined ? '' : ` (${room.toLocaleString('en-US')} bytes free)`;
  return `The disk is full: this window could not copy the merged file of ${run.ref.report} to carry on the export, in ${folder}${free}. ${freeAtLeast(run.bytesWritten, 'the records so far are')} ${keptText(run)}`;
}

export function freeAtLeast(bytes: number, what: string): string {
  return `Free at least ${megabytesToFree(bytes)} MB there (${what} ${bytes.toLocaleString('en-US')} bytes, and the later batches need room too), then restart the export.`;
}

/** Bytes free to this process in `folder`; undefined when the file system cannot tell. */
export async function freeBytes(folder: string): Promise<number | undefined> {
  try {
    const stats = await fs.statfs(folder);
    return stats.bavail * stats.bsize;
  } catch {
    return undefined;
  }
}

/** `name`, or `name (2)`, `(3)`... before the extension: a kept partial file never replaces another. */
export async function freeName(filePath: string): Promise<string> {
  const dot = filePath.lastIndexOf('.');
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? filePath : `${filePath.slice(0, dot)} (${n})${filePath.slice(dot)}`;
    if (!(await exists(candidate))) {
      return candidate;
    }
  }
}

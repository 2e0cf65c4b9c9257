// The export model: one "Export Whole Report" run, made of batch jobs chained by record cursors.
import * as path from 'node:path';
import type { FirstBatchQuery, ReportRef } from '../zoho/types';

/**
 * running: batches are being created, downloaded and appended.
 * completed: the merged CSV is at `destination` with every record Zoho counted.
 * failed: stopped by an error that a retry would not fix; nothing partial is kept.
 * cancelled: stopped by the user; `keptPath` holds the records so far if they chose to keep them.
 * interrupted: a cursor expired (or a batch could not be created); records so far in `keptPath`.
 */
export type ExportRunState = 'running' | 'completed' | 'failed' | 'cancelled' | 'interrupted';

export interface ExportBatch {
  /** Job key (see jobKey in ../jobs/model). */
  key: string;
  jobId: string;
  /** `result.count` of the batch, once appended. */
  count?: number;
  appended: boolean;
  /** Milliseconds from this batch's completion being seen to the next batch's creation. */
  nextCreatedAfterMs?: number;
  /** Milliseconds spent downloading and extracting this batch's result. */
  fetchMs?: number;
}

export interface ExportRun {
  id: string;
  accountId: string;
  ref: ReportRef;
  query: FirstBatchQuery;
  /** Absolute path of the merged CSV; it exists only once the export is complete. */
  destination: string;
  state: ExportRunState;
  batches: ExportBatch[];
  /** Header row of the first batch (without its line ending); every later batch must match. */
  header?: string;
  /** Bytes of the working file that hold appended batches (a crash may leave more: truncated). */
  bytesWritten: number;
  /** Sum of `result.count` over the appended batches. */
  records: number;
  startedAt: number;
  finishedAt?: number;
  /**
   * Completed, then a later run (this id) wrote the same destination (a definition without
   * {date}/{time}, overwritten as the user asked): the file is that run's now, not this one's.
   */
  replacedBy?: string;
  /** Why the export stopped (failed, interrupted). */
  error?: string;
  /** The partial file kept after a cancel or an interruption. */
  keptPath?: string;
  /** The definition this export was started from, if any. */
  definition?: string;
  /** The file that definition is saved in (see StartExport in ./exportsApi.ts). */
  definitionsFile?: string;
  /** The window (lease id) asked to tell the user that the run ended: the one they work in (./runAnnouncer.ts). */
  announceIn?: string;
  /**
   * How many records the definition's last run (of the same mode) read: times the status checks
   * of the last batch (BatchChain, nextBatchExpectation). Unset when unknown.
   */
  expectedRecords?: number;
  /** When the merged file was given its final name (just before the run is marked completed). */
  renamedAt?: number;
  /** When the user first opened or revealed the merged file; unset while it counts as "ready". */
  seenAt?: number;
  /** Cancelled in a window without the lease: the lease holder stops it and tidies the file. */
  cancelRequest?: { keepRecords: boolean };
  /**
   * The fencing token of the window driving the run: a fresh random id each time a window takes
   * the run over. Every change of its progress is written only while it is still the stored
   * writer (checked under the file's lock, see ExportStore.updateAs), and the working file is the
   * writer's own, so a window that wakes up late (a paused process) writes nothing anyone reads.
   */
  writer?: string;
  /** Digests of the record cursors batches were created from: a cursor seen twice ends the run. */
  cursors?: string[];
  // A run of an incremental definition (./incremental.ts). Absent on other runs. The criteria it
  // sent are `query.criteria`; the run history (./runHistory.ts) records these fields.
  /** 'full': the whole report, IDs reconciled with the snapshot (deletions found); 'incremental': Modified_Time > since. */
  mode?: 'full' | 'incremental';
  /** Absolute path of the snapshot this run upserts into (`destination` is the run's own records). */
  snapshot?: string;
  /** The definition's own criteria, without the Modified_Time condition (a restart plans again from them). */
  ownCriteria?: string;
  /** The Modified_Time literal sent (incremental runs), in the app's date format. */
  since?: string;
  /** The app's date_format and time_zone as read for this run (kept beside the snapshot for the next). */
  dateFormat?: string;
  timeZone?: string;
  /**
   * Once completed: what the run changed in the snapshot, its record of changes (CSV `change,ID`),
   * and the snapshot as of this run (a hard link in the runs folder, kept for the newest runs so
   * Compare with Previous Run has both sides; absent where the file system cannot link) with its sha256.
   */
  /**
   * Once completed: the run's records have no Modified_Time column, so the definition's next
   * incremental runs would be refused (NoModifiedTimeError): said at the run's end.
   */
  noModifiedTime?: true;
  changes?: {
    added: number;
    changed: number;
    removed: number;
    file: string;
    snapshotCopy?: string;
    snapshotSha256?: string;
    /** Records in the snapshot after the run, and its size. */
    snapshotRecords?: number;
    snapshotBytes?: number;
  };
}

/**
 * The file the run's writer appends to while the export runs: never mistaken for a finished export,
 * and its own (`All_Orders.csv.1a2b3c4d.part`), so no other window ever writes to it. Runs stored
 * before writers existed use `All_Orders.csv.part`.
 */
export function workingPath(run: Pick<ExportRun, 'destination' | 'writer'>): string {
  return run.writer ? `${run.destination}.${run.writer.slice(0, 8)}.part` : `${run.destination}.part`;
}

/** Where the records of a stopped export are kept: `All_Orders_2026-01-02.partial.csv`. */
export function partialPath(destination: string): string {
  const ext = path.extname(destination);
  const base = ext ? destination.slice(0, -ext.length) : destination;
  return `${base}.partial${ext || '.csv'}`;
}

/** The job is a batch of `run` already appended to its merged file (its own copy is gone). */
export function isMergedBatch(run: ExportRun | undefined, jobKey: string): boolean {
  return run?.batches.some((batch) => batch.key === jobKey && batch.appended) ?? false;
}

/** The job is a batch already merged into its export's file (looked up among the exports). */
export function isMergedJob(
  exports: { exportOfJob(jobKey: string): ExportRun | undefined },
  jobKey: string,
): boolean {
  return isMergedBatch(exports.exportOfJob(jobKey), jobKey);
}

/** The file an export left for the user, if any: its merged CSV, or the partial file a stop kept. */
export function exportFile(run: ExportRun): string | undefined {
  // An incremental definition's run: the snapshot as of the run (the report then), not its own
  // records (only what changed); older runs' copies are removed (./incremental.ts).
  if (run.replacedBy !== undefined) {
    return undefined; // its file now holds the later run's records
  }
  return run.state === 'completed' ? (run.changes?.snapshotCopy ?? run.destination) : run.keptPath;
}

/** What a completed export's file must hold: its records and size as written (see exportFile). */
export function exportFileFigures(run: ExportRun): { bytes?: number; records: number } {
  const { changes } = run;
  return changes?.snapshotCopy
    ? { bytes: changes.snapshotBytes, records: changes.snapshotRecords ?? run.records }
    : { bytes: run.bytesWritten, records: run.records };
}

/**
 * A completed export whose file was found not to be what it wrote (ExportsApi.verifyCompleted
 * stored the problem as its error): shown as not trusted, and it may be run again.
 */
export function isUntrusted(run: ExportRun): boolean {
  return run.state === 'completed' && run.error !== undefined;
}

export function batchesDone(run: ExportRun): number {
  return run.batches.filter((batch) => batch.appended).length;
}

/** Total elapsed time of a run: until it finished, or until now while it runs. */
export function elapsedMs(run: ExportRun, now: number): number {
  return Math.max(0, (run.finishedAt ?? now) - run.startedAt);
}

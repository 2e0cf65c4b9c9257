// What the VS Code layer may ask of Export Whole Report (implemented in ./exportRunner.ts).
import type { Lease } from '../core/lease';
import type { Event, IDisposable } from '../core/lifecycle';
import type { FirstBatchQuery, ReportRef } from '../zoho/types';
import type { ExportChange } from './exportStore';
import type { IncrementalRequest } from './incremental';
import type { ExportRun } from './model';

export interface StartExport {
  accountId: string;
  ref: ReportRef;
  query: FirstBatchQuery;
  /** Absolute path of the merged CSV. The caller has made sure it may be written (asked first). */
  destination: string;
  /** Name of the saved definition this export runs, if any. */
  definition?: string;
  /**
   * Where that definition is saved (the definitions file's URI or path): two workspaces' definitions
   * of one name keep separate run histories (./runHistory.ts, historyKey).
   */
  definitionsFile?: string;
  /**
   * An incremental definition's run: `destination` is then its snapshot, and the runner decides
   * whether this run is full or incremental (./incremental.ts).
   */
  incremental?: IncrementalRequest;
}

/**
 * Whether this window may drive exports. Many windows share the stored exports; only one must
 * create batches and write files: the window holding the poller lease. Without one (a single
 * window, tests) this window holds it.
 */
export type ExportLease = Pick<Lease, 'held' | 'onDidChange'>;

export interface ExportsApi extends IDisposable {
  readonly onDidChangeExport: Event<ExportChange>;
  /** An export completed (the merged file is at its destination). */
  readonly onDidFinishExport: Event<ExportRun>;
  /** An export stopped without completing: failed or interrupted (not fired for a user's cancel). */
  readonly onDidStopExport: Event<ExportRun>;
  exports(): ExportRun[];
  get(id: string): ExportRun | undefined;
  /** The export a batch job belongs to. */
  exportOfJob(jobKey: string): ExportRun | undefined;
  start(request: StartExport): Promise<ExportRun>;
  /** Stops creating batches; keeps the records so far as a partial file, or discards them. */
  cancel(id: string, keepRecords: boolean): Promise<ExportRun | undefined>;
  /** Starts a stopped export again from its first batch, with the same query and destination. */
  restart(id: string): Promise<ExportRun>;
  /** Forgets a finished export and its batch jobs (files written to the workspace stay). */
  remove(id: string): Promise<void>;
  /** The user opened or revealed the export's file: it no longer counts as ready. */
  markSeen(id: string): Promise<void>;
  /**
   * Checks a completed export's file against what the run recorded (bytes, then records) before a
   * window reads it: the problem in words (also stored as the run's `error`), or undefined.
   */
  verifyCompleted(id: string): Promise<string | undefined>;
}

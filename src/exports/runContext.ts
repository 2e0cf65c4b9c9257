// What the parts of an ExportRunner (./exportRunner.ts) share: the services it is built on, the
// retry policy and the merged-file writer, and the few steps of the runner every part calls back
// (look at a run again, stop it, take it over). One object, built by the runner.
import type { Clock, Logger } from '../core/ports';
import type { JobServiceApi } from '../jobs/serviceApi';
import type { ExportStore } from './exportStore';
import type { MergedFileWriter } from './mergedFile';
import type { ExportRun, ExportRunState } from './model';
import type { RetryPolicy } from './retryPolicy';
import type { StopText } from './runParts';

export type StopState = Exclude<ExportRunState, 'running' | 'completed'>;

export interface RunContext {
  readonly jobs: JobServiceApi;
  readonly store: ExportStore;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly retries: RetryPolicy;
  readonly files: MergedFileWriter;
  /** Whether this window may act on the run: it runs, this window holds the lease, not disposed. */
  mayAct(run: ExportRun | undefined): run is ExportRun;
  /** This window's token when it is the run's writer (as far as it knows: writes check again). */
  token(run: ExportRun | undefined): string | undefined;
  /** Looks at the run's newest batch and takes the next step; safe to call any number of times. */
  reconcile(id: string): void;
  /** Makes this window the run's writer (see WriterClaims). */
  takeOver(id: string): Promise<void>;
  /** Stops the run (see RunCompletion.stop). */
  stop(
    id: string,
    state: StopState,
    text: StopText | undefined,
    keepRecords?: boolean,
  ): Promise<ExportRun | undefined>;
  /** Completes the run after its last batch (see RunCompletion.complete). */
  complete(id: string, writer: string): Promise<void>;
  /** Fires onDidFinishExport. */
  finished(run: ExportRun): void;
  /** Fires onDidStopExport. */
  stopped(run: ExportRun): void;
  /** Records the finished run in its definition's history (./runHistoryRecorder.ts); never throws. */
  record(run: ExportRun, sha256?: string): Promise<void>;
}

// Records a finished export run of a saved definition in the run history (./runHistory.ts), from
// the completion and stop path (./runCompletion.ts: only the window that wrote the run's file gets
// there, so each run is recorded once). It also counts the status calls this window sent for each
// run's batches (JobServiceApi.onDidCheckJob), without changing when they are sent. A window that
// takes a run over counts from then on: the calls of the window before it are not in the record.
import type { IDisposable } from '../core/lifecycle';
import type { JobServiceApi } from '../jobs/serviceApi';
import type { ExportRun } from './model';
import { runRecordOf, type RunHistory } from './runHistory';

export class RunHistoryRecorder implements IDisposable {
  private readonly statusCalls = new Map<string, number>();
  private readonly subscription: IDisposable;

  constructor(
    jobs: Pick<JobServiceApi, 'onDidCheckJob'>,
    private readonly history: RunHistory | undefined,
  ) {
    this.subscription = jobs.onDidCheckJob((job) => {
      if (job.exportId !== undefined) {
        this.statusCalls.set(job.exportId, (this.statusCalls.get(job.exportId) ?? 0) + 1);
      }
    });
  }

  /** Status calls this window sent for the run's batches so far. */
  statusCallsOf(runId: string): number {
    return this.statusCalls.get(runId) ?? 0;
  }

  /** Records a run that stopped or completed (a run of no definition has no history). */
  record(run: ExportRun, sha256?: string): Promise<void> {
    const statusCalls = this.statusCallsOf(run.id);
    this.statusCalls.delete(run.id);
    if (!this.history || run.definition === undefined || run.state === 'running') {
      return Promise.resolve();
    }
    return this.history.record(runRecordOf({ ...run, definition: run.definition }, { statusCalls }, sha256));
  }

  dispose(): void {
    this.subscription.dispose();
  }
}

// Tells the user that an export ended, once, in the window they work in: the window that drove the
// run to its end tells them if it is focused (or no window is); otherwise it names the focused window
// in the run (the shared store), and that window tells them. The same rule as a finished job's
// (../jobs/jobService.ts, announce), so an export's toast never pops up in a background window.
import { errorMessage } from '../core/format';
import type { IDisposable } from '../core/lifecycle';
import type { Logger } from '../core/ports';
import type { JobServiceApi } from '../jobs/serviceApi';
import type { ExportStore } from './exportStore';
import type { ExportRun } from './model';

export interface RunAnnouncements {
  /** A run completed: fires onDidFinishExport here. */
  finished(run: ExportRun): void;
  /** A run failed or was interrupted: fires onDidStopExport here. */
  stopped(run: ExportRun): void;
}

export class RunAnnouncer implements IDisposable {
  /** Runs another window asked this one to tell of, told already. */
  private readonly told = new Set<string>();
  private readonly subscription: IDisposable;

  constructor(
    private readonly jobs: Pick<JobServiceApi, 'announceTarget' | 'polling'>,
    private readonly store: ExportStore,
    private readonly logger: Logger,
    private readonly here: RunAnnouncements,
  ) {
    this.subscription = store.onDidChange(({ kind, run, external }) => {
      if (external && kind !== 'removed') {
        this.askedFor(run);
      }
    });
  }

  /** This window saw `run` end (completed, or stopped as `how`): tell the user where they work. */
  tell(run: ExportRun, how: keyof RunAnnouncements): void {
    const target = this.jobs.announceTarget();
    if (target === undefined) {
      this.here[how](run);
      return;
    }
    this.store
      .update(run.id, { announceIn: target })
      .catch((error) =>
        this.logger.warn(`Could not update the export of ${run.ref.report}: ${errorMessage(error)}`),
      );
  }

  private askedFor(run: ExportRun): void {
    const me = this.jobs.polling.holderId;
    if (me === undefined || run.announceIn !== me || this.told.has(run.id)) {
      return;
    }
    if (run.state === 'completed') {
      this.told.add(run.id);
      this.here.finished(run);
    } else if (run.state === 'failed' || run.state === 'interrupted') {
      this.told.add(run.id);
      this.here.stopped(run);
    }
  }

  dispose(): void {
    this.subscription.dispose();
  }
}

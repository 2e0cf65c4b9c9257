// Context keys that keep the Command Palette to commands that can apply (package.json
// menus.commandPalette `when` clauses): with no jobs tracked, Open Result, Stop Tracking, Cancel
// Export and the like are not listed; with no saved export run twice, Compare with Previous Run is
// not. Recomputed on job, export and run-history events (no polling); a command run anyway (a key
// binding, a stale key) still says why it cannot act. extension.ts passes the `setContext` call,
// so this file needs no vscode (test/unit/views/commandContexts.test.ts).
import { exportFile, isUntrusted } from '../exports/model';
import { Disposable } from '../core/lifecycle';
import { usableCursor } from '../jobs/model';
import type { Services } from '../services';

/** Key → whether it holds now. Names are `creatorBulkJobs.<key>` in package.json. */
export function commandContexts(services: Services, now: number): Record<string, boolean> {
  const jobs = services.jobs.jobs();
  const exports = services.exports.exports();
  const completed = jobs.filter((job) => job.state === 'completed');
  const history = services.history;
  return {
    hasJobs: jobs.length > 0,
    hasCompletedJobs: completed.length > 0,
    hasNextBatch: completed.some((job) => usableCursor(job, now) !== undefined),
    hasExports: exports.length > 0,
    hasRunningExports: exports.some((run) => run.state === 'running'),
    hasStoppedExports: exports.some(
      (run) => (run.state !== 'running' && run.state !== 'completed') || isUntrusted(run),
    ),
    hasExportFiles: exports.some((run) => exportFile(run) !== undefined),
    // A run has a previous one to compare with (../commands/compareRuns.ts lists exactly those).
    hasComparableRuns: history?.definitions().some((key) => history.runsOf(key).length > 1) ?? false,
  };
}

/** Sets a context key: `vscode.commands.executeCommand('setContext', key, value)`. */
export type SetContext = (key: string, value: boolean) => unknown;

export class CommandContexts extends Disposable {
  private readonly set = new Map<string, boolean>();

  constructor(
    private readonly services: Services,
    private readonly setContext: SetContext,
  ) {
    super();
    this.register(services.jobs.onDidChangeJob(() => this.update()));
    this.register(services.exports.onDidChangeExport(() => this.update()));
    if (services.history) {
      this.register(services.history.onDidChange(() => this.update()));
    }
    this.update();
  }

  private update(): void {
    if (this.isDisposed) {
      return;
    }
    for (const [key, value] of Object.entries(commandContexts(this.services, Date.now()))) {
      if (this.set.get(key) !== value) {
        this.set.set(key, value);
        void this.setContext(`creatorBulkJobs.${key}`, value);
      }
    }
  }
}

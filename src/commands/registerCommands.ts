// Registers every command for extension.ts. Each command's code (one file each) loads when it first
// runs: an import() here is where the build cuts it out of the bundle a window start parses
// (esbuild.js, buildSplit), which keeps activation within a quarter of a bare Node start
// (npm run bench).
import * as vscode from 'vscode';
import type { AccountStore } from '../accounts/accountStore';
import { errorMessage } from '../core/format';
import type { Services } from '../services';
import type { JobsTree } from '../views/jobsTreeView';
import { showLogCommand } from './showLog';

// The handlers take what VS Code passes (a tree item, the arguments of executeCommand).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Handler = (...args: any[]) => unknown;

export function registerCommands(
  context: vscode.ExtensionContext,
  services: Services,
  tree: JobsTree,
  accounts: AccountStore,
  channel: vscode.OutputChannel,
): void {
  /**
   * Registers `id`; its handler is made from its module on the first run, then kept. A module that
   * cannot load (a window still running a version an update removed) is said so, with Reload
   * Window, and tried again on the next run.
   */
  const lazy = (id: string, load: () => Promise<Handler>): void => {
    let handler: Promise<Handler> | undefined;
    context.subscriptions.push(
      vscode.commands.registerCommand(id, async (...args: unknown[]) => {
        let run: Handler;
        try {
          run = await (handler ??= load());
        } catch (error) {
          handler = undefined;
          services.logger.error(`Could not load the code of ${id}: ${errorMessage(error)}`);
          const choice = await vscode.window.showErrorMessage(
            'Zoho Creator Bulk Jobs could not load the code of this command: the extension may have been updated or removed since this window started. Reload the window to use it.',
            'Reload Window',
          );
          if (choice === 'Reload Window') {
            void vscode.commands.executeCommand('workbench.action.reloadWindow');
          }
          return undefined;
        }
        return run(...args);
      }),
    );
  };
  // The log is what to look at when something fails: its command loads nothing.
  context.subscriptions.push(
    vscode.commands.registerCommand('creatorBulkJobs.showLog', showLogCommand(channel)),
  );
  lazy('creatorBulkJobs.cancelExport', async () =>
    (await import('./cancelExport.js')).cancelExportCommand(services),
  );
  lazy('creatorBulkJobs.compareWithPreviousRun', async () =>
    (await import('./compareRuns.js')).compareRunsCommand(services),
  );
  lazy('creatorBulkJobs.copyJobId', async () => (await import('./copyJobId.js')).copyJobIdCommand(services));
  lazy('creatorBulkJobs.createJob', async () =>
    (await import('./createJob.js')).createJobCommand(services, tree),
  );
  lazy('creatorBulkJobs.exportReport', async () =>
    (await import('./exportReport.js')).exportReportCommand(services, tree),
  );
  lazy('creatorBulkJobs.fetchNextBatch', async () =>
    (await import('./fetchNextBatch.js')).fetchNextBatchCommand(services, tree),
  );
  lazy('creatorBulkJobs.openExport', async () =>
    (await import('./openExport.js')).openExportCommand(services),
  );
  lazy('creatorBulkJobs.openResult', async () =>
    (await import('./openResult.js')).openResultCommand(services),
  );
  lazy('creatorBulkJobs.refresh', async () => (await import('./refresh.js')).refreshCommand(services));
  lazy('creatorBulkJobs.refreshAll', async () =>
    (await import('./refreshAll.js')).refreshAllCommand(services),
  );
  lazy('creatorBulkJobs.removeExport', async () =>
    (await import('./removeExport.js')).removeExportCommand(services),
  );
  lazy('creatorBulkJobs.restartExport', async () =>
    (await import('./restartExport.js')).restartExportCommand(services),
  );
  lazy('creatorBulkJobs.revealExport', async () =>
    (await import('./revealExport.js')).revealExportCommand(services),
  );
  lazy('creatorBulkJobs.revealJob', async () =>
    (await import('./revealJob.js')).revealJobCommand(services, tree),
  );
  lazy('creatorBulkJobs.runSavedExport', async () =>
    (await import('./runSavedExport.js')).runSavedExportCommand(services, tree),
  );
  lazy('creatorBulkJobs.saveExportDefinition', async () =>
    (await import('./saveExportDefinition.js')).saveExportDefinitionCommand(services),
  );
  lazy('creatorBulkJobs.saveResult', async () =>
    (await import('./saveResult.js')).saveResultCommand(services),
  );
  lazy('creatorBulkJobs.showJobs', async () => (await import('./showJobs.js')).showJobsCommand(services));
  lazy('creatorBulkJobs.signInWithAccessToken', async () =>
    (await import('./signInWithAccessToken.js')).signInWithAccessTokenCommand(services, accounts),
  );
  lazy('creatorBulkJobs.signInWithRefreshToken', async () =>
    (await import('./signInWithRefreshToken.js')).signInWithRefreshTokenCommand(services, accounts),
  );
  lazy('creatorBulkJobs.signOut', async () =>
    (await import('./signOut.js')).signOutCommand(services, accounts),
  );
  lazy('creatorBulkJobs.stopTracking', async () =>
    (await import('./stopTracking.js')).stopTrackingCommand(services),
  );
  lazy('creatorBulkJobs.trackJob', async () =>
    (await import('./trackJob.js')).trackJobCommand(services, tree),
  );
  lazy('creatorBulkJobs.useSimulator', async () =>
    (await import('./useSimulator.js')).useSimulatorCommand(services, accounts),
  );
}

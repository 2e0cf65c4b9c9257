// Refresh All Jobs: poll every unfinished job now.
import * as vscode from 'vscode';
import type { Services } from '../services';
import { showCommandError } from './showError';

export function registerRefreshAll(context: vscode.ExtensionContext, services: Services): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('creatorBulkJobs.refreshAll', async () => {
      try {
        await vscode.window.withProgress(
          { location: vscode.ProgressLocation.Window, title: 'Checking bulk read jobs…' },
          () => services.jobs.refresh(),
        );
      } catch (error) {
        showCommandError(services, 'Could not refresh the jobs', error);
      }
    }),
  );
}

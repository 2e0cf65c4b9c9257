// Refresh All Jobs: poll every unfinished job now.
import * as vscode from 'vscode';
import type { Services } from '../services';
import { showCommandError } from './showError';

/** The handler of 'creatorBulkJobs.refreshAll' (registered, and loaded on first use, by registerCommands.ts). */
export function refreshAllCommand(services: Services) {
  return async () => {
    try {
      await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Window, title: 'Checking bulk read jobs…' },
        () => services.jobs.refresh(),
      );
    } catch (error) {
      showCommandError(services, 'Could not refresh the jobs', error);
    }
  };
}

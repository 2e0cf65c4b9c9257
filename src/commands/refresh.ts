// Refresh: poll one job now instead of waiting for its next scheduled check.
import * as vscode from 'vscode';
import type { Services } from '../services';
import { resolveJob } from './pickers';
import { showCommandError } from './showError';

/** The handler of 'creatorBulkJobs.refresh' (registered, and loaded on first use, by registerCommands.ts). */
export function refreshCommand(services: Services) {
  return async (arg?: unknown) => {
    const job = await resolveJob(services, arg, {
      placeHolder: 'Refresh which job?',
      noneMessage: 'No job is tracked.',
    });
    if (!job) {
      return;
    }
    try {
      await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Window, title: `Checking job ${job.jobId}…` },
        () => services.jobs.refresh(job.key),
      );
    } catch (error) {
      showCommandError(services, `Could not refresh job ${job.jobId}`, error, job.accountId);
    }
  };
}

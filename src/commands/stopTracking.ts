// Stop Tracking: forget the job and its downloaded copy (files saved to the workspace stay).
import * as vscode from 'vscode';
import type { Services } from '../services';
import { resolveJob } from './pickers';
import { showCommandError } from './showError';

export function registerStopTracking(context: vscode.ExtensionContext, services: Services): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('creatorBulkJobs.stopTracking', async (arg?: unknown) => {
      const job = await resolveJob(services, arg, {
        placeHolder: 'Stop tracking which job?',
        noneMessage: 'No job is tracked.',
      });
      if (!job) {
        return;
      }
      try {
        await services.jobs.stopTracking(job.key);
        vscode.window.setStatusBarMessage(`Stopped tracking job ${job.jobId}`, 3000);
      } catch (error) {
        showCommandError(services, `Could not stop tracking job ${job.jobId}`, error, job.accountId);
      }
    }),
  );
}

// Show Jobs (status bar click): every tracked job, then the actions the chosen one allows.
import * as vscode from 'vscode';
import type { Services } from '../services';
import { isMergedJob } from '../exports/model';
import { jobActions } from '../views/jobContext';
import { pickJob } from './pickers';

/** The handler of 'creatorBulkJobs.showJobs' (registered, and loaded on first use, by registerCommands.ts). */
export function showJobsCommand(services: Services) {
  return async () => {
    const job = await pickJob(services, {
      placeHolder: 'Bulk read jobs: pick one to act on',
      noneMessage: 'No bulk read job is tracked. Create one with "Zoho Creator: Create Bulk Read Job".',
    });
    if (!job) {
      return;
    }
    const merged = isMergedJob(services.exports, job.key);
    const action = await vscode.window.showQuickPick(jobActions(job, Date.now(), merged), {
      placeHolder: `Job ${job.jobId} (${job.ref.report}): what now?`,
    });
    if (action) {
      await vscode.commands.executeCommand(action.command, job.key);
    }
  };
}

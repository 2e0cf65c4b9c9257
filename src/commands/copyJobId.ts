// Copy Job ID: the bare id, as Zoho's own tools and support ask for it.
import * as vscode from 'vscode';
import type { Services } from '../services';
import { resolveJob } from './pickers';

/** The handler of 'creatorBulkJobs.copyJobId' (registered, and loaded on first use, by registerCommands.ts). */
export function copyJobIdCommand(services: Services) {
  return async (arg?: unknown) => {
    const job = await resolveJob(services, arg, {
      placeHolder: 'Copy the id of which job?',
      noneMessage: 'No job is tracked.',
    });
    if (!job) {
      return undefined;
    }
    await vscode.env.clipboard.writeText(job.jobId);
    vscode.window.setStatusBarMessage(`$(copy) Copied job id ${job.jobId}`, 3000);
    return job.jobId;
  };
}

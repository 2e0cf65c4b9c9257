// Stop Tracking: forget the job. A downloaded result is never deleted silently: the question names
// the file and offers to save it into the workspace first (files saved there always stay).
import * as vscode from 'vscode';
import type { TrackedJob } from '../jobs/model';
import { resultTitle } from '../host/resultFileSystem';
import type { Services } from '../services';
import { formatMegabytes, jobLabel } from '../views/jobDescription';
import { resolveJob } from './pickers';
import { saveResult } from './saveResult';
import { showCommandError } from './showError';

export const STOP_AND_DELETE = 'Stop Tracking and Delete the Result';
export const SAVE_THEN_STOP = 'Save to Workspace, Then Stop';

/** Whether to go on: true when there is no downloaded file, or the person chose what happens to it. */
async function confirmResultFate(services: Services, job: TrackedJob): Promise<boolean> {
  const result = job.download === 'ready' ? job.result : undefined;
  if (!result) {
    return true;
  }
  const choice = await vscode.window.showWarningMessage(
    `Stop tracking ${jobLabel(job)}?`,
    {
      modal: true,
      detail: `Its downloaded result ${resultTitle(job)} (${formatMegabytes(result.bytes)} MB) is deleted from the extension's storage. Files saved to the workspace stay.`,
    },
    SAVE_THEN_STOP,
    STOP_AND_DELETE,
  );
  if (choice === SAVE_THEN_STOP) {
    return (await saveResult(services, job)) !== undefined;
  }
  return choice === STOP_AND_DELETE;
}

/** The handler of 'creatorBulkJobs.stopTracking' (registered, and loaded on first use, by registerCommands.ts). */
export function stopTrackingCommand(services: Services) {
  return async (arg?: unknown) => {
    const job = await resolveJob(services, arg, {
      placeHolder: 'Stop tracking which job?',
      noneMessage: 'No job is tracked.',
    });
    if (!job || !(await confirmResultFate(services, job))) {
      return false;
    }
    try {
      await services.jobs.stopTracking(job.key);
      vscode.window.setStatusBarMessage(`Stopped tracking ${jobLabel(job)}`, 3000);
      return true;
    } catch (error) {
      showCommandError(services, `Could not stop tracking ${jobLabel(job)}`, error, job.accountId);
      return false;
    }
  };
}

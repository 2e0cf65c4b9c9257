// Fetch Next Batch: create the follow-up job from a completed job's record cursor, which Zoho
// accepts only within 15 minutes.
import * as vscode from 'vscode';
import { usableCursor, type TrackedJob } from '../jobs/model';
import type { Services } from '../services';
import type { JobsTree } from '../views/jobsTreeView';
import { resolveJob } from './pickers';
import { unknownStatusText } from '../views/jobDescription';
import { revealQuietly } from './revealJob';
import { showCommandError } from './showError';

/** Why a job cannot continue, or undefined when its cursor is usable. */
export function whyNoNextBatch(job: TrackedJob, now: number): string | undefined {
  if (job.state === 'running') {
    return `Job ${job.jobId} is still running; its record cursor arrives when it completes.`;
  }
  if (job.state === 'failed') {
    return `Job ${job.jobId} failed, so it has no record cursor.`;
  }
  if (job.state === 'unknown') {
    return `Job ${job.jobId} has no record cursor: ${unknownStatusText(job)}. Refresh it to ask Zoho again.`;
  }
  if (job.nextBatchKey) {
    return `The next batch of job ${job.jobId} was already created; a record cursor can be used once.`;
  }
  if (!job.details?.result?.record_cursor) {
    return `Job ${job.jobId} has no record cursor: it was the last batch, every matching record has been read.`;
  }
  if (usableCursor(job, now) === undefined) {
    return `The record cursor of job ${job.jobId} has expired: Zoho accepts a cursor only within 15 minutes after the job completes. Create a new job (e.g. with criteria that skip the records already read).`;
  }
  return undefined;
}

export async function fetchNextBatch(
  services: Services,
  tree: JobsTree | undefined,
  arg?: unknown,
): Promise<string | undefined> {
  const job = await resolveJob(services, arg, {
    filter: (candidate, now) => usableCursor(candidate, now) !== undefined,
    placeHolder: 'Continue which job with its record cursor?',
    noneMessage:
      'No job has a usable record cursor: a cursor comes with a completed job that has more records, and expires after 15 minutes.',
  });
  if (!job) {
    return undefined;
  }
  const problem = whyNoNextBatch(job, Date.now());
  if (problem) {
    void vscode.window.showWarningMessage(problem);
    return undefined;
  }
  try {
    const next = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Window,
        title: `Creating batch ${job.batch + 1} of ${job.ref.report}…`,
      },
      () => services.jobs.fetchNextBatch(job.key),
    );
    revealQuietly(services, tree, next.key);
    vscode.window.setStatusBarMessage(
      `Created batch ${next.batch} of ${job.ref.report}: job ${next.jobId}`,
      5000,
    );
    return next.key;
  } catch (error) {
    showCommandError(services, `Could not fetch the next batch of job ${job.jobId}`, error, job.accountId);
    return undefined;
  }
}

/** The handler of 'creatorBulkJobs.fetchNextBatch' (registered, and loaded on first use, by registerCommands.ts). */
export function fetchNextBatchCommand(services: Services, tree?: JobsTree) {
  return (arg?: unknown) => fetchNextBatch(services, tree, arg);
}

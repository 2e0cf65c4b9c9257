// Track Existing Job: follow a job created elsewhere (another tool, a colleague) by its id.
import * as vscode from 'vscode';
import type { Services } from '../services';
import type { JobsTree } from '../views/jobsTree';
import { pickReportTarget, reportTargetFromOptions, type ReportOptions, type ReportTarget } from './pickers';
import { revealQuietly } from './revealJob';
import { showCommandError } from './showError';
import { validateJobId, validateReportOptions } from './validation';

export interface TrackJobOptions extends ReportOptions {
  jobId: string;
}

function isTrackJobOptions(arg: unknown): arg is TrackJobOptions {
  const candidate = arg as Partial<TrackJobOptions> | undefined;
  return (
    typeof candidate?.app === 'string' &&
    typeof candidate.report === 'string' &&
    typeof candidate.jobId === 'string'
  );
}

interface Plan extends ReportTarget {
  jobId: string;
}

async function askPlan(services: Services): Promise<Plan | undefined> {
  const target = await pickReportTarget(services);
  if (!target) {
    return undefined;
  }
  const jobId = await vscode.window.showInputBox({
    title: `Track Existing Job: ${target.ref.report}`,
    prompt: 'The bulk read job id (digits), as returned when the job was created.',
    placeHolder: '2000000018003',
    ignoreFocusOut: true,
    validateInput: validateJobId,
  });
  return jobId === undefined ? undefined : { ...target, jobId: jobId.trim() };
}

async function planFromOptions(services: Services, options: TrackJobOptions): Promise<Plan | undefined> {
  const problem = validateReportOptions(options) ?? validateJobId(options.jobId);
  if (problem) {
    throw new Error(problem);
  }
  const target = await reportTargetFromOptions(services, options);
  return target && { ...target, jobId: options.jobId.trim() };
}

/** Resolves the job key, or undefined when cancelled or when the job could not be found (shown). */
export async function trackJob(
  services: Services,
  tree: JobsTree | undefined,
  arg?: unknown,
): Promise<string | undefined> {
  let plan: Plan | undefined;
  try {
    plan = isTrackJobOptions(arg) ? await planFromOptions(services, arg) : await askPlan(services);
    if (!plan) {
      return undefined;
    }
    const { account, ref, jobId } = plan;
    // trackJob looks the job up first: an unknown id fails here and nothing is tracked.
    const job = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: `Looking up job ${jobId}…` },
      () => services.jobs.trackJob(account.id, ref, jobId),
    );
    revealQuietly(services, tree, job.key);
    return job.key;
  } catch (error) {
    const jobId = plan?.jobId ?? (isTrackJobOptions(arg) ? arg.jobId : '');
    showCommandError(services, `Could not track job ${jobId}`.trim(), error, plan?.account.id);
    return undefined;
  }
}

export function registerTrackJob(
  context: vscode.ExtensionContext,
  services: Services,
  tree?: JobsTree,
): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('creatorBulkJobs.trackJob', (arg?: unknown) =>
      trackJob(services, tree, arg),
    ),
  );
}

// Track Existing Job: follow a job created elsewhere (another tool, a colleague) by its id.
import * as vscode from 'vscode';
import type { Services } from '../services';
import type { JobsTree } from '../views/jobsTree';
import type { Account, ReportRef } from '../zoho/types';
import { pickAccount, pickApplication, pickReport } from './pickers';
import { revealQuietly } from './revealJob';
import { showCommandError } from './showError';
import { validateJobId, validateLinkName } from './validation';

export interface TrackJobOptions {
  accountId?: string;
  owner?: string;
  app: string;
  report: string;
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

interface Plan {
  account: Account;
  ref: ReportRef;
  jobId: string;
}

async function askPlan(services: Services): Promise<Plan | undefined> {
  const account = await pickAccount(services);
  const app = account && (await pickApplication(services, account));
  const report = account && app && (await pickReport(services, account, app));
  if (!account || !app || !report) {
    return undefined;
  }
  const jobId = await vscode.window.showInputBox({
    title: `Track Existing Job: ${report}`,
    prompt: 'The bulk read job id (digits), as returned when the job was created.',
    placeHolder: '2000000018003',
    ignoreFocusOut: true,
    validateInput: validateJobId,
  });
  return jobId === undefined
    ? undefined
    : { account, ref: { owner: app.owner, app: app.app, report }, jobId: jobId.trim() };
}

async function planFromOptions(services: Services, options: TrackJobOptions): Promise<Plan | undefined> {
  const problem =
    (options.owner !== undefined ? validateLinkName('owner name')(options.owner) : undefined) ??
    validateLinkName('application link name')(options.app) ??
    validateLinkName('report link name')(options.report) ??
    validateJobId(options.jobId);
  if (problem) {
    throw new Error(problem);
  }
  const account = await pickAccount(services, options.accountId);
  if (!account) {
    return undefined;
  }
  const ref = { owner: options.owner ?? account.owner, app: options.app, report: options.report };
  return { account, ref, jobId: options.jobId.trim() };
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

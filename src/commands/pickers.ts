// The prompts shared by the job commands: which account and which job; the report a command names
// (automation). Choosing a report step by step is in ./reportSteps.ts.
import * as vscode from 'vscode';
import { jobIdOfKey, type TrackedJob } from '../jobs/model';
import type { Services } from '../services';
import { jobCodicon } from '../views/jobIcons';
import { jobDescription, jobLabel } from '../views/jobDescription';
import type { Account, ReportRef } from '../zoho/types';
import { isJobReady } from '../views/readyResults';
import { layoutOf } from '../views/treeShape';

/** A job command's first argument: a tree node (anything with `.key`), a job key, or nothing. */
export function jobKeyOf(arg: unknown): string | undefined {
  if (typeof arg === 'string') {
    return arg;
  }
  if (arg && typeof arg === 'object' && typeof (arg as { key?: unknown }).key === 'string') {
    return (arg as { key: string }).key;
  }
  return undefined;
}

export interface JobQuery {
  /** Which jobs the command can act on; all when omitted. */
  filter?: (job: TrackedJob, now: number) => boolean;
  placeHolder: string;
  /** Shown when no job qualifies. */
  noneMessage: string;
}

interface JobItem extends vscode.QuickPickItem {
  job: TrackedJob;
}

export function jobPickItem(services: Services, job: TrackedJob, now: number): JobItem {
  const accounts = services.accounts.list();
  const account = accounts.length > 1 ? services.accounts.get(job.accountId)?.label : undefined;
  return {
    label: `${jobCodicon(job)} ${jobLabel(job)}`,
    // "ready" by the same rule as the tree (a batch of an export is part of the export's file).
    description: `${job.ref.app} · ${jobDescription(job, now, undefined, isJobReady(services, job, now))}`,
    // The id (searchable here, never the row's label) tells two batches of one report apart.
    detail: [account, `job ${job.jobId}`].filter(Boolean).join(' · '),
    job,
  };
}

export async function pickJob(services: Services, query: JobQuery): Promise<TrackedJob | undefined> {
  const now = Date.now();
  // In the tree's order, so the n-th row here is the n-th job row there.
  const order = layoutOf(services, now).order.flatMap((row) => (row.kind === 'job' ? [row.key] : []));
  const rank = (job: TrackedJob): number => order.indexOf(job.key);
  const jobs = services.jobs
    .jobs()
    .filter((job) => !query.filter || query.filter(job, now))
    .sort((a, b) => rank(a) - rank(b));
  if (jobs.length === 0) {
    void vscode.window.showInformationMessage(query.noneMessage);
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    jobs.map((job) => jobPickItem(services, job, now)),
    { placeHolder: query.placeHolder, matchOnDescription: true, matchOnDetail: true },
  );
  return picked?.job;
}

/** The job named by the argument, or the one the user picks. */
export async function resolveJob(
  services: Services,
  arg: unknown,
  query: JobQuery,
): Promise<TrackedJob | undefined> {
  const key = jobKeyOf(arg);
  if (key === undefined) {
    return pickJob(services, query);
  }
  const job = services.jobs.get(key);
  if (!job) {
    void vscode.window.showErrorMessage(`Job ${jobIdOfKey(key)} is no longer tracked.`);
  }
  return job;
}

/** Offers the sign-ins when a command needs an account and none is signed in. */
export function promptSignIn(): void {
  // Not awaited: a command must not stay pending on an open toast.
  void vscode.window
    .showInformationMessage(
      'Sign in to a Zoho Creator account first.',
      'Sign In with Access Token',
      'Sign In with Refresh Token',
    )
    .then((choice) => {
      if (choice === 'Sign In with Access Token') {
        void vscode.commands.executeCommand('creatorBulkJobs.signInWithAccessToken');
      } else if (choice === 'Sign In with Refresh Token') {
        void vscode.commands.executeCommand('creatorBulkJobs.signInWithRefreshToken');
      }
    });
}

export async function pickAccount(services: Services, accountId?: string): Promise<Account | undefined> {
  if (accountId !== undefined) {
    const account = services.accounts.get(accountId);
    if (!account) {
      void vscode.window.showErrorMessage(`No signed-in account with id ${accountId}.`);
    }
    return account;
  }
  const accounts = services.accounts.list();
  if (accounts.length === 0) {
    promptSignIn();
    return undefined;
  }
  if (accounts.length === 1) {
    return accounts[0];
  }
  const picked = await vscode.window.showQuickPick(
    accounts.map((account) => ({ label: account.label, description: account.owner, account })),
    { placeHolder: 'Which account?' },
  );
  return picked?.account;
}

/** What a job reads: the account and its report. */
export interface ReportTarget {
  account: Account;
  ref: ReportRef;
}

/** The report as automation names it (check it with validateReportOptions first). */
export interface ReportOptions {
  accountId?: string;
  /** Owner in bulk paths; defaults to the account owner. */
  owner?: string;
  app: string;
  report: string;
}

export async function reportTargetFromOptions(
  services: Services,
  options: ReportOptions,
): Promise<ReportTarget | undefined> {
  const account = await pickAccount(services, options.accountId);
  return (
    account && {
      account,
      ref: { owner: options.owner ?? account.owner, app: options.app, report: options.report },
    }
  );
}

// The prompts shared by the job commands: which account, which job, which application and report.
// App and report lists come from the meta APIs; when those fail (often a missing scope) the user
// can still type link names, and is told why.
import * as vscode from 'vscode';
import { jobIdOfKey, type TrackedJob } from '../jobs/model';
import type { Services } from '../services';
import { jobCodicon } from '../views/jobIcons';
import { jobDescription, jobLabel } from '../views/jobDescription';
import { isZohoError } from '../zoho/errors';
import type { Account, Application, Report, ReportRef } from '../zoho/types';
import { errorMessage } from '../core/format';
import { validateAppInput, validateLinkName } from './validation';

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
  const where = `${job.ref.app} / ${job.ref.report}`;
  return {
    label: `${jobCodicon(job)} ${jobLabel(job)}`,
    description: `${where} · ${jobDescription(job, now)}`,
    detail: account,
    job,
  };
}

export async function pickJob(services: Services, query: JobQuery): Promise<TrackedJob | undefined> {
  const now = Date.now();
  const jobs = services.jobs
    .jobs()
    .filter((job) => !query.filter || query.filter(job, now))
    .sort((a, b) => b.trackedAt - a.trackedAt);
  if (jobs.length === 0) {
    void vscode.window.showInformationMessage(query.noneMessage);
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    jobs.map((job) => jobPickItem(services, job, now)),
    { placeHolder: query.placeHolder, matchOnDescription: true },
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
    // Not awaited: a command must not stay pending on an open toast.
    void vscode.window
      .showInformationMessage(
        'Sign in to a Zoho Creator account first.',
        'Sign In with Access Token',
        'Try the Local Simulator',
      )
      .then((choice) => {
        if (choice === 'Sign In with Access Token') {
          void vscode.commands.executeCommand('creatorBulkJobs.signInWithAccessToken');
        } else if (choice === 'Try the Local Simulator') {
          void vscode.commands.executeCommand('creatorBulkJobs.useSimulator');
        }
      });
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

export interface AppChoice {
  /** Owner used in bulk paths: the workspace for apps shared from another workspace (category 2). */
  owner: string;
  app: string;
}

const TYPE_IT = '$(edit) Enter a link name…';

function whyNoList(error: unknown, scope: string): string {
  if (isZohoError(error, 'missingScope')) {
    return `the token lacks the ${error.scope ?? scope} scope`;
  }
  return errorMessage(error).replace(/\.$/, '');
}

async function load<T>(title: string, task: () => Promise<T>): Promise<T> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title }, task);
}

function ownerOf(account: Account, app: Application): string {
  return app.category === 2 && app.workspace_name ? app.workspace_name : account.owner;
}

async function typeApp(account: Account, note: string): Promise<AppChoice | undefined> {
  const typed = await vscode.window.showInputBox({
    title: 'Application link name',
    prompt: `${note} Type the application link name (or owner/application for an app of another workspace).`,
    placeHolder: 'zylker-store',
    ignoreFocusOut: true,
    validateInput: validateAppInput,
  });
  if (typed === undefined) {
    return undefined;
  }
  const parts = typed.trim().split('/');
  return parts.length === 2 ? { owner: parts[0], app: parts[1] } : { owner: account.owner, app: parts[0] };
}

export async function pickApplication(services: Services, account: Account): Promise<AppChoice | undefined> {
  let apps: Application[];
  try {
    const client = await services.accounts.clientFor(account.id);
    apps = await load('Loading Zoho Creator applications…', () => client.listApplications());
  } catch (error) {
    services.logger.warn(`Listing applications failed: ${errorMessage(error)}`);
    return typeApp(
      account,
      `Could not list applications (${whyNoList(error, 'ZohoCreator.dashboard.READ')}).`,
    );
  }
  if (apps.length === 0) {
    return typeApp(account, 'The account lists no applications.');
  }
  const items = [...apps]
    .sort((a, b) => a.application_name.localeCompare(b.application_name))
    .map((app) => ({
      label: app.application_name,
      description: app.link_name,
      detail: app.category === 2 ? `Shared from workspace ${app.workspace_name}` : undefined,
      choice: { owner: ownerOf(account, app), app: app.link_name } as AppChoice | undefined,
    }));
  items.push({ label: TYPE_IT, description: '', detail: undefined, choice: undefined });
  const picked = await vscode.window.showQuickPick(items, {
    placeHolder: 'Which application?',
    matchOnDescription: true,
  });
  if (!picked) {
    return undefined;
  }
  return picked.choice ?? typeApp(account, '');
}

/** Bulk read refuses pivot and third-party reports (7150). */
export function isUnsupportedReport(report: Report): boolean {
  return /pivot|third/i.test(report.type ?? '');
}

async function typeReport(note: string): Promise<string | undefined> {
  const typed = await vscode.window.showInputBox({
    title: 'Report link name',
    prompt: `${note} Type the report link name.`.trim(),
    placeHolder: 'All_Orders',
    ignoreFocusOut: true,
    validateInput: validateLinkName('report link name'),
  });
  return typed?.trim();
}

export async function pickReport(
  services: Services,
  account: Account,
  choice: AppChoice,
): Promise<string | undefined> {
  let reports: Report[];
  try {
    const client = await services.accounts.clientFor(account.id);
    reports = await load('Loading reports…', () => client.listReports(choice.owner, choice.app));
  } catch (error) {
    services.logger.warn(`Listing reports of ${choice.app} failed: ${errorMessage(error)}`);
    return typeReport(`Could not list reports (${whyNoList(error, 'ZohoCreator.meta.application.READ')}).`);
  }
  if (reports.length === 0) {
    return typeReport(`${choice.app} lists no reports.`);
  }
  const items = [...reports]
    .sort(
      (a, b) =>
        Number(isUnsupportedReport(a)) - Number(isUnsupportedReport(b)) ||
        a.display_name.localeCompare(b.display_name),
    )
    .map((report) => ({
      label: isUnsupportedReport(report) ? `$(circle-slash) ${report.display_name}` : report.display_name,
      description: isUnsupportedReport(report)
        ? `${report.link_name} · ${report.type} report: bulk read does not support it`
        : report.link_name,
      report: report as Report | undefined,
    }));
  items.push({ label: TYPE_IT, description: '', report: undefined });
  const picked = await vscode.window.showQuickPick(items, {
    placeHolder: 'Which report?',
    matchOnDescription: true,
  });
  if (!picked) {
    return undefined;
  }
  if (!picked.report) {
    return typeReport('');
  }
  if (isUnsupportedReport(picked.report)) {
    void vscode.window.showErrorMessage(
      `${picked.report.display_name} is a ${picked.report.type} report: Zoho Creator's bulk read does not support pivot and third-party reports. Pick a list report.`,
    );
    return undefined;
  }
  return picked.report.link_name;
}

/** What a job reads: the account and its report. */
export interface ReportTarget {
  account: Account;
  ref: ReportRef;
}

/** Account, application, then report, as the user picks them; undefined when cancelled. */
export async function pickReportTarget(services: Services): Promise<ReportTarget | undefined> {
  const account = await pickAccount(services);
  if (!account) {
    return undefined;
  }
  const app = await pickApplication(services, account);
  if (!app) {
    return undefined;
  }
  const report = await pickReport(services, account, app);
  if (!report) {
    return undefined;
  }
  return { account, ref: { owner: app.owner, app: app.app, report } };
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

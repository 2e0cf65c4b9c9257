// Notifications for finished jobs (per setting creatorBulkJobs.notifications, read at each event)
// and one actionable message per account problem until the user signs in again.
import * as vscode from 'vscode';
import { Disposable } from '../core/lifecycle';
import type { NotificationLevel } from '../host/settings';
import type { TrackedJob } from '../jobs/model';
import type { AccountProblem } from '../jobs/serviceApi';
import { signInAgain } from '../host/signInAgain';
import type { Services } from '../services';
import { formatCount } from './jobDescription';

const COMPLETED_ACTIONS: Record<string, string | undefined> = {
  Open: 'openResult',
  Save: 'saveResult',
  'Show in Tree': 'revealJob',
};
const FAILED_ACTIONS: Record<string, string | undefined> = {
  'Show in Tree': 'revealJob',
  'Show Log': 'showLog',
};

export function completedMessage(job: TrackedJob): string {
  const count = job.details?.result?.count;
  const batch = job.batch > 1 ? ` batch ${job.batch}` : '';
  if (count === 0) {
    return `${job.ref.report}${batch} completed: no records matched.`;
  }
  const records = count !== undefined ? `${formatCount(count)} records` : 'the result';
  const where = job.download === 'ready' ? ' ready to open' : ' completed';
  return `${job.ref.report}${batch}: ${records}${where}.`;
}

export function failedMessage(job: TrackedJob): string {
  const reason = job.lastError?.message ? ` ${job.lastError.message}` : ' Zoho reported the job as failed.';
  return `${job.ref.report} job ${job.jobId} failed.${reason}`;
}

export class JobNotifications extends Disposable {
  /** `${accountId}|${kind}` of problems already shown; cleared when accounts change (new sign-in). */
  private readonly shownProblems = new Set<string>();

  /** Completed jobs whose download is under way: announced once the file is there. */
  private readonly awaitingFile = new Set<string>();

  constructor(
    private readonly services: Services,
    private readonly level: () => NotificationLevel,
    private readonly autoDownload: () => boolean = () => false,
  ) {
    super();
    this.register(services.jobs.onDidAnnounceJob((job) => this.jobFinished(job)));
    this.register(
      services.jobs.onDidChangeJob(({ kind, job }) => {
        if (!this.awaitingFile.has(job.key) || (kind === 'updated' && job.download === 'downloading')) {
          return;
        }
        this.awaitingFile.delete(job.key);
        if (kind === 'updated' && job.download !== 'none') {
          // Ready, or the download failed: either way the person hears about the job now.
          this.jobFinished(job);
        }
      }),
    );
    this.register(services.jobs.onDidHitAccountProblem((problem) => this.accountProblem(problem)));
    this.register(services.accounts.onDidChange(() => this.shownProblems.clear()));
  }

  private jobFinished(job: TrackedJob): void {
    const { exports, accounts, jobs } = this.services;
    if (!accounts.get(job.accountId) || !jobs.get(job.key)) {
      return; // signed out, or no longer tracked, meanwhile: nothing to open any more
    }
    // A batch just created from a cursor may finish before its export has recorded it: ask about its parent too.
    if (exports.exportOfJob(job.key) || (job.parentKey && exports.exportOfJob(job.parentKey))) {
      return; // a batch of an export: the export speaks for it (ExportNotifications)
    }
    const level = this.level();
    if (level === 'none' || (level === 'failuresOnly' && job.state !== 'failed')) {
      return;
    }
    if (
      job.state === 'completed' &&
      job.download !== 'ready' &&
      job.download !== 'failed' &&
      this.autoDownload()
    ) {
      // "Completed" while the row still says downloading would offer an Open that waits: say it
      // when the file is there.
      this.awaitingFile.add(job.key);
      return;
    }
    if (job.state === 'completed' && job.download === 'failed') {
      void vscode.window
        .showErrorMessage(
          `${job.ref.report} batch ${job.batch} completed, but its download failed: ${job.lastError?.message ?? 'see the log'}`,
          'Open',
          'Show Log',
        )
        .then((action) =>
          action === 'Open'
            ? vscode.commands.executeCommand('creatorBulkJobs.openResult', job.key)
            : action === 'Show Log'
              ? vscode.commands.executeCommand('creatorBulkJobs.showLog')
              : undefined,
        )
        .then(undefined, (error) =>
          this.services.logger.error(`Notification action failed: ${String(error)}`),
        );
      return;
    }
    if (job.state === 'completed') {
      void vscode.window
        .showInformationMessage(completedMessage(job), 'Open', 'Save', 'Show in Tree')
        .then((action) => {
          const command = COMPLETED_ACTIONS[action ?? ''];
          if (command && !this.services.jobs.get(job.key)) {
            // Forgotten while the toast was up (Sign Out, Stop Tracking): its file went with it.
            return vscode.window.showInformationMessage(
              `${job.ref.report} batch ${job.batch} is no longer tracked (signed out, or Stop Tracking), and its result was deleted with it. Create the job again to read its records.`,
            );
          }
          return command ? vscode.commands.executeCommand(`creatorBulkJobs.${command}`, job.key) : undefined;
        })
        .then(undefined, (error) =>
          this.services.logger.error(`Notification action failed: ${String(error)}`),
        );
    } else if (job.state === 'failed') {
      void vscode.window
        .showErrorMessage(failedMessage(job), 'Show in Tree', 'Show Log')
        .then((action) => {
          const command = FAILED_ACTIONS[action ?? ''];
          return command ? vscode.commands.executeCommand(`creatorBulkJobs.${command}`, job.key) : undefined;
        })
        .then(undefined, (error) =>
          this.services.logger.error(`Notification action failed: ${String(error)}`),
        );
    }
  }

  private accountProblem({ accountId, error }: AccountProblem): void {
    const id = `${accountId}|${error.kind}`;
    if (this.shownProblems.has(id)) {
      return;
    }
    this.shownProblems.add(id);
    const account = this.services.accounts.get(accountId);
    const label = account?.label ?? accountId;
    let message: string;
    let actions: string[];
    switch (error.kind) {
      case 'authExpired':
        message = `${label}: the ${account?.credentialKind === 'refreshToken' ? 'credentials were' : 'access token was'} rejected (expired or revoked). Tracking of its jobs is paused until you sign in again.`;
        actions = ['Sign In Again', 'Show Log'];
        break;
      case 'authFailed':
        message = `${label}: ${error.message} Tracking of its jobs is paused until you sign in again.`;
        actions = ['Sign In Again', 'Show Log'];
        break;
      case 'missingScope':
        message = `${label}: the token lacks the scope ${error.scope ?? '(unknown)'}. Sign in again with a token that has ZohoCreator.bulk.CREATE and ZohoCreator.bulk.READ.`;
        actions = ['Sign In Again', 'Show Log'];
        break;
      default:
        message = `${label}: ${error.message}`;
        actions = ['Show Log'];
    }
    this.services.logger.warn(message);
    void vscode.window
      .showErrorMessage(message, ...actions)
      .then((action) => {
        if (action === 'Sign In Again') {
          return signInAgain(this.services, accountId);
        }
        return action === 'Show Log' ? vscode.commands.executeCommand('creatorBulkJobs.showLog') : undefined;
      })
      .then(undefined, (problem) =>
        this.services.logger.error(`Notification action failed: ${String(problem)}`),
      );
  }
}

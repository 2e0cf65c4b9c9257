// Command: sign out of one account: its secret, its entry, its exports and its tracked jobs are
// removed and their read-only tabs closed, so nothing of it is left in the view (after the last
// account, the welcome is back).
import * as vscode from 'vscode';
import type { AccountStore } from '../accounts/accountStore';
import { isMergedJob } from '../exports/model';
import { resultTitle } from '../host/resultFileSystem';
import { closeTabsOf } from './resultTabs';
import type { Services } from '../services';
import type { Account } from '../zoho/types';

/** An account id, or a tree node / object carrying one. */
export type SignOutArg = string | { accountId?: string } | undefined;

async function chooseAccount(accounts: AccountStore, arg: SignOutArg): Promise<Account | undefined> {
  const id = typeof arg === 'string' ? arg : arg?.accountId;
  if (id !== undefined) {
    const account = accounts.get(id);
    if (!account) {
      void vscode.window.showErrorMessage(`Not signed in to "${id}": nothing to sign out of.`);
    }
    return account;
  }
  const all = accounts.list();
  if (all.length === 0) {
    void vscode.window.showInformationMessage('You are not signed in to any Zoho Creator account.');
    return undefined;
  }
  if (all.length === 1) {
    return all[0];
  }
  const picked = await vscode.window.showQuickPick(
    all.map((account) => ({
      label: account.label,
      description: account.credentialKind === 'refreshToken' ? 'refresh token' : 'access token',
      account,
    })),
    { title: 'Sign Out', placeHolder: 'Account to sign out of' },
  );
  return picked?.account;
}

/** The handler of 'creatorBulkJobs.signOut' (registered, and loaded on first use, by registerCommands.ts). */
export function signOutCommand(services: Services, accounts: AccountStore) {
  return async (arg?: SignOutArg): Promise<boolean> => {
    const account = await chooseAccount(accounts, arg);
    if (!account) {
      return false;
    }
    // Asked again when a result finished downloading while the question was open: every file it
    // deletes is named to the user before they agree (a job may complete behind the dialog).
    let asked: string[] | undefined;
    for (;;) {
      const { detail, files } = signOutDetail(services, account);
      if (asked && files.every((file) => asked?.includes(file))) {
        break;
      }
      const choice = await vscode.window.showWarningMessage(
        asked
          ? `Sign out of ${account.label}? More results were downloaded meanwhile.`
          : `Sign out of ${account.label}?`,
        { modal: true, detail },
        'Sign Out',
      );
      if (choice !== 'Sign Out') {
        return false;
      }
      asked = files;
    }
    const exports = services.exports.exports().filter((run) => run.accountId === account.id);
    const gone = [
      ...exports.map((run) => `export:${run.id}`),
      ...services.jobs
        .jobs()
        .filter((job) => job.accountId === account.id)
        .map((job) => job.key),
    ];
    // Exports first: a running one stops creating batches before its jobs are forgotten.
    for (const run of exports) {
      await services.exports.remove(run.id);
    }
    await services.jobs.forgetAccount(account.id);
    await accounts.removeAccount(account.id);
    await closeTabsOf(gone);
    services.logger.info(`Signed out of ${account.label}.`);
    void vscode.window.showInformationMessage(`Signed out of ${account.label}.`);
    return true;
  };
}

/** What signing out of `account` deletes, in words, and the result files it names. */
function signOutDetail(services: Services, account: Account): { detail: string; files: string[] } {
  const owned = services.jobs.jobs().filter((job) => job.accountId === account.id);
  const running = services.exports
    .exports()
    .filter((run) => run.accountId === account.id && run.state === 'running').length;
  const jobs = owned.length;
  // A batch merged into its export's file has no file of its own left to delete.
  const files = owned
    .filter((job) => job.download === 'ready' && job.result && !isMergedJob(services.exports, job.key))
    .map((job) => resultTitle(job));
  const named =
    files.length === 0
      ? ''
      : ` Downloaded results deleted with them: ${files.slice(0, 3).join(', ')}${files.length > 3 ? ` and ${files.length - 3} more` : ''} (save them to the workspace first to keep them).`;
  const stopped =
    running > 0
      ? ` ${running === 1 ? 'Its running export is' : `Its ${running} running exports are`} stopped and ${running === 1 ? 'its' : 'their'} records so far discarded.`
      : '';
  const detail =
    jobs > 0
      ? `Its credentials are deleted from this machine, and its ${jobs} tracked job${jobs === 1 ? ' is' : 's are'} forgotten. Jobs keep running on Zoho.${stopped}${named}`
      : 'Its credentials are deleted from this machine.';
  return { detail, files };
}

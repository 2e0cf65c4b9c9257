// The way back from a rejected or expired sign-in, offered by command errors (commands/showError.ts)
// and by notifications (views/notifications.ts). Here, not in commands/, because views never import
// commands (eslint.config.mjs).
import * as vscode from 'vscode';
import type { Services } from '../services';

/**
 * Runs the sign-in matching the account's kind of credentials. For a known account only its
 * secret is asked again: data centre, host and owner are kept.
 */
export function signInAgain(services: Services, accountId?: string): Thenable<unknown> {
  const account = accountId ? services.accounts.get(accountId) : undefined;
  const command =
    account?.credentialKind === 'refreshToken'
      ? 'creatorBulkJobs.signInWithRefreshToken'
      : 'creatorBulkJobs.signInWithAccessToken';
  return vscode.commands.executeCommand(command, account ? { accountId: account.id } : undefined);
}

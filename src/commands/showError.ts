// Turns any failure of a job command into one readable message with actions that help; the
// detail (never a stack trace in the UI) goes to the log.
import * as vscode from 'vscode';
import type { Services } from '../services';
import { isZohoError, type ZohoError } from '../zoho/errors';

const SHOW_LOG = 'Show Log';
const SIGN_IN_AGAIN = 'Sign In Again';

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function isCancellation(error: unknown): boolean {
  return isZohoError(error, 'cancelled') || (error instanceof Error && error.name === 'AbortError');
}

function signInCommand(services: Services, error: ZohoError, accountId?: string): string | undefined {
  if (error.kind !== 'authExpired' && error.kind !== 'authFailed') {
    return undefined;
  }
  const account = accountId ? services.accounts.get(accountId) : undefined;
  return account?.credentialKind === 'refreshToken'
    ? 'creatorBulkJobs.signInWithRefreshToken'
    : 'creatorBulkJobs.signInWithAccessToken';
}

/**
 * Shows the error without waiting for the user (a command must not hang on an open toast).
 * `what` says what was being done, e.g. "Could not create the job".
 */
export function showCommandError(services: Services, what: string, error: unknown, accountId?: string): void {
  if (isCancellation(error)) {
    return;
  }
  const message = errorMessage(error);
  services.logger.error(`${what}: ${message}`);
  const signIn = isZohoError(error) ? signInCommand(services, error, accountId) : undefined;
  const actions = signIn ? [SIGN_IN_AGAIN, SHOW_LOG] : [SHOW_LOG];
  void vscode.window.showErrorMessage(`${what}: ${message}`, ...actions).then((choice) => {
    if (choice === SHOW_LOG) {
      void vscode.commands.executeCommand('creatorBulkJobs.showLog');
    } else if (choice === SIGN_IN_AGAIN && signIn) {
      void vscode.commands.executeCommand(signIn);
    }
  });
}

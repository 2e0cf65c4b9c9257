// Turns any failure of a job command into one readable message with actions that help; the
// detail (never a stack trace in the UI) goes to the log.
import * as vscode from 'vscode';
import { errorMessage } from '../core/format';
import { signInAgain } from '../host/signInAgain';
import type { Services } from '../services';
import { isZohoError } from '../zoho/errors';
import { reopenWithProblem, type Refusal } from './guided';
import type { Step, StepProblem } from './stepFlow';

const SHOW_LOG = 'Show Log';
const SIGN_IN_AGAIN = 'Sign In Again';
const TRY_AGAIN = 'Try Again';

export function isCancellation(error: unknown): boolean {
  return isZohoError(error, 'cancelled') || (error instanceof Error && error.name === 'AbortError');
}

function needsSignIn(error: unknown): boolean {
  return isZohoError(error, 'authExpired') || isZohoError(error, 'authFailed');
}

/**
 * Shows the error without waiting for the user (a command must not hang on an open toast).
 * `what` says what was being done, e.g. "Could not create the job". With `tryAgain`, the toast
 * offers Try Again (a guided command reopens with what was entered).
 */
export function showCommandError(
  services: Services,
  what: string,
  error: unknown,
  accountId?: string,
  tryAgain?: () => unknown,
): void {
  if (isCancellation(error)) {
    return;
  }
  const message = errorMessage(error);
  services.logger.error(`${what}: ${message}`);
  const signIn = needsSignIn(error);
  const actions = signIn ? [SIGN_IN_AGAIN, SHOW_LOG] : tryAgain ? [TRY_AGAIN, SHOW_LOG] : [SHOW_LOG];
  void vscode.window.showErrorMessage(`${what}: ${message}`, ...actions).then((choice) => {
    if (choice === SHOW_LOG) {
      void vscode.commands.executeCommand('creatorBulkJobs.showLog');
    } else if (choice === SIGN_IN_AGAIN) {
      void signInAgain(services, accountId);
    } else if (choice === TRY_AGAIN) {
      void tryAgain?.();
    }
  });
}

/**
 * A guided command's refusal, shown as showCommandError shows it; Try Again reopens `at.step` (the
 * last step when absent), saying the error's message on it when `at.field` names its answer.
 */
export function commandRefusal<S extends { problem?: StepProblem }>(
  services: Services,
  what: string,
  error: unknown,
  accountId: string | undefined,
  at: { step?: Step<S>; field?: string },
): Refusal<S> {
  return {
    ...reopenWithProblem(at.step, at.field, errorMessage(error)),
    show: (tryAgain) => showCommandError(services, what, error, accountId, tryAgain),
  };
}

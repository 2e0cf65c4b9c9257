// Command: sign in with a Zoho access token (no refresh: the user signs in again after an hour).
import * as vscode from 'vscode';
import type { AccountStore } from '../accounts/accountStore';
import type { Services } from '../services';
import type { AccountTarget } from '../zoho/types';
import {
  checkedTargetFromArgs,
  knownOrAskedTarget,
  TITLE,
  validateSecret,
  verifyAndStore,
  type TargetArgs,
} from './signInSteps';

export interface AccessTokenSignInArgs extends TargetArgs {
  token: string;
}

/** `{ accountId }` signs in again to a known account: only the token is asked. */
export type AccessTokenCommandArg = AccessTokenSignInArgs | { accountId: string } | undefined;

export function registerSignInWithAccessToken(
  context: vscode.ExtensionContext,
  services: Services,
  accounts: AccountStore,
): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(
      'creatorBulkJobs.signInWithAccessToken',
      async (arg?: AccessTokenCommandArg) => {
        let target: AccountTarget | undefined;
        let token: string | undefined;
        if (arg && 'token' in arg) {
          target = checkedTargetFromArgs(arg, () => validateSecret('access token')(arg.token ?? ''));
          if (!target) {
            return undefined;
          }
          token = arg.token.trim();
        } else {
          target = await knownOrAskedTarget(accounts, arg);
          if (!target) {
            return undefined;
          }
          token = await vscode.window.showInputBox({
            title: TITLE,
            prompt: `Access token for ${target.owner} (Zoho API console > Self Client, scopes ZohoCreator.bulk.CREATE, ZohoCreator.bulk.READ, ZohoCreator.dashboard.READ, ZohoCreator.meta.application.READ)`,
            placeHolder: '1000.xxxxxxxx.xxxxxxxx',
            password: true,
            ignoreFocusOut: true,
            validateInput: validateSecret('access token'),
          });
          if (token === undefined) {
            return undefined;
          }
          token = token.trim();
        }
        const account = await verifyAndStore(accounts, services.logger, target, {
          kind: 'accessToken',
          accessToken: token,
        });
        return account?.id;
      },
    ),
  );
}

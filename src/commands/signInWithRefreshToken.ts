// Command: sign in with a Self Client's client id/secret and a refresh token (or a grant code
// exchanged for one here). Access tokens are then refreshed automatically.
import * as vscode from 'vscode';
import type { AccountStore } from '../accounts/accountStore';
import type { RefreshTokenCredentials } from '../accounts/credentials';
import type { Services } from '../services';
import { exchangeGrantCode } from '../zoho/auth';
import { resolveEndpoints } from '../zoho/dataCentres';
import type { AccountTarget } from '../zoho/types';
import { errorMessage } from '../core/format';
import {
  checkedTargetFromArgs,
  knownOrAskedTarget,
  TITLE,
  validateSecret,
  verifyAndStore,
  type TargetArgs,
} from './signInSteps';

export interface RefreshTokenSignInArgs extends TargetArgs {
  clientId: string;
  clientSecret: string;
  refreshToken?: string;
  grantCode?: string;
}

export type RefreshTokenCommandArg = RefreshTokenSignInArgs | { accountId: string } | undefined;

interface AskedSecrets {
  clientId: string;
  clientSecret: string;
  refreshToken?: string;
  grantCode?: string;
}

async function askSecret(prompt: string, what: string, password: boolean): Promise<string | undefined> {
  const value = await vscode.window.showInputBox({
    title: TITLE,
    prompt,
    password,
    ignoreFocusOut: true,
    validateInput: validateSecret(what),
  });
  return value?.trim();
}

async function askSecrets(target: AccountTarget): Promise<AskedSecrets | undefined> {
  const clientId = await askSecret(
    `Client ID of your Self Client (Zoho API console) for ${target.owner}`,
    'client ID',
    false,
  );
  if (!clientId) {
    return undefined;
  }
  const clientSecret = await askSecret('Client secret of the Self Client', 'client secret', true);
  if (!clientSecret) {
    return undefined;
  }
  const how = await vscode.window.showQuickPick(
    [
      { label: 'I have a refresh token', grant: false },
      {
        label: 'Exchange a Self Client grant code',
        description: 'generated in the last few minutes, access type offline',
        grant: true,
      },
    ],
    { title: TITLE, placeHolder: 'How do you want to authorise?', ignoreFocusOut: true },
  );
  if (!how) {
    return undefined;
  }
  if (how.grant) {
    const grantCode = await askSecret(
      'Grant code from the Self Client (scopes ZohoCreator.bulk.CREATE, ZohoCreator.bulk.READ, ZohoCreator.dashboard.READ, ZohoCreator.meta.application.READ)',
      'grant code',
      true,
    );
    return grantCode ? { clientId, clientSecret, grantCode } : undefined;
  }
  const refreshToken = await askSecret('Refresh token', 'refresh token', true);
  return refreshToken ? { clientId, clientSecret, refreshToken } : undefined;
}

/** Turns a grant code into a refresh token; undefined (after telling the user) when Zoho refuses. */
async function toCredentials(
  services: Services,
  target: AccountTarget,
  asked: AskedSecrets,
): Promise<RefreshTokenCredentials | undefined> {
  const { clientId, clientSecret } = asked;
  if (asked.refreshToken) {
    return { kind: 'refreshToken', clientId, clientSecret, refreshToken: asked.refreshToken };
  }
  try {
    const exchanged = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'Exchanging the grant code with Zoho…' },
      () =>
        exchangeGrantCode({
          accountsBase: resolveEndpoints(target).accountsBase,
          clientId,
          clientSecret,
          code: asked.grantCode ?? '',
          logger: services.logger,
        }),
    );
    return { kind: 'refreshToken', clientId, clientSecret, refreshToken: exchanged.refreshToken };
  } catch (error) {
    const message = errorMessage(error);
    services.logger.warn(`Grant code exchange failed: ${message}`);
    void vscode.window.showErrorMessage(`Sign-in failed: ${message}`);
    return undefined;
  }
}

export function registerSignInWithRefreshToken(
  context: vscode.ExtensionContext,
  services: Services,
  accounts: AccountStore,
): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(
      'creatorBulkJobs.signInWithRefreshToken',
      async (arg?: RefreshTokenCommandArg) => {
        let target: AccountTarget | undefined;
        let asked: AskedSecrets | undefined;
        if (arg && 'clientId' in arg) {
          target = checkedTargetFromArgs(
            arg,
            () =>
              validateSecret('client ID')(arg.clientId ?? '') ??
              validateSecret('client secret')(arg.clientSecret ?? '') ??
              (arg.refreshToken
                ? validateSecret('refresh token')(arg.refreshToken)
                : validateSecret('refresh token or grant code')(arg.grantCode ?? '')),
          );
          asked = target && {
            clientId: arg.clientId.trim(),
            clientSecret: arg.clientSecret.trim(),
            refreshToken: arg.refreshToken?.trim(),
            grantCode: arg.grantCode?.trim(),
          };
        } else {
          target = await knownOrAskedTarget(accounts, arg);
          asked = target && (await askSecrets(target));
        }
        if (!target || !asked) {
          return undefined;
        }
        const credentials = await toCredentials(services, target, asked);
        if (!credentials) {
          return undefined;
        }
        const account = await verifyAndStore(accounts, services.logger, target, credentials);
        return account?.id;
      },
    ),
  );
}

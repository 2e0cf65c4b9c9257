// Command: sign in with a Self Client's client id/secret and a refresh token (or a grant code
// exchanged for one here). Access tokens are then refreshed automatically. One guided flow; refused
// credentials offer Try Again with the target and the client ID kept, the secrets asked again.
import * as vscode from 'vscode';
import type { AccountStore } from '../accounts/accountStore';
import type { RefreshTokenCredentials } from '../accounts/credentials';
import { errorMessage } from '../core/format';
import type { Services } from '../services';
import { exchangeGrantCode } from '../zoho/auth';
import { resolveEndpoints } from '../zoho/dataCentres';
import type { AccountTarget } from '../zoho/types';
import { runGuided, textStep } from './guided';
import type { Step } from './stepFlow';
import {
  checkedTargetFromArgs,
  knownTarget,
  showRefusal,
  targetOfState,
  signInFlow,
  validateSecret,
  verifyAndStore,
  type SignInState,
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

const TITLE = 'Sign In with Refresh Token';

interface RefreshState extends SignInState {
  clientId?: string;
  clientSecret?: string;
  grant?: boolean;
  /** The refresh token or the grant code, as `grant` says. */
  code?: string;
}

/** Client ID (the first step returned), client secret, how to authorise, then the token or code. */
function credentialSteps(): Step<RefreshState> {
  const code = textStep<RefreshState, 'code'>({
    key: 'code',
    prompt: (state) =>
      state.grant
        ? 'Grant code from the Self Client (scopes ZohoCreator.bulk.CREATE, ZohoCreator.bulk.READ, ZohoCreator.dashboard.READ, ZohoCreator.meta.application.READ)'
        : 'Refresh token',
    secret: true,
    validate: (value, state) => validateSecret(state.grant ? 'grant code' : 'refresh token')(value),
  });
  const how: Step<RefreshState> = async (flow) => {
    type HowItem = vscode.QuickPickItem & { grant: boolean };
    const picked = await flow.pick<HowItem>({
      placeholder: 'How do you want to authorise?',
      items: [
        { label: 'I have a refresh token', grant: false },
        {
          label: 'Exchange a Self Client grant code',
          description: 'generated in the last few minutes, access type offline',
          grant: true,
        },
      ],
      active: (item) => item.grant === (flow.state.grant ?? false),
    });
    flow.state.grant = picked.grant;
    return code;
  };
  const clientSecret = textStep<RefreshState, 'clientSecret'>({
    key: 'clientSecret',
    prompt: 'Client secret of the Self Client',
    secret: true,
    validate: validateSecret('client secret'),
    next: how,
  });
  const clientId = textStep<RefreshState, 'clientId'>({
    key: 'clientId',
    prompt: (state) =>
      `Client ID of your Self Client (Zoho API console) for ${state.known?.owner ?? state.owner ?? ''}`,
    validate: validateSecret('client ID'),
    next: clientSecret,
  });
  return clientId;
}

function askedOf(state: RefreshState): AskedSecrets | undefined {
  const { clientId, clientSecret, code, grant } = state;
  if (!clientId || !clientSecret || !code) {
    return undefined;
  }
  return grant ? { clientId, clientSecret, grantCode: code } : { clientId, clientSecret, refreshToken: code };
}

/** Turns a grant code into a refresh token; undefined (after telling the user) when Zoho refuses. */
async function toCredentials(
  services: Services,
  target: AccountTarget,
  asked: AskedSecrets,
  tryAgain?: () => unknown,
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
    showRefusal(`Zoho did not exchange the grant code: ${message}`, tryAgain);
    return undefined;
  }
}

/**
 * The guided sign-in. Refused credentials reopen the client ID step: the target and the client ID
 * are kept, the secrets asked again.
 */
function guidedSignIn(
  services: Services,
  accounts: AccountStore,
  state: RefreshState,
): Promise<string | undefined> {
  const clientId = credentialSteps();
  return runGuided(
    {
      ...signInFlow(TITLE, state, clientId, 4),
      plan: (s) => {
        const asked = askedOf(s);
        return asked && { target: targetOfState(s), asked };
      },
      submit: async ({ target, asked }, retry) => {
        const tryAgain = () =>
          retry({
            step: clientId,
            prepare: (s) => {
              // The secrets are not kept; the client ID and everything before it are.
              s.clientSecret = undefined;
              s.code = undefined;
              s.problem = {
                field: 'clientId',
                message: 'Zoho refused those credentials: check the client ID, then paste the secrets again.',
              };
            },
          });
        const credentials = await toCredentials(services, target, asked, tryAgain);
        if (!credentials) {
          return undefined;
        }
        const account = await verifyAndStore(accounts, services.logger, target, credentials, { tryAgain });
        return account?.id;
      },
    },
    state,
  );
}

/** The handler of 'creatorBulkJobs.signInWithRefreshToken' (registered, and loaded on first use, by registerCommands.ts). */
export function signInWithRefreshTokenCommand(services: Services, accounts: AccountStore) {
  return async (arg?: RefreshTokenCommandArg) => {
    if (!(arg && 'clientId' in arg)) {
      return guidedSignIn(services, accounts, { known: knownTarget(accounts, arg) });
    }
    const target = checkedTargetFromArgs(
      arg,
      () =>
        validateSecret('client ID')(arg.clientId ?? '') ??
        validateSecret('client secret')(arg.clientSecret ?? '') ??
        (arg.refreshToken
          ? validateSecret('refresh token')(arg.refreshToken)
          : validateSecret('refresh token or grant code')(arg.grantCode ?? '')),
    );
    if (!target) {
      return undefined;
    }
    const asked: AskedSecrets = {
      clientId: arg.clientId.trim(),
      clientSecret: arg.clientSecret.trim(),
      refreshToken: arg.refreshToken?.trim(),
      grantCode: arg.grantCode?.trim(),
    };
    const credentials = await toCredentials(services, target, asked);
    if (!credentials) {
      return undefined;
    }
    const account = await verifyAndStore(accounts, services.logger, target, credentials);
    return account?.id;
  };
}

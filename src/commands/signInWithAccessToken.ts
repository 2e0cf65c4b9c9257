// Command: sign in with a Zoho access token (no refresh: the user signs in again after an hour).
// One guided flow: data centre (or custom host and URL style), owner, token. A refused token offers
// Try Again, which reopens the token step with the rest kept.
import type { AccountStore } from '../accounts/accountStore';
import type { Services } from '../services';
import { runGuided, textStep } from './guided';
import {
  checkedTargetFromArgs,
  knownTarget,
  targetOfState,
  signInFlow,
  validateSecret,
  verifyAndStore,
  type SignInState,
  type TargetArgs,
} from './signInSteps';

export interface AccessTokenSignInArgs extends TargetArgs {
  token: string;
}

/** `{ accountId }` signs in again to a known account: only the token is asked. */
export type AccessTokenCommandArg = AccessTokenSignInArgs | { accountId: string } | undefined;

const TITLE = 'Sign In with Access Token';

interface TokenState extends SignInState {
  token?: string;
}

/** The guided sign-in: the target, then the token; a refused token reopens the token step. */
function guidedSignIn(
  services: Services,
  accounts: AccountStore,
  state: TokenState,
): Promise<string | undefined> {
  const token = textStep<TokenState, 'token'>({
    key: 'token',
    prompt: (s) =>
      `Access token for ${s.known?.owner ?? s.owner ?? ''} (Zoho API console > Self Client, scopes ZohoCreator.bulk.CREATE, ZohoCreator.bulk.READ, ZohoCreator.dashboard.READ, ZohoCreator.meta.application.READ)`,
    placeholder: '1000.xxxxxxxx.xxxxxxxx',
    secret: true,
    validate: validateSecret('access token'),
  });
  return runGuided(
    {
      ...signInFlow(TITLE, state, token, 1),
      plan: (s) => (s.token ? { target: targetOfState(s), accessToken: s.token } : undefined),
      submit: async (plan, tryAgain) => {
        const account = await verifyAndStore(
          accounts,
          services.logger,
          plan.target,
          { kind: 'accessToken', accessToken: plan.accessToken },
          {
            tryAgain: () =>
              tryAgain({
                step: token,
                prepare: (s) => {
                  // The refused token is not kept; everything else is.
                  s.token = undefined;
                  s.problem = { field: 'token', message: 'Zoho refused that token: paste a new one.' };
                },
              }),
          },
        );
        return account?.id;
      },
    },
    state,
  );
}

/** The handler of 'creatorBulkJobs.signInWithAccessToken' (registered, and loaded on first use, by registerCommands.ts). */
export function signInWithAccessTokenCommand(services: Services, accounts: AccountStore) {
  return async (arg?: AccessTokenCommandArg) => {
    if (arg && 'token' in arg) {
      const target = checkedTargetFromArgs(arg, () => validateSecret('access token')(arg.token ?? ''));
      if (!target) {
        return undefined;
      }
      const account = await verifyAndStore(accounts, services.logger, target, {
        kind: 'accessToken',
        accessToken: arg.token.trim(),
      });
      return account?.id;
    }
    return guidedSignIn(services, accounts, { known: knownTarget(accounts, arg) });
  };
}

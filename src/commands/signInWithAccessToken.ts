// Command: sign in with a Zoho access token (no refresh: the user signs in again after an hour).
// One guided flow: data centre (or custom host and URL style), owner, token. A refused token offers
// Try Again, which reopens the token step with the rest kept.
import * as vscode from 'vscode';
import type { AccountStore } from '../accounts/accountStore';
import type { Services } from '../services';
import { InputFlow, pathTo, takeProblem, type Step } from './inputFlow';
import {
  checkedTargetFromArgs,
  knownTarget,
  targetOfState,
  signInStepCount,
  targetSteps,
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

function tokenSteps() {
  const token: Step<TokenState> = async (flow) => {
    const owner = flow.state.known?.owner ?? flow.state.owner ?? '';
    flow.state.token = await flow.input({
      prompt: `Access token for ${owner} (Zoho API console > Self Client, scopes ZohoCreator.bulk.CREATE, ZohoCreator.bulk.READ, ZohoCreator.dashboard.READ, ZohoCreator.meta.application.READ)`,
      placeholder: '1000.xxxxxxxx.xxxxxxxx',
      password: true,
      validate: validateSecret('access token'),
      problem: takeProblem(flow.state, 'token'),
    });
    return undefined;
  };
  return { ...targetSteps<TokenState>(token), token };
}

async function guidedSignIn(
  services: Services,
  accounts: AccountStore,
  steps: ReturnType<typeof tokenSteps>,
  state: TokenState,
  resume?: Step<TokenState>[],
): Promise<string | undefined> {
  const result = await InputFlow.run(
    { title: TITLE, totalSteps: (s) => signInStepCount(s, 1) },
    state,
    state.known ? steps.token : steps.dataCentre,
    resume,
  );
  if (!result?.state.token) {
    return undefined;
  }
  const account = await verifyAndStore(
    accounts,
    services.logger,
    targetOfState(result.state),
    { kind: 'accessToken', accessToken: result.state.token },
    {
      tryAgain: () => {
        // The refused token is not kept; everything else is.
        result.state.token = undefined;
        result.state.problem = { field: 'token', message: 'Zoho refused that token: paste a new one.' };
        return guidedSignIn(services, accounts, steps, result.state, pathTo(result.path, steps.token));
      },
    },
  );
  return account?.id;
}

export function registerSignInWithAccessToken(
  context: vscode.ExtensionContext,
  services: Services,
  accounts: AccountStore,
): void {
  context.subscriptions.push(
    vscode.commands.registerCommand(
      'creatorBulkJobs.signInWithAccessToken',
      async (arg?: AccessTokenCommandArg) => {
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
        return guidedSignIn(services, accounts, tokenSteps(), { known: knownTarget(accounts, arg) });
      },
    ),
  );
}

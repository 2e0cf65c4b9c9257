// Steps shared by both sign-in commands: where the account lives (data centre or custom host,
// URL family, owner), then verifying the credentials with one cheap request before storing them.
import * as vscode from 'vscode';
import { defaultLabel, type AccountStore } from '../accounts/accountStore';
import type { Credentials } from '../accounts/credentials';
import type { Logger } from '../core/ports';
import { DATA_CENTRE_IDS, DATA_CENTRES, resolveEndpoints } from '../zoho/dataCentres';
import { isZohoError } from '../zoho/errors';
import { isValidLinkName } from '../zoho/paths';
import type { Account, AccountTarget, DataCentreId, UrlFamily } from '../zoho/types';
import { errorMessage } from '../core/format';
import { textStep, type GuidedFlow } from './guided';
import { quickInputUi } from './quickInputUi';
import type { Step, StepProblem } from './stepFlow';

/** Where to sign in, as passed by automation and tests (skips the prompts). */
export interface TargetArgs {
  dataCentre?: DataCentreId | 'custom';
  customHost?: string;
  family?: UrlFamily;
  owner: string;
}

export function validateOwner(value: string): string | undefined {
  const owner = value.trim();
  if (!owner) {
    return 'Enter the account owner name (the workspace name in your app URLs).';
  }
  return isValidLinkName(owner)
    ? undefined
    : 'Use letters, digits, "_", "." and "-" only, as in your app URLs.';
}

export function validateCustomHost(value: string): string | undefined {
  if (!value.trim()) {
    return 'Enter the base URL of the Creator server, e.g. https://creator.example.com';
  }
  try {
    resolveEndpoints({ dataCentre: 'custom', customHost: value.trim(), family: 'B', owner: 'x' });
    return undefined;
  } catch (error) {
    return errorMessage(error);
  }
}

export function validateSecret(what: string): (value: string) => string | undefined {
  return (value) => {
    const text = value.trim();
    if (!text) {
      return `Paste the ${what}.`;
    }
    return /\s/.test(text) ? `The ${what} contains spaces; paste it exactly as Zoho shows it.` : undefined;
  };
}

/** The target of automation arguments, or the reason they are unusable. */
function targetFromArgs(args: TargetArgs): AccountTarget | string {
  const dataCentre = args.dataCentre ?? (args.customHost ? 'custom' : 'US');
  if (dataCentre !== 'custom' && !DATA_CENTRE_IDS.includes(dataCentre)) {
    return `Unknown data centre "${String(dataCentre)}". Use one of ${DATA_CENTRE_IDS.join(', ')} or "custom".`;
  }
  const ownerProblem = validateOwner(args.owner ?? '');
  if (ownerProblem) {
    return ownerProblem;
  }
  const target: AccountTarget = {
    dataCentre,
    family: args.family === 'A' ? 'A' : 'B',
    owner: args.owner.trim(),
  };
  if (dataCentre === 'custom') {
    const hostProblem = validateCustomHost(args.customHost ?? '');
    if (hostProblem) {
      return hostProblem;
    }
    target.customHost = args.customHost?.trim();
  }
  return target;
}

/**
 * The target of automation arguments once the credentials in them pass `credentialsProblem` too;
 * undefined after showing the first problem.
 */
export function checkedTargetFromArgs(
  args: TargetArgs,
  credentialsProblem: () => string | undefined,
): AccountTarget | undefined {
  const target = targetFromArgs(args);
  const problem = typeof target === 'string' ? target : credentialsProblem();
  if (typeof target === 'string' || problem) {
    void vscode.window.showErrorMessage(`Cannot sign in: ${problem}`);
    return undefined;
  }
  return target;
}

/** What a sign-in flow has been told so far (secrets are dropped before a Try Again). */
export interface SignInState {
  dataCentre?: DataCentreId | 'custom';
  customHost?: string;
  family?: UrlFamily;
  owner?: string;
  /** Signing in again to a known account: only the credentials are asked. */
  known?: AccountTarget;
  problem?: StepProblem;
}

/**
 * How many steps the target takes: data centre and owner, plus host and URL style for a custom
 * host; undefined until the data centre is chosen (the total is not known yet).
 */
export function targetStepCount(state: SignInState): number | undefined {
  if (state.known) {
    return 0;
  }
  if (state.dataCentre === undefined) {
    return undefined;
  }
  return state.dataCentre === 'custom' ? 4 : 2;
}

/** The flow's total: the target's steps plus `after`, or undefined while the target's is unknown. */
export function signInStepCount(state: SignInState, after: number): number | undefined {
  const target = targetStepCount(state);
  return target === undefined ? undefined : target + after;
}

/**
 * What both sign-in flows share: the title, the target's steps (none for a known account) before
 * `credentials`, the first of the `count` steps that ask the credentials, and the step count.
 */
export function signInFlow<S extends SignInState>(
  title: string,
  state: S,
  credentials: Step<S>,
  count: number,
): Pick<GuidedFlow<S, unknown, unknown>, 'title' | 'totalSteps' | 'first' | 'ui'> {
  return {
    title,
    totalSteps: (s) => signInStepCount(s, count),
    first: state.known ? credentials : targetSteps(credentials).dataCentre,
    ui: quickInputUi,
  };
}

/** The target the answers describe; only call once the target steps have run. */
export function targetOfState(state: SignInState): AccountTarget {
  if (state.known) {
    return state.known;
  }
  const target: AccountTarget = {
    dataCentre: state.dataCentre ?? 'US',
    family: state.dataCentre === 'custom' ? (state.family ?? 'B') : 'B',
    owner: state.owner ?? '',
  };
  if (state.dataCentre === 'custom') {
    target.customHost = state.customHost;
  }
  return target;
}

/** The target of a signed-in account, when the command names one (sign in again: nothing asked). */
export function knownTarget(accounts: AccountStore, arg: unknown): AccountTarget | undefined {
  const accountId =
    arg && typeof arg === 'object' && typeof (arg as { accountId?: unknown }).accountId === 'string'
      ? (arg as { accountId: string }).accountId
      : undefined;
  const known = accountId !== undefined ? accounts.get(accountId) : undefined;
  return known && targetOf(known);
}

/**
 * Data centre (or custom host and URL style), then owner, then `next` (the credentials). Build them
 * once per command run so a Try Again can reopen one of them.
 */
export function targetSteps<S extends SignInState>(next: Step<S>): { dataCentre: Step<S>; owner: Step<S> } {
  const owner = textStep({
    key: 'owner',
    prompt: 'Account owner name: the workspace part of your app URLs (…/owner/app-name/…)',
    placeholder: 'e.g. jane_doe',
    validate: validateOwner,
    next,
  });
  const family: Step<S> = async (flow) => {
    const base = (flow.state.customHost ?? '').replace(/\/+$/, '');
    type FamilyItem = vscode.QuickPickItem & { family: UrlFamily };
    const picked = await flow.pick<FamilyItem>({
      placeholder: 'Which address does the bulk API of this server answer at?',
      items: [
        {
          label: `Recommended: ${base}/creator/v2.1/bulk/…`,
          detail: 'The address style of www.zohoapis.com (the local simulator answers it too)',
          family: 'B',
        },
        {
          label: `${base}/api/bulk/v2.1/…`,
          detail: 'The address style of creator.zoho.com, for older Creator servers',
          family: 'A',
        },
      ],
      active: (item) => item.family === (flow.state.family ?? 'B'),
    });
    flow.state.family = picked.family;
    return owner;
  };
  const host = textStep({
    key: 'customHost',
    prompt: 'Base URL of the Creator server (Creator On-premise, or the local simulator)',
    placeholder: 'https://creator.example.com or http://127.0.0.1:8780',
    validate: validateCustomHost,
    next: family,
  });
  const dataCentre: Step<S> = async (flow) => {
    type DcItem = vscode.QuickPickItem & { id: DataCentreId | 'custom' };
    const items: DcItem[] = DATA_CENTRE_IDS.map((id) => ({
      id,
      label: id,
      description: `${DATA_CENTRES[id].apiHost} · sign-in at ${DATA_CENTRES[id].accountsHost}`,
    }));
    items.push({
      id: 'custom',
      label: 'Custom host',
      description: 'Creator On-premise or the local simulator',
    });
    const picked = await flow.pick<DcItem>({
      placeholder: 'Data centre of your Zoho account (the domain you sign in at, e.g. zoho.eu -> EU)',
      items,
      matchOnDescription: true,
      active: (item) => item.id === flow.state.dataCentre,
    });
    flow.state.dataCentre = picked.id;
    return picked.id === 'custom' ? host : owner;
  };
  return { dataCentre, owner };
}

/** A refused sign-in: the message, and Try Again when the flow can reopen (not awaited). */
export function showRefusal(text: string, tryAgain?: () => unknown): void {
  const shown = tryAgain
    ? vscode.window.showErrorMessage(text, 'Try Again')
    : vscode.window.showErrorMessage(text);
  void shown.then((choice) => {
    if (choice === 'Try Again') {
      void tryAgain?.();
    }
  });
}

/** The target of an account already signed in (to sign in to it again). */
function targetOf(account: Account): AccountTarget {
  const { dataCentre, customHost, customAccountsHost, family, owner } = account;
  return { dataCentre, customHost, customAccountsHost, family, owner };
}

/**
 * Checks the credentials with one cheap request, then stores them. A token that only lacks a
 * scope is kept (with a warning naming it); a rejected one is refused and nothing is kept.
 */
export async function verifyAndStore(
  accounts: AccountStore,
  logger: Logger,
  target: AccountTarget,
  credentials: Credentials,
  options: {
    /** A better explanation of a failure than the error's own message, when the caller has one. */
    explain?: (error: unknown) => string | undefined;
    /** Offered as Try Again when the credentials are refused (reopens the flow, secret aside). */
    tryAgain?: (error: unknown) => unknown;
  } = {},
): Promise<Account | undefined> {
  const client = accounts.createClient(target, credentials);
  const label = defaultLabel(target);
  let warning: string | undefined;
  try {
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Checking the credentials for ${label}…` },
      () => client.listApplications(),
    );
  } catch (error) {
    if (isZohoError(error, 'missingScope')) {
      // The token itself was accepted; only this request lacked a scope.
      warning = `Signed in to ${label}, but the token lacks the scope ${error.scope ?? 'needed to list applications'}: the app picker will not work. A token with ZohoCreator.bulk.CREATE, ZohoCreator.bulk.READ, ZohoCreator.dashboard.READ and ZohoCreator.meta.application.READ enables every feature.`;
    } else if (isZohoError(error, 'forbidden')) {
      warning = `Signed in to ${label}, but Zoho refused to list its applications: ${error.message}`;
    } else {
      const message = errorMessage(error);
      logger.warn(`Sign-in to ${label} refused: ${message}`);
      const tryAgain = options.tryAgain;
      // An expired or invalid token: say so once, without the client's "sign in again" advice
      // (Try Again is the next step).
      const why = isZohoError(error, 'authExpired')
        ? 'Zoho refused the token as invalid or expired.'
        : message;
      showRefusal(
        options.explain?.(error) ?? `Sign-in to ${label} failed: ${why}`,
        tryAgain && (() => tryAgain(error)),
      );
      return undefined;
    }
  }
  const account = await accounts.addAccount(target, credentials, label, client);
  logger.info(`Signed in to ${label}.`);
  if (warning) {
    logger.warn(warning);
    void vscode.window.showWarningMessage(warning);
  } else {
    void vscode.window.showInformationMessage(`Signed in to ${label}.`);
  }
  return account;
}

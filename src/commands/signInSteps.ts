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

/** Where to sign in, as passed by automation and tests (skips the prompts). */
export interface TargetArgs {
  dataCentre?: DataCentreId | 'custom';
  customHost?: string;
  family?: UrlFamily;
  owner: string;
}

export const TITLE = 'Sign In to Zoho Creator';

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

/** `{ accountId }` of a signed-in account: sign in to it again (nothing asked); else ask. */
export async function knownOrAskedTarget(
  accounts: AccountStore,
  arg: { accountId: string } | undefined,
): Promise<AccountTarget | undefined> {
  const known = arg && 'accountId' in arg ? accounts.get(arg.accountId) : undefined;
  return known ? targetOf(known) : askTarget();
}

/** Asks data centre (or custom host and URL family) and owner. Undefined when cancelled. */
async function askTarget(): Promise<AccountTarget | undefined> {
  type DcItem = vscode.QuickPickItem & { id: DataCentreId | 'custom' };
  const items: DcItem[] = DATA_CENTRE_IDS.map((id) => ({
    id,
    label: id,
    description: DATA_CENTRES[id].apiHost,
  }));
  items.push({ id: 'custom', label: 'Custom host', description: 'Creator On-premise or local simulator' });
  const dc = await vscode.window.showQuickPick(items, {
    title: TITLE,
    placeHolder: 'Data centre of your Zoho account (the domain you sign in at, e.g. zoho.eu -> EU)',
    ignoreFocusOut: true,
  });
  if (!dc) {
    return undefined;
  }
  const target: AccountTarget = { dataCentre: dc.id, family: 'B', owner: '' };
  if (dc.id === 'custom') {
    const host = await vscode.window.showInputBox({
      title: TITLE,
      prompt: 'Base URL of the Creator server',
      placeHolder: 'https://creator.example.com or http://127.0.0.1:8780',
      ignoreFocusOut: true,
      validateInput: validateCustomHost,
    });
    if (host === undefined) {
      return undefined;
    }
    target.customHost = host.trim();
    const family = await vscode.window.showQuickPick(
      [
        {
          label: 'B',
          family: 'B' as const,
          description: '/creator/v2.1/bulk/… (www.zohoapis style, default)',
        },
        { label: 'A', family: 'A' as const, description: '/api/bulk/v2.1/… (creator.zoho style)' },
      ],
      { title: TITLE, placeHolder: 'URL style of the bulk API on this server', ignoreFocusOut: true },
    );
    if (!family) {
      return undefined;
    }
    target.family = family.family;
  }
  const owner = await vscode.window.showInputBox({
    title: TITLE,
    prompt: 'Account owner name: the workspace part of your app URLs (…/owner/app-name/…)',
    placeHolder: 'e.g. jane_doe',
    ignoreFocusOut: true,
    validateInput: validateOwner,
  });
  if (owner === undefined) {
    return undefined;
  }
  target.owner = owner.trim();
  return target;
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
  /** A better explanation of a failure than the error's own message, when the caller has one. */
  explain?: (error: unknown) => string | undefined,
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
      void vscode.window.showErrorMessage(explain?.(error) ?? `Sign-in to ${label} failed: ${message}`);
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

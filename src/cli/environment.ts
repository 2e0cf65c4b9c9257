// Credentials from the environment, for CI and cron: never printed, never written to disk (they
// live in this process's memory only, in an in-memory SecretStore), and every value is masked in
// every line the tool prints (./output.ts with src/zoho/redact.ts).
//
// One set of variables serves every definition. A definition whose `account` names another account
// may have a set of its own, the same names with a suffix made of its selector: the label
// "Zylker (EU)" reads ZOHO_REFRESH_TOKEN_ZYLKER_EU (and so on) before ZOHO_REFRESH_TOKEN.
import type { AccountSelector } from '../exports/definitions';
import type { Credentials } from '../accounts/credentials';
import { DATA_CENTRES, DATA_CENTRE_IDS } from '../zoho/dataCentres';
import type { AccountTarget, DataCentreId } from '../zoho/types';
import { CliError, EXIT } from './exitCodes';

export type Env = Readonly<Record<string, string | undefined>>;

/** Variables whose values are secret: masked wherever they could appear. */
const SECRET_NAMES = ['ZOHO_ACCESS_TOKEN', 'ZOHO_REFRESH_TOKEN', 'ZOHO_CLIENT_SECRET', 'ZOHO_CLIENT_ID'];

/** The simulator's demo account (test/simulator/README.md): its token is no secret. */
export const SIMULATOR_OWNER = 'demo';
export const SIMULATOR_TOKEN = 'demo-token';

export interface EnvAccount {
  target: AccountTarget;
  credentials: Credentials;
  label: string;
}

/** Every secret value in the environment (suffixed sets included), to mask them. */
export function secretValues(env: Env): string[] {
  return Object.entries(env)
    .filter(
      ([name, value]) =>
        value && SECRET_NAMES.some((secret) => name === secret || name.startsWith(`${secret}_`)),
    )
    .map(([, value]) => value as string);
}

/** The suffix of a selector's own variables: "Zylker (EU)" -> ZYLKER_EU, { owner: "zylker" } -> ZYLKER. */
export function selectorSuffix(selector: AccountSelector): string {
  const text = typeof selector === 'string' ? selector : selector.owner;
  return text
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

function describe(selector: AccountSelector | undefined): string {
  if (selector === undefined) {
    return 'the account';
  }
  return typeof selector === 'string' ? `the account "${selector}"` : `the account of ${selector.owner}`;
}

/**
 * The account a definition runs as, from the environment. `owner` is the definition's app owner,
 * used when neither the selector nor ZOHO_OWNER names the account's owner.
 */
export function accountFromEnv(env: Env, selector: AccountSelector | undefined, owner?: string): EnvAccount {
  const suffix = selector === undefined ? '' : selectorSuffix(selector);
  const read = (name: string): string | undefined => {
    const value = (suffix && env[`${name}_${suffix}`]?.trim()) || env[name]?.trim();
    return value || undefined;
  };
  const names = (name: string): string => (suffix ? `${name}_${suffix} or ${name}` : name);
  const missing = (what: string): CliError =>
    new CliError(
      EXIT.signIn,
      `${what} is not set, so ${describe(selector)} cannot sign in. Set it in the environment (in GitHub Actions, as a repository secret passed in "env:"); see "creator-bulk-jobs --help".`,
    );

  let credentials: Credentials;
  const accessToken = read('ZOHO_ACCESS_TOKEN');
  const refreshToken = read('ZOHO_REFRESH_TOKEN');
  if (refreshToken) {
    const clientId = read('ZOHO_CLIENT_ID');
    const clientSecret = read('ZOHO_CLIENT_SECRET');
    if (!clientId) {
      throw missing(names('ZOHO_CLIENT_ID'));
    }
    if (!clientSecret) {
      throw missing(names('ZOHO_CLIENT_SECRET'));
    }
    credentials = { kind: 'refreshToken', clientId, clientSecret, refreshToken };
  } else if (accessToken) {
    credentials = { kind: 'accessToken', accessToken };
  } else {
    throw missing(
      `${names('ZOHO_REFRESH_TOKEN')} (with ZOHO_CLIENT_ID and ZOHO_CLIENT_SECRET), or ${names('ZOHO_ACCESS_TOKEN')},`,
    );
  }

  const accountOwner =
    (typeof selector === 'object' ? selector.owner : undefined) ?? read('ZOHO_OWNER') ?? owner;
  if (!accountOwner) {
    throw missing(names('ZOHO_OWNER'));
  }
  const target = targetFromEnv(read, names, typeof selector === 'object' ? selector.dataCentre : undefined);
  target.owner = accountOwner;
  const label =
    typeof selector === 'string'
      ? selector
      : `${accountOwner} (${target.dataCentre === 'custom' ? 'custom' : target.dataCentre})`;
  return { target, credentials, label };
}

function targetFromEnv(
  read: (name: string) => string | undefined,
  names: (name: string) => string,
  selectorCentre: string | undefined,
): AccountTarget {
  const apiUrl = read('ZOHO_API_URL');
  const accountsUrl = read('ZOHO_ACCOUNTS_URL');
  if (apiUrl) {
    // Creator On-premise, or any host of one's own: https (http only on loopback, see dataCentres.ts).
    return {
      dataCentre: 'custom',
      customHost: apiUrl,
      customAccountsHost: accountsUrl,
      family: 'B',
      owner: '',
    };
  }
  const centre = (selectorCentre ?? read('ZOHO_DATA_CENTRE'))?.toUpperCase();
  if (centre) {
    if (!(DATA_CENTRE_IDS as string[]).includes(centre)) {
      throw new CliError(
        EXIT.usage,
        `${names('ZOHO_DATA_CENTRE')} is "${centre}", which is not a Zoho data centre. Use one of ${DATA_CENTRE_IDS.join(', ')}.`,
      );
    }
    return { dataCentre: centre as DataCentreId, family: 'B', owner: '' };
  }
  if (accountsUrl) {
    let host: string;
    try {
      host = new URL(accountsUrl).host;
    } catch {
      throw new CliError(EXIT.usage, `${names('ZOHO_ACCOUNTS_URL')} is not a URL.`);
    }
    const found = DATA_CENTRE_IDS.find((id) => DATA_CENTRES[id].accountsHost === host);
    if (!found) {
      throw new CliError(
        EXIT.usage,
        `${names('ZOHO_ACCOUNTS_URL')} (${host}) is not the accounts server of a Zoho data centre; for a server of your own set ZOHO_API_URL too.`,
      );
    }
    return { dataCentre: found, family: 'B', owner: '' };
  }
  throw new CliError(
    EXIT.signIn,
    `${names('ZOHO_DATA_CENTRE')} (one of ${DATA_CENTRE_IDS.join(', ')}) or ${names('ZOHO_ACCOUNTS_URL')} is not set, so the tool does not know where your Zoho account is.`,
  );
}

/** The simulator's demo account at `url` (the extension's "Try the Local Simulator"). */
export function simulatorAccount(url: string): EnvAccount {
  return {
    target: { dataCentre: 'custom', customHost: url, family: 'B', owner: SIMULATOR_OWNER },
    credentials: { kind: 'accessToken', accessToken: SIMULATOR_TOKEN },
    label: `simulator (${url})`,
  };
}

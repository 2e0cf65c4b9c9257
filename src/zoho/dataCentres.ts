// Zoho data centres (docs/zoho-bulk-read-api.md, "Hosts, paths and data centres") and the resolution of an account's base URLs.
import { ZohoError } from './errors';
import type { AccountTarget, DataCentreId } from './types';

export interface DataCentre {
  id: DataCentreId;
  /** Host of family B (www.zohoapis.{tld}). */
  apiHost: string;
  /** Host of family A (creator.zoho.{tld}); absent where Zoho has none. */
  creatorHost?: string;
  /** OAuth accounts server. */
  accountsHost: string;
}

export const DATA_CENTRES: Readonly<Record<DataCentreId, DataCentre>> = {
  US: {
    id: 'US',
    apiHost: 'www.zohoapis.com',
    creatorHost: 'creator.zoho.com',
    accountsHost: 'accounts.zoho.com',
  },
  EU: {
    id: 'EU',
    apiHost: 'www.zohoapis.eu',
    creatorHost: 'creator.zoho.eu',
    accountsHost: 'accounts.zoho.eu',
  },
  IN: {
    id: 'IN',
    apiHost: 'www.zohoapis.in',
    creatorHost: 'creator.zoho.in',
    accountsHost: 'accounts.zoho.in',
  },
  AU: {
    id: 'AU',
    apiHost: 'www.zohoapis.com.au',
    creatorHost: 'creator.zoho.com.au',
    accountsHost: 'accounts.zoho.com.au',
  },
  JP: {
    id: 'JP',
    apiHost: 'www.zohoapis.jp',
    creatorHost: 'creator.zoho.jp',
    accountsHost: 'accounts.zoho.jp',
  },
  CN: {
    id: 'CN',
    apiHost: 'www.zohoapis.com.cn',
    creatorHost: 'creator.zoho.com.cn',
    accountsHost: 'accounts.zoho.com.cn',
  },
  CA: { id: 'CA', apiHost: 'www.zohoapis.ca', accountsHost: 'accounts.zohocloud.ca' },
  SA: { id: 'SA', apiHost: 'www.zohoapis.sa', accountsHost: 'accounts.zoho.sa' },
  UK: { id: 'UK', apiHost: 'www.zohoapis.uk', accountsHost: 'accounts.zoho.uk' },
};

export const DATA_CENTRE_IDS = Object.keys(DATA_CENTRES) as DataCentreId[];

export interface Endpoints {
  /** Origin (scheme://host[:port]) plus any path prefix, no trailing slash. */
  apiBase: string;
  accountsBase: string;
}

export function resolveEndpoints(target: AccountTarget): Endpoints {
  if (target.dataCentre === 'custom') {
    if (!target.customHost) {
      throw badTarget(
        'A custom host is required. Enter the base URL of your Creator server, e.g. https://creator.example.com',
      );
    }
    const apiBase = normaliseCustomBase(target.customHost, 'custom host');
    const accountsBase = target.customAccountsHost
      ? normaliseCustomBase(target.customAccountsHost, 'custom accounts host')
      : apiBase;
    return { apiBase, accountsBase };
  }
  const dc = DATA_CENTRES[target.dataCentre];
  if (!dc) {
    throw badTarget(
      `Unknown data centre "${String(target.dataCentre)}". Choose one of ${DATA_CENTRE_IDS.join(', ')}.`,
    );
  }
  let host = dc.apiHost;
  if (target.family === 'A') {
    if (!dc.creatorHost) {
      throw badTarget(
        `The ${dc.id} data centre has no creator.zoho host for URL family A. Use family B (www.zohoapis) instead.`,
      );
    }
    host = dc.creatorHost;
  }
  return { apiBase: `https://${host}`, accountsBase: `https://${dc.accountsHost}` };
}

/** True for hosts that never leave this machine. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  if (host === 'localhost' || host === '[::1]' || host === '::1') {
    return true;
  }
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

function normaliseCustomBase(raw: string, what: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw badTarget(`The ${what} "${raw}" is not a URL. Enter it as https://host[:port].`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw badTarget(`The ${what} must start with https:// (got ${url.protocol}).`);
  }
  // The access token travels in a header on every request: over plain http anyone on the
  // network path could read it. Loopback traffic never leaves the machine (the simulator).
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    throw badTarget(
      `The ${what} must use https:// (plain http is only allowed for 127.0.0.1 and localhost).`,
    );
  }
  if (url.username || url.password || url.search || url.hash) {
    throw badTarget(`The ${what} must not contain credentials, a query or a fragment.`);
  }
  const path = url.pathname.replace(/\/+$/, '');
  return `${url.protocol}//${url.host}${path}`;
}

function badTarget(message: string): ZohoError {
  return new ZohoError({ kind: 'badRequest', message });
}

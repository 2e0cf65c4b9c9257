// Access-token providers (contract section 3): a static token, and a refresh-token provider that
// caches the access token and runs one refresh at a time for every caller of the account.
import type { Http } from './http';
import { silentLogger, systemClock, type Clock, type Logger } from '../core/ports';
import type { TokenProvider } from './api';
import { ZohoError } from './errors';
import { classifyTransportError, deadlineExceeded, readEnvelope } from './errorMapping';
import { createHttp, DEFAULT_TIMEOUT_MS, logRequest } from './http';
import { redact, redactKnown, serverText as cleanServerText } from './redact';

/** Refresh this long before Zoho's expiry so a request never leaves with a dying token. */
export const REFRESH_MARGIN_MS = 5 * 60_000;

export class StaticTokenProvider implements TokenProvider {
  readonly canRefresh = false;
  constructor(private readonly token: string) {}
  async getAccessToken(): Promise<string> {
    return this.token;
  }
  invalidate(): void {
    // Nothing to refresh: a rejected static token means "sign in again".
  }
  secrets(): string[] {
    return [this.token];
  }
}

export interface RefreshTokenProviderOptions {
  accountsBase: string;
  clientId: string;
  clientSecret: string;
  refreshToken: string;
  clock?: Clock;
  logger?: Logger;
  timeoutMs?: number;
}

interface TokenAnswer {
  accessToken: string;
  expiresInSeconds: number;
  refreshToken?: string;
}

interface TokenRequest {
  accountsBase: string;
  form: Record<string, string>;
  /** Secrets of this request, masked in anything that is logged or thrown. */
  secrets: string[];
  grant: 'refresh' | 'code';
  http: Http;
  logger: Logger;
  clock: Clock;
}

function authFailed(message: string, httpStatus?: number, serverMessage?: string): ZohoError {
  return new ZohoError({ kind: 'authFailed', message: redact(message), httpStatus, serverMessage });
}

async function requestToken(req: TokenRequest): Promise<TokenAnswer> {
  const url = `${req.accountsBase}/oauth/v2/token`;
  const startedAt = req.clock.now();
  let status: number;
  let data: unknown;
  const deadlineMs = req.http.defaults.timeout || DEFAULT_TIMEOUT_MS;
  const deadline = AbortSignal.timeout(deadlineMs);
  try {
    // Secrets go in the form body, never the query string: URLs end up in proxy and server logs.
    const response = await req.http.post(url, new URLSearchParams(req.form).toString(), {
      // A total deadline: axios' timeout only notices a silent socket, not a dribbling one.
      signal: deadline,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
    });
    status = response.status;
    data = response.data;
  } catch (error) {
    const code = (error as { code?: string }).code ?? 'error';
    logRequest(req.logger, 'POST', url, code, startedAt, req.clock.now());
    const host = new URL(url).host;
    const classified = deadline.aborted
      ? deadlineExceeded(host, deadlineMs)
      : classifyTransportError(error, host);
    throw new ZohoError({ kind: classified.kind, message: redactKnown(classified.message, req.secrets) });
  }
  logRequest(req.logger, 'POST', url, status, startedAt, req.clock.now());

  const body = (data && typeof data === 'object' ? data : {}) as Record<string, unknown>;
  const errorCode = typeof body.error === 'string' ? body.error : undefined;
  // A token the server issued in this very answer is a secret too, even when it is an error.
  const issued = [body.access_token, body.refresh_token].filter((v): v is string => typeof v === 'string');
  const secrets = [...req.secrets, ...issued];
  const serverText = cleanServerText(readEnvelope(data).text ?? '', secrets) || undefined;
  if (status === 200 && typeof body.access_token === 'string' && !errorCode) {
    const expires = Number(body.expires_in);
    return {
      accessToken: body.access_token,
      expiresInSeconds: Number.isFinite(expires) && expires > 0 ? expires : 3600,
      refreshToken: typeof body.refresh_token === 'string' ? body.refresh_token : undefined,
    };
  }
  if (errorCode === 'invalid_code') {
    throw authFailed(
      req.grant === 'code'
        ? 'Zoho rejected the grant code (invalid_code): it is wrong, already used or expired (codes live 3-10 minutes). Generate a new code in the Self Client and try again.'
        : 'Zoho rejected the refresh token (invalid_code): it was revoked or belongs to another client or data centre. Generate a new refresh token and sign in again.',
      status,
      serverText,
    );
  }
  if (errorCode === 'invalid_client' || errorCode === 'invalid_client_secret') {
    throw authFailed(
      `Zoho rejected the client (${errorCode}). Check the client ID and client secret in the Zoho API console, and that they belong to this data centre.`,
      status,
      serverText,
    );
  }
  if (errorCode && /access denied/i.test(errorCode)) {
    throw authFailed(
      `Zoho refused to issue an access token${serverText && serverText !== errorCode ? `: ${serverText}` : ''}. Zoho allows at most 10 tokens per refresh token every 10 minutes; wait 10 minutes and try again.`,
      status,
      serverText,
    );
  }
  if (errorCode || (status >= 400 && status < 500)) {
    throw authFailed(
      `Zoho refused the sign-in (HTTP ${status}${errorCode ? `, ${cleanServerText(errorCode, secrets, 100)}` : ''}). Check the client ID, client secret and token, then sign in again.`,
      status,
      serverText,
    );
  }
  throw new ZohoError({
    kind: 'server',
    message: `The Zoho accounts server answered HTTP ${status} without a token. Try again in a few minutes.`,
    httpStatus: status,
    serverMessage: serverText,
  });
}

export class RefreshTokenProvider implements TokenProvider {
  readonly canRefresh = true;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly http: Http;
  private cached?: { token: string; refreshAt: number };
  private inFlight?: Promise<string>;
  /** The access tokens this provider obtained, newest last (a few are kept). */
  private issued: string[] = [];

  constructor(private readonly options: RefreshTokenProviderOptions) {
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
    this.http = createHttp(options.timeoutMs);
  }

  getAccessToken(): Promise<string> {
    if (this.cached && this.clock.now() < this.cached.refreshAt) {
      return Promise.resolve(this.cached.token);
    }
    // One refresh for every concurrent caller: Zoho allows only 10 tokens per 10 minutes.
    if (!this.inFlight) {
      this.inFlight = this.refresh().finally(() => {
        this.inFlight = undefined;
      });
    }
    return this.inFlight;
  }

  invalidate(token: string): void {
    if (this.cached?.token === token) {
      this.cached = undefined;
    }
  }

  secrets(): string[] {
    // Earlier access tokens stay masked too: a slow answer may still echo the previous one.
    return [this.options.clientSecret, this.options.refreshToken, ...this.issued];
  }

  private async refresh(): Promise<string> {
    const { accountsBase, clientId, clientSecret, refreshToken } = this.options;
    const answer = await requestToken({
      accountsBase,
      form: {
        grant_type: 'refresh_token',
        client_id: clientId,
        client_secret: clientSecret,
        refresh_token: refreshToken,
      },
      secrets: [clientSecret, refreshToken],
      grant: 'refresh',
      http: this.http,
      logger: this.logger,
      clock: this.clock,
    });
    const lifetimeMs = answer.expiresInSeconds * 1000;
    // Short-lived tokens (tests, simulator) keep at least half their life in the cache.
    const margin = Math.min(REFRESH_MARGIN_MS, lifetimeMs / 2);
    this.cached = { token: answer.accessToken, refreshAt: this.clock.now() + lifetimeMs - margin };
    this.issued = [...this.issued, answer.accessToken].slice(-4);
    this.logger.info(`Access token refreshed; valid for ${answer.expiresInSeconds} s.`);
    return answer.accessToken;
  }
}

export interface GrantCodeExchange {
  accountsBase: string;
  clientId: string;
  clientSecret: string;
  code: string;
  clock?: Clock;
  logger?: Logger;
  timeoutMs?: number;
}

/** Exchanges a Self Client grant code for a refresh token (and a first access token). */
export async function exchangeGrantCode(
  options: GrantCodeExchange,
): Promise<{ refreshToken: string; accessToken: string; expiresInSeconds: number }> {
  const answer = await requestToken({
    accountsBase: options.accountsBase,
    form: {
      grant_type: 'authorization_code',
      client_id: options.clientId,
      client_secret: options.clientSecret,
      code: options.code,
    },
    secrets: [options.clientSecret, options.code],
    grant: 'code',
    http: createHttp(options.timeoutMs),
    logger: options.logger ?? silentLogger,
    clock: options.clock ?? systemClock,
  });
  if (!answer.refreshToken) {
    throw authFailed(
      'Zoho returned no refresh token for this grant code. Generate a new code with the access type "offline" and try again.',
    );
  }
  return {
    refreshToken: answer.refreshToken,
    accessToken: answer.accessToken,
    expiresInSeconds: answer.expiresInSeconds,
  };
}

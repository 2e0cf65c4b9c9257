// Access-token providers (docs/zoho-bulk-read-api.md, "Signing in and access tokens"): a static token, and a refresh-token provider that
// caches the access token and runs one refresh at a time for every caller of the account.
// A little over 400 lines: the refresh provider's token cache, its one refresh at a time and the
// token shared with other windows are one state; the static provider beside it is small.
import { createHash } from '../core/nodeCrypto';
import type { Http } from './http';
import { clockTime, errorMessage } from '../core/format';
import { silentLogger, systemClock, type Clock, type Logger } from '../core/ports';
import type { TokenProvider } from './api';
import { isZohoError, ZohoError } from './errors';
import {
  classifyTransportError,
  deadlineExceeded,
  headerValue,
  parseRetryAfter,
  readEnvelope,
} from './errorMapping';
import { createHttp, DEFAULT_TIMEOUT_MS, logRequest } from './http';
import { redact, redactKnown, serverText as cleanServerText } from './redact';

/** Refresh this long before Zoho's expiry so a request never leaves with a dying token. */
export const REFRESH_MARGIN_MS = 5 * 60_000;
/**
 * Zoho lets one refresh token mint at most 10 access tokens in 10 minutes, then answers "Access
 * Denied: too many requests" (docs/zoho-bulk-read-api.md, "Signing in and access tokens"): without a Retry-After,
 * the block is assumed to last that window.
 */
export const TOKEN_BLOCK_MS = 10 * 60_000;

/**
 * What the windows of one machine share about a refresh-token account's access token: kept in
 * SecretStorage (it holds the token), written under a cross-window lock (accounts/tokenShare.ts).
 */
export interface SharedTokenState {
  /** Which client and refresh token the token was minted for (a hash: sign-in again changes it). */
  for: string;
  accessToken?: string;
  /** When to mint a new one (epoch ms): some minutes before Zoho's expiry. */
  refreshAt?: number;
  /** Zoho refuses new tokens until then (too many requests). */
  blockedUntil?: number;
}

/** Where the windows keep their shared access token, and the lock under which one of them refreshes it. */
export interface TokenShare {
  read(): Promise<SharedTokenState | undefined>;
  write(state: SharedTokenState): Promise<void>;
  /**
   * Runs `task` while no other window or process of this machine runs one for this account.
   * `stillHeld` says whether this task still holds the lock (a paused holder may have lost it).
   */
  exclusive<T>(task: (stillHeld: () => Promise<boolean>) => Promise<T>): Promise<T>;
}

/** The error for "Zoho refuses new access tokens until `until`": a pause, not a failed sign-in. */
function tooManyTokens(until: number, now: number, httpStatus?: number, serverMessage?: string): ZohoError {
  return new ZohoError({
    kind: 'rateLimited',
    message: `Zoho refuses new access tokens for now${serverMessage ? ` ("${serverMessage}")` : ''}: too many were requested (Zoho allows 10 per refresh token in 10 minutes). Checks of this account pause until ${clockTime(until)} and resume by themselves.`,
    retryAfterMs: Math.max(1000, until - now),
    httpStatus,
    serverMessage,
  });
}

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
  /** Shares the minted token with the other windows (and processes) of the machine. */
  share?: TokenShare;
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
  let headers: unknown;
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
    headers = response.headers;
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
  const description = typeof body.error_description === 'string' ? body.error_description : '';
  if (status === 429 || /too many requests/i.test(`${errorCode ?? ''} ${description}`)) {
    // A pause that lifts by itself, not a rejected sign-in.
    const now = req.clock.now();
    const waitMs = parseRetryAfter(headerValue(headers, 'Retry-After'), now) ?? TOKEN_BLOCK_MS;
    throw tooManyTokens(now + waitMs, now, status, serverText);
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

/**
 * Mints access tokens from a refresh token, one refresh at a time for every caller. With a `share`,
 * every window of the machine uses the same token: it is read from the share first, and minted
 * only under the share's lock by the one window that finds it missing or due (issue 16, item 8).
 */
export class RefreshTokenProvider implements TokenProvider {
  readonly canRefresh = true;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly http: Http;
  private cached?: { token: string; refreshAt: number };
  private inFlight?: Promise<string>;
  /** The access tokens this provider obtained, newest last (a few are kept). */
  private issued: string[] = [];
  /** A token Zoho rejected (1030): never taken from the share again. */
  private rejected?: string;
  /** Zoho refuses new tokens until then (known here even without a share). */
  private blockedUntil = 0;
  /** Names the client and refresh token in the share, without revealing them. */
  private readonly fingerprint: string;

  constructor(private readonly options: RefreshTokenProviderOptions) {
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
    this.http = createHttp(options.timeoutMs);
    this.fingerprint = createHash('sha256')
      .update(`${options.accountsBase}\n${options.clientId}\n${options.refreshToken}`)
      .digest('hex')
      .slice(0, 24);
  }

  getAccessToken(): Promise<string> {
    if (this.cached && this.clock.now() < this.cached.refreshAt) {
      return Promise.resolve(this.cached.token);
    }
    // One refresh for every concurrent caller: Zoho allows only 10 tokens per 10 minutes.
    if (!this.inFlight) {
      this.inFlight = this.obtain().finally(() => {
        this.inFlight = undefined;
      });
    }
    return this.inFlight;
  }

  invalidate(token: string): void {
    this.rejected = token;
    if (this.cached?.token === token) {
      this.cached = undefined;
    }
  }

  secrets(): string[] {
    // Earlier access tokens stay masked too: a slow answer may still echo the previous one.
    return [this.options.clientSecret, this.options.refreshToken, ...this.issued];
  }

  private async obtain(): Promise<string> {
    const { share } = this.options;
    if (!share) {
      return this.refresh();
    }
    // Most calls end here: another window (or this one before a reload) minted a token still fresh.
    const shared = await this.takeInShared(share);
    if (shared) {
      return shared;
    }
    return share.exclusive(async (stillHeld) => {
      const before = await this.readShare(share);
      return this.takeIn(before) ?? this.refreshShared(share, before, stillHeld);
    });
  }

  private readShare(share: TokenShare): Promise<SharedTokenState | undefined> {
    return share.read().catch((error: unknown) => {
      this.logger.warn(`Could not read the shared access token: ${errorMessage(error)}`);
      return undefined;
    });
  }

  /**
   * Takes in the token another window shared, if it is this refresh token's and still fresh;
   * throws while Zoho blocks minting.
   */
  private async takeInShared(share: TokenShare): Promise<string | undefined> {
    return this.takeIn(await this.readShare(share));
  }

  /** takeInShared() for a state already read. */
  private takeIn(state: SharedTokenState | undefined): string | undefined {
    if (!state || state.for !== this.fingerprint) {
      return undefined;
    }
    const now = this.clock.now();
    if (state.accessToken && state.refreshAt !== undefined && now < state.refreshAt) {
      if (state.accessToken !== this.rejected) {
        this.keep(state.accessToken, state.refreshAt);
        return state.accessToken;
      }
    }
    if (state.blockedUntil !== undefined && now < state.blockedUntil) {
      this.blockedUntil = Math.max(this.blockedUntil, state.blockedUntil);
      throw tooManyTokens(state.blockedUntil, now);
    }
    return undefined;
  }

  /**
   * Mints a token (under the share's lock) and shares it, or shares Zoho's block. Fenced: a window
   * paused past the lock's staleness (core/fileLock.ts) may wake after another window broke the lock
   * and shared its own token; it then writes nothing over it (nor a block over a valid token).
   */
  private async refreshShared(
    share: TokenShare,
    before: SharedTokenState | undefined,
    stillHeld: () => Promise<boolean>,
  ): Promise<string> {
    const save = async (state: SharedTokenState): Promise<void> => {
      try {
        const current = await share.read();
        if (!(await stillHeld()) || JSON.stringify(current) !== JSON.stringify(before)) {
          this.logger.info('Another window shared an access token meanwhile: this one is not shared.');
          return;
        }
        await share.write(state);
      } catch (error) {
        this.logger.warn(`Could not share the access token with other windows: ${errorMessage(error)}`);
      }
    };
    if (!(await stillHeld())) {
      // Paused past the lock's life: another window may have minted meanwhile. Take its token.
      const taken = this.takeIn(await this.readShare(share));
      if (taken) {
        return taken;
      }
    }
    try {
      const token = await this.refresh();
      await save({ for: this.fingerprint, accessToken: token, refreshAt: this.cached?.refreshAt });
      return token;
    } catch (error) {
      if (isZohoError(error, 'rateLimited')) {
        // A token still fresh stays usable while Zoho refuses new ones.
        const kept =
          before?.for === this.fingerprint && before.accessToken !== this.rejected
            ? { accessToken: before.accessToken, refreshAt: before.refreshAt }
            : {};
        await save({ for: this.fingerprint, ...kept, blockedUntil: this.blockedUntil });
      }
      throw error;
    }
  }

  private keep(token: string, refreshAt: number): void {
    this.cached = { token, refreshAt };
    if (!this.issued.includes(token)) {
      this.issued = [...this.issued, token].slice(-4);
    }
  }

  private async refresh(): Promise<string> {
    const now = this.clock.now();
    if (now < this.blockedUntil) {
      throw tooManyTokens(this.blockedUntil, now); // asking again would only extend the block
    }
    const { accountsBase, clientId, clientSecret, refreshToken } = this.options;
    let answer: TokenAnswer;
    try {
      answer = await requestToken({
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
    } catch (error) {
      if (isZohoError(error, 'rateLimited')) {
        this.blockedUntil = this.clock.now() + (error.retryAfterMs ?? TOKEN_BLOCK_MS);
        this.logger.warn(`Zoho refuses new access tokens until ${clockTime(this.blockedUntil)}.`);
      }
      throw error;
    }
    const lifetimeMs = answer.expiresInSeconds * 1000;
    // Short-lived tokens (tests, simulator) keep at least half their life in the cache.
    const margin = Math.min(REFRESH_MARGIN_MS, lifetimeMs / 2);
    this.keep(answer.accessToken, this.clock.now() + lifetimeMs - margin);
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

// Access tokens, scopes, refresh tokens, grant codes and the accounts server's /oauth/v2/token.
import { randomBytes } from 'node:crypto';
import { ALL_SCOPES, DEMO } from './api';
import { MINUTE, type SimClock } from './clock';
import { HttpError } from './http';

interface TokenInfo {
  scopes: Set<string>;
  /** Simulated ms; undefined = never expires (demo-token). */
  expiresAt?: number;
}

const GRANT_CODE_MS = 3 * MINUTE;
const REFRESH_WINDOW_MS = 10 * MINUTE;
const REFRESH_LIMIT = 10;

export interface TokenAnswer {
  status: number;
  body: Record<string, unknown>;
}

export class AuthStore {
  private readonly tokens = new Map<string, TokenInfo>();
  /** Refresh token -> simulated times at which it minted an access token (for the 10 per 10 min limit). */
  private readonly refreshTokens = new Map<string, number[]>();
  private readonly grantCodes = new Map<string, number>();
  refreshCount = 0;

  constructor(
    private readonly clock: SimClock,
    private readonly lifetimeSeconds: number,
  ) {
    this.tokens.set(DEMO.accessToken, { scopes: new Set(ALL_SCOPES) });
    this.refreshTokens.set(DEMO.refreshToken, []);
  }

  addAccessToken(token: string, scopes: string[] = ALL_SCOPES, lifetimeSeconds = this.lifetimeSeconds): void {
    this.tokens.set(token, { scopes: new Set(scopes), expiresAt: this.clock.now() + lifetimeSeconds * 1000 });
  }

  expireAccessToken(token: string): void {
    const info = this.tokens.get(token);
    if (info) {
      info.expiresAt = Number.NEGATIVE_INFINITY;
    }
  }

  issueGrantCode(): string {
    const code = `1000.${randomBytes(16).toString('hex')}.${randomBytes(16).toString('hex')}`;
    this.grantCodes.set(code, this.clock.now() + GRANT_CODE_MS);
    return code;
  }

  /** Throws 401/1030 or 401/2945 unless the Authorization header carries a live token with `scope`. */
  authorize(header: string | undefined, scope: string): void {
    const match = /^Zoho-oauthtoken\s+(\S+)\s*$/i.exec(header ?? '');
    const info = match ? this.tokens.get(match[1]) : undefined;
    if (!info || (info.expiresAt !== undefined && this.clock.now() >= info.expiresAt)) {
      throw new HttpError(401, 1030, 'Invalid OAuth token.', 'description');
    }
    if (!info.scopes.has(scope)) {
      throw new HttpError(401, 2945, `Invalid OAuth scope: this request needs the scope ${scope}.`);
    }
  }

  /** POST /oauth/v2/token, with Zoho's odd answers (HTTP 200 for a bad code or client). */
  token(params: URLSearchParams, apiDomain: string): TokenAnswer {
    if (params.get('client_id') !== DEMO.clientId || params.get('client_secret') !== DEMO.clientSecret) {
      return { status: 200, body: { error: 'invalid_client' } };
    }
    const grantType = params.get('grant_type');
    if (grantType === 'refresh_token') {
      const refreshToken = params.get('refresh_token') ?? '';
      const issued = this.refreshTokens.get(refreshToken);
      if (!issued) {
        return { status: 200, body: { error: 'invalid_code' } };
      }
      const now = this.clock.now();
      const recent = issued.filter((at) => now - at < REFRESH_WINDOW_MS);
      this.refreshTokens.set(refreshToken, recent);
      if (recent.length >= REFRESH_LIMIT) {
        return {
          status: 400,
          body: {
            error: 'Access Denied',
            error_description:
              'You have made too many requests continuously. Please try again after some time.',
          },
        };
      }
      recent.push(now);
      this.refreshCount += 1;
      return { status: 200, body: this.mint(apiDomain) };
    }
    if (grantType === 'authorization_code') {
      const code = params.get('code') ?? '';
      const expiresAt = this.grantCodes.get(code);
      this.grantCodes.delete(code); // single use, even when it has expired
      if (expiresAt === undefined || this.clock.now() >= expiresAt) {
        return { status: 200, body: { error: 'invalid_code' } };
      }
      const refreshToken = `1000.${randomBytes(16).toString('hex')}.${randomBytes(16).toString('hex')}`;
      this.refreshTokens.set(refreshToken, []);
      return { status: 200, body: { ...this.mint(apiDomain), refresh_token: refreshToken } };
    }
    return { status: 200, body: { error: 'unsupported_grant_type' } };
  }

  private mint(apiDomain: string): Record<string, unknown> {
    const accessToken = `1000.${randomBytes(16).toString('hex')}.${randomBytes(16).toString('hex')}`;
    this.addAccessToken(accessToken);
    return {
      access_token: accessToken,
      api_domain: apiDomain,
      token_type: 'Bearer',
      expires_in: this.lifetimeSeconds,
    };
  }
}

// What one account keeps in SecretStorage, and where. Never written anywhere else.

export const ACCOUNTS_KEY = 'creatorBulkJobs.accounts';
export const SECRET_KEY_PREFIX = 'creatorBulkJobs.credentials.';

export interface AccessTokenCredentials {
  kind: 'accessToken';
  accessToken: string;
}

export interface RefreshTokenCredentials {
  kind: 'refreshToken';
  clientId: string;
  clientSecret: string;
  refreshToken: string;
}

export type Credentials = AccessTokenCredentials | RefreshTokenCredentials;

export function secretKey(accountId: string): string {
  return `${SECRET_KEY_PREFIX}${accountId}`;
}

/** The account id of a SecretStorage key of ours, or undefined for anybody else's key. */
export function accountIdOfSecretKey(key: string): string | undefined {
  return key.startsWith(SECRET_KEY_PREFIX) ? key.slice(SECRET_KEY_PREFIX.length) : undefined;
}

/** Parses a stored secret; undefined when it is missing or not one of ours. */
export function parseCredentials(raw: string | undefined): Credentials | undefined {
  if (!raw) {
    return undefined;
  }
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return undefined;
  }
  const v = value as Record<string, unknown>;
  if (v && v.kind === 'accessToken' && typeof v.accessToken === 'string' && v.accessToken) {
    return { kind: 'accessToken', accessToken: v.accessToken };
  }
  if (
    v &&
    v.kind === 'refreshToken' &&
    typeof v.clientId === 'string' &&
    typeof v.clientSecret === 'string' &&
    typeof v.refreshToken === 'string' &&
    v.refreshToken
  ) {
    return {
      kind: 'refreshToken',
      clientId: v.clientId,
      clientSecret: v.clientSecret,
      refreshToken: v.refreshToken,
    };
  }
  return undefined;
}

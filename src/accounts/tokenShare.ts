// The access token of a refresh-token account, shared by every window of the machine (and by a
// second process over the same storage): Zoho lets one refresh token mint at most 10 access tokens
// in 10 minutes and then blocks it, so windows and reloads must not mint one each (issue 16, item 8).
// The token lives in the SecretStore (VS Code's SecretStorage is shared by the windows of a profile)
// and nowhere else; only a lock file, which holds a random id, lives in the storage folder.
import { createHash } from '../core/nodeCrypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { acquireLock, STALE_LOCK_MS } from '../core/fileLock';
import type { SecretStore } from '../core/ports';
import type { SharedTokenState, TokenShare } from '../zoho/auth';
import { DEFAULT_TIMEOUT_MS } from '../zoho/http';

/** SecretStorage key prefix of the shared access tokens (not credentials: see credentials.ts). */
export const ACCESS_TOKEN_KEY_PREFIX = 'creatorBulkJobs.accessToken.';

export function accessTokenKey(accountId: string): string {
  return `${ACCESS_TOKEN_KEY_PREFIX}${accountId}`;
}

function optionalNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function parseState(raw: string | undefined): SharedTokenState | undefined {
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(raw ?? '') as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (!value || typeof value !== 'object' || typeof value.for !== 'string') {
    return undefined;
  }
  const state: SharedTokenState = { for: value.for };
  if (typeof value.accessToken === 'string' && value.accessToken) {
    state.accessToken = value.accessToken;
  }
  state.refreshAt = optionalNumber(value.refreshAt);
  state.blockedUntil = optionalNumber(value.blockedUntil);
  return state;
}

export class SecretTokenShare implements TokenShare {
  private readonly lockPath: string;

  constructor(
    private readonly secrets: SecretStore,
    private readonly accountId: string,
    /** The extension's global storage folder: every window reaches it. */
    lockDir: string,
    /** False once the account is signed out: nothing is written for it after that. */
    private readonly signedIn: () => Promise<boolean> = async () => true,
  ) {
    // The account id holds a host name and owner: hashed, so the file name is always valid.
    const name = createHash('sha256').update(accountId).digest('hex').slice(0, 16);
    this.lockPath = path.join(lockDir, `access-token-${name}.lock`);
  }

  async read(): Promise<SharedTokenState | undefined> {
    return parseState(await this.secrets.get(accessTokenKey(this.accountId)));
  }

  async write(state: SharedTokenState): Promise<void> {
    // A sign-out deletes the token under this lock after the credentials: a refresh that ends
    // after that must not bring an access token back (it would outlive the sign-out).
    if (await this.signedIn()) {
      await this.secrets.store(accessTokenKey(this.accountId), JSON.stringify(state));
    }
  }

  /** Deletes the shared token under the lock, so that no refresh running now writes it back. */
  forget(): Promise<void> {
    return this.exclusive(() => this.secrets.delete(accessTokenKey(this.accountId)));
  }

  /**
   * The project's file lock (core/fileLock.ts), kept fresh while a slow refresh runs. `task` is
   * given the fence: a holder that was paused past STALE_LOCK_MS may have lost the lock to another
   * window, and must then write nothing (see RefreshTokenProvider.refreshShared).
   */
  async exclusive<T>(task: (stillHeld: () => Promise<boolean>) => Promise<T>): Promise<T> {
    await fs.mkdir(path.dirname(this.lockPath), { recursive: true });
    // Longer than a refresh may take (its deadline is DEFAULT_TIMEOUT_MS): the holder keeps the
    // lock fresh meanwhile, and a crashed holder's lock goes stale after STALE_LOCK_MS.
    const lock = await acquireLock(this.lockPath, 2 * DEFAULT_TIMEOUT_MS);
    const keepAlive = setInterval(() => void lock.touch(), STALE_LOCK_MS / 3);
    keepAlive.unref();
    try {
      return await task(() => lock.stillHeld());
    } finally {
      clearInterval(keepAlive);
      await lock.release();
    }
  }
}

// The account holds (throttles and auth problems) as every window sees them: one small JSON file
// in global storage (../core/sharedJsonFile.ts). The window that meets a 429, the daily limit or a
// rejected token writes it here, so a window that takes over polling later does not spend the
// user's API allowance on calls Zoho will refuse, and every window's tree shows the same state.
import { errorMessage } from '../core/format';
import { isRecord } from '../core/json';
import type { Event } from '../core/lifecycle';
import type { Logger } from '../core/ports';
import type { SharedJsonFile } from '../core/sharedJsonFile';
import type { ZohoErrorKind } from '../zoho/errors';
import { AUTH_KINDS } from './accountStates';
import type { AccountPause } from './serviceApi';

export const ACCOUNT_HOLDS_FILE_NAME = 'account-holds.json';

export interface StoredThrottle {
  reason: AccountPause['reason'];
  /** Epoch ms. */
  until: number;
  message: string;
}

export interface StoredAuthHold {
  kind: Extract<ZohoErrorKind, 'missingScope' | 'authExpired' | 'authFailed'>;
  message: string;
  scope?: string;
  /** Epoch ms of the next probe. */
  until: number;
}

export interface StoredHolds {
  throttle?: StoredThrottle;
  auth?: StoredAuthHold;
}

/** One account's holds as this window changes them: each part set, or cleared (null). */
export interface HoldsChange {
  throttle?: StoredThrottle | null;
  auth?: StoredAuthHold | null;
}

/** Owns no resource: the file is the caller's to watch and dispose. */
export class SharedAccountHolds {
  readonly onDidChange: Event<void>;

  constructor(
    private readonly file: SharedJsonFile,
    private readonly logger: Logger,
  ) {
    this.onDidChange = file.onDidChange;
  }

  /** Every account's stored holds, those already over left out. Unreadable means none. */
  read(now: number): Map<string, StoredHolds> {
    try {
      return parse(this.file.read(), now);
    } catch (error) {
      this.logger.warn(`Could not read the shared account holds: ${errorMessage(error)}`);
      return new Map();
    }
  }

  /**
   * Applies this window's change to the latest stored holds. A throttle only ever lengthens (two
   * windows meeting the same limit keep the later end); a cleared part is removed. Resolves false
   * when the file could not be written.
   */
  async write(accountId: string, change: HoldsChange | 'forget', now: number): Promise<boolean> {
    try {
      await this.file.modify((latest) => {
        const all = parse(latest, now);
        const holds = change === 'forget' ? {} : { ...all.get(accountId) };
        if (change !== 'forget') {
          if (change.throttle === null) {
            delete holds.throttle;
          } else if (change.throttle && (holds.throttle?.until ?? 0) < change.throttle.until) {
            holds.throttle = change.throttle;
          }
          if (change.auth === null) {
            delete holds.auth;
          } else if (change.auth) {
            holds.auth = change.auth;
          }
        }
        if (holds.throttle || holds.auth) {
          all.set(accountId, holds);
        } else {
          all.delete(accountId);
        }
        return Object.fromEntries(all);
      });
      return true;
    } catch (error) {
      // This window still holds the account itself; only other windows miss it.
      this.logger.warn(`Could not share the holds of account ${accountId}: ${errorMessage(error)}`);
      return false;
    }
  }
}

/** Reads what another version or a hand edit may have left: anything malformed is skipped. */
function parse(value: unknown, now: number): Map<string, StoredHolds> {
  const holds = new Map<string, StoredHolds>();
  if (!isRecord(value)) {
    return holds;
  }
  for (const [accountId, entry] of Object.entries(value)) {
    if (!isRecord(entry)) {
      continue;
    }
    const result: StoredHolds = {};
    const { throttle, auth } = entry;
    if (
      isRecord(throttle) &&
      (throttle.reason === 'rateLimited' || throttle.reason === 'dailyLimit') &&
      isTime(throttle.until) &&
      throttle.until > now &&
      typeof throttle.message === 'string'
    ) {
      result.throttle = { reason: throttle.reason, until: throttle.until, message: throttle.message };
    }
    if (
      isRecord(auth) &&
      typeof auth.kind === 'string' &&
      AUTH_KINDS.has(auth.kind) &&
      typeof auth.message === 'string' &&
      isTime(auth.until)
    ) {
      // An auth hold stays until someone signs in again (its `until` is only the next probe).
      result.auth = {
        kind: auth.kind as StoredAuthHold['kind'],
        message: auth.message,
        until: auth.until,
        ...(typeof auth.scope === 'string' ? { scope: auth.scope } : {}),
      };
    }
    if (result.throttle || result.auth) {
      holds.set(accountId, result);
    }
  }
  return holds;
}

function isTime(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

// The account holds (throttles and auth problems) as every window sees them: one small file per
// account in global storage (../core/sharedCollection.ts). The window that meets a 429, the daily limit or a
// rejected token writes it here, so a window that takes over polling later does not spend the
// user's API allowance on calls Zoho will refuse, and every window's tree shows the same state.
import * as path from 'node:path';
import { errorMessage } from '../core/format';
import { isRecord } from '../core/json';
import { Disposable, Emitter, type Event } from '../core/lifecycle';
import type { Logger } from '../core/ports';
import { SharedCollection, type Merge } from '../core/sharedCollection';
import type { SharedJsonFile } from '../core/sharedJsonFile';
import type { ZohoErrorKind } from '../zoho/errors';
import { AUTH_KINDS } from './accountStates';
import type { AccountPause } from './serviceApi';

/** Where versions before 0.3 kept every account's holds (one shared file): moved once. */
export const ACCOUNT_HOLDS_FILE_NAME = 'account-holds.json';
/** The folder of the per-account hold files, next to ACCOUNT_HOLDS_FILE_NAME. */
export const ACCOUNT_HOLDS_FOLDER_NAME = 'account-holds';

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

/**
 * Applies one window's change to an account's holds as stored now. A throttle only ever lengthens
 * (two windows meeting the same limit keep the later end); a cleared part is removed; holds with
 * nothing left are removed.
 */
export function changeHolds(change: HoldsChange | 'forget', now: number): Merge<StoredHolds> {
  return (stored) => {
    const holds: StoredHolds = change === 'forget' ? {} : { ...readHolds(stored, now) };
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
    return holds.throttle || holds.auth ? holds : undefined;
  };
}

/** One file per account in a folder next to the old one-file list (`file`, moved there once). */
export class SharedAccountHolds extends Disposable {
  private readonly holds: SharedCollection<StoredHolds>;
  private readonly changes = new Emitter<void>();
  /** Fires when another window changed some account's holds (call read() to see). */
  readonly onDidChange: Event<void> = this.changes.event;

  constructor(
    file: SharedJsonFile,
    private readonly logger: Logger,
  ) {
    super();
    this.holds = new SharedCollection({
      dir: path.dirname(file.filePath),
      name: ACCOUNT_HOLDS_FOLDER_NAME,
      label: 'account holds',
      isItem: (value): value is StoredHolds => isRecord(value),
      clock: file.clock,
      logger,
    });
    this.holds.onDidChange(({ external }) => {
      if (external) {
        this.changes.fire();
      }
    });
    this.holds.importLegacy({
      file,
      parse: (raw) => [...parse(raw, file.clock.now())],
    });
  }

  /** Every account's stored holds, those already over left out. Unreadable means none. */
  read(now: number): Map<string, StoredHolds> {
    const all = new Map<string, StoredHolds>();
    for (const [accountId, stored] of this.holds.entries()) {
      const holds = readHolds(stored, now);
      if (holds.throttle || holds.auth) {
        all.set(accountId, holds);
      }
    }
    return all;
  }

  /**
   * Applies this window's change to the latest stored holds (see changeHolds). Resolves false
   * when it could not be stored.
   */
  async write(accountId: string, change: HoldsChange | 'forget', now: number): Promise<boolean> {
    try {
      await this.holds.change(accountId, changeHolds(change, now));
      return true;
    } catch (error) {
      // This window still holds the account itself; only other windows miss it.
      this.logger.warn(`Could not share the holds of account ${accountId}: ${errorMessage(error)}`);
      return false;
    }
  }

  /** Takes in what other windows stored (the folder's watcher does it as they write). */
  sync(): void {
    this.holds.sync();
  }

  /** Resolves once every change made so far is stored (or failed). */
  flushed(): Promise<void> {
    return this.holds.flushed();
  }

  /** Resolves once the holds met so far are written. */
  protected override onDispose(): Promise<void> {
    this.changes.dispose();
    return this.holds.dispose();
  }
}

/** One account's holds as stored, those over or malformed left out. */
function readHolds(value: unknown, now: number): StoredHolds {
  return parse({ account: value }, now).get('account') ?? {};
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

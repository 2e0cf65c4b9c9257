// One model of each account's state: ok, throttled until HH:MM, daily limit reached, needs sign-in,
// or missing a scope. The job service reports what polling met; the tree, the status bar and the
// notifications read it from here. The hold it implies goes to the poll scheduler through
// `applyHold` (the scheduler's pauseGroup/resumeGroup), so the scheduler stays the one place that
// decides whether a request may be sent. With a SharedAccountHolds, holds met in one window are
// taken in by every other (./sharedAccountHolds.ts); only the window that met a problem announces
// it. No editor API here.
import { clockTime } from '../core/format';
import { Disposable, Emitter, type IDisposable } from '../core/lifecycle';
import type { Clock, Logger, TimerHandle } from '../core/ports';
import { isZohoError, ZohoError } from '../zoho/errors';
import type { AccountPause, AccountProblem } from './serviceApi';
import type { HoldsChange, SharedAccountHolds, StoredHolds } from './sharedAccountHolds';

/**
 * The daily limit (200/4000) resets at midnight in the account's time zone, which the API does
 * not tell us. Probing hourly resumes within an hour of the reset wherever the account lives and
 * costs at most 24 calls a day, whereas "next local midnight" could be up to a day late.
 */
export const DAILY_LIMIT_PAUSE_MS = 60 * 60 * 1000;
/** Without a Retry-After header, wait at least a minute (docs/zoho-bulk-read-api.md, "Limits and throttles"). */
export const DEFAULT_RATE_LIMIT_PAUSE_MS = 60 * 1000;

/** How long a 429 holds: its Retry-After, or a minute without one. */
export function rateLimitPauseMs(retryAfterMs: number | undefined): number {
  return retryAfterMs ?? DEFAULT_RATE_LIMIT_PAUSE_MS;
}
/**
 * After an auth problem the account's polling stops until refresh() or this long, then one probe:
 * a new sign-in made elsewhere is picked up without flooding the UI with the same error.
 */
export const AUTH_PROBLEM_PAUSE_MS = 15 * 60 * 1000;

export type AccountStateKind = 'ok' | 'throttled' | 'dailyLimit' | 'needsSignIn' | 'missingScope';

export interface AccountState {
  accountId: string;
  kind: AccountStateKind;
  /** Epoch ms when polling resumes by itself (throttles) or probes again (auth problems). */
  until?: number;
  /** One line a person reads, e.g. "rate limited until 14:05". */
  summary: string;
  /** The scope a missingScope state lacks. */
  scope?: string;
}

/** What the tree, the status bar and notifications need from the model. */
export interface AccountStatesApi {
  readonly onDidChange: (listener: (state: AccountState) => void) => IDisposable;
  /** The account's state ('ok' when nothing holds it). */
  get(accountId: string): AccountState;
  /** Accounts that are not ok. */
  held(): AccountState[];
}

/** The errors that hold an account until it signs in again (or a scope is granted). */
export const AUTH_KINDS: ReadonlySet<string> = new Set(['missingScope', 'authExpired', 'authFailed']);

export function isAuthProblem(error: unknown): error is ZohoError {
  return isZohoError(error) && AUTH_KINDS.has(error.kind);
}

interface Throttle {
  pause: AccountPause;
  timer: TimerHandle;
}

interface AuthHold {
  error: ZohoError;
  until: number;
}

export class AccountStates extends Disposable implements AccountStatesApi {
  private readonly changeEmitter = new Emitter<AccountState>();
  private readonly pauseEmitter = new Emitter<AccountPause>();
  private readonly problemEmitter = new Emitter<AccountProblem>();
  readonly onDidChange = this.changeEmitter.event;
  /** A throttle started or ended (`until` <= now means ended). */
  readonly onDidChangePause = this.pauseEmitter.event;
  /** An auth problem was first met for an account. */
  readonly onDidHitProblem = this.problemEmitter.event;

  private readonly throttles = new Map<string, Throttle>();
  private readonly auth = new Map<string, AuthHold>();
  /** Accounts whose auth hold the shared file has held: its removal there means signed in again. */
  private readonly sharedAuth = new Set<string>();
  /** This window's writes to the shared holds not finished yet, and the last of them. */
  private writing = 0;
  private lastWrite: Promise<void> = Promise.resolve();
  private readonly subscription: IDisposable | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly logger: Logger,
    /** Holds (until) or releases (undefined) the account's polling. */
    private readonly applyHold: (accountId: string, until: number | undefined) => void,
    /** The holds every window shares; without it, holds stay in this window. */
    private readonly shared?: SharedAccountHolds,
  ) {
    super();
    if (shared) {
      this.subscription = shared.onDidChange(() => this.takeInShared());
      this.takeInShared();
    }
  }

  get(accountId: string): AccountState {
    const auth = this.auth.get(accountId);
    if (auth) {
      return isZohoError(auth.error, 'missingScope')
        ? {
            accountId,
            kind: 'missingScope',
            until: auth.until,
            scope: auth.error.scope,
            summary: `needs the scope ${auth.error.scope ?? 'for this request'}`,
          }
        : { accountId, kind: 'needsSignIn', until: auth.until, summary: 'sign in again' };
    }
    const throttle = this.throttles.get(accountId)?.pause;
    if (throttle && throttle.until > this.clock.now()) {
      const until = clockTime(throttle.until);
      return throttle.reason === 'dailyLimit'
        ? {
            accountId,
            kind: 'dailyLimit',
            until: throttle.until,
            summary: `daily limit reached, next try ${until}`,
          }
        : { accountId, kind: 'throttled', until: throttle.until, summary: `rate limited until ${until}` };
    }
    return { accountId, kind: 'ok', summary: 'ok' };
  }

  held(): AccountState[] {
    const ids = new Set([...this.throttles.keys(), ...this.auth.keys()]);
    return [...ids].map((id) => this.get(id)).filter((state) => state.kind !== 'ok');
  }

  /** Active throttles, as the status bar's tooltip lists them. */
  pauses(): AccountPause[] {
    const now = this.clock.now();
    return [...this.throttles.values()].map((entry) => entry.pause).filter((pause) => pause.until > now);
  }

  isHeld(accountId: string): boolean {
    return this.get(accountId).kind !== 'ok';
  }

  /** 429/2955: hold until Retry-After (or a minute). */
  rateLimited(accountId: string, retryAfterMs: number | undefined): void {
    const until = this.clock.now() + rateLimitPauseMs(retryAfterMs);
    this.throttle(
      accountId,
      'rateLimited',
      until,
      `Zoho rate limit reached: paused until ${clockTime(until)}.`,
    );
  }

  /** 200/4000: hold an hour, then probe. */
  dailyLimit(accountId: string): void {
    const until = this.clock.now() + DAILY_LIMIT_PAUSE_MS;
    this.throttle(
      accountId,
      'dailyLimit',
      until,
      `Zoho's daily API limit is used up: paused until ${clockTime(until)}, then checked hourly.`,
    );
  }

  /** Expired or refused token, or a missing scope: hold, and say so once. */
  authProblem(accountId: string, error: ZohoError): void {
    const first = !this.auth.has(accountId);
    const until = this.clock.now() + AUTH_PROBLEM_PAUSE_MS;
    this.auth.set(accountId, { error, until });
    this.share(accountId, {
      auth: {
        kind: error.kind as NonNullable<StoredHolds['auth']>['kind'],
        message: error.message,
        until,
        ...(error.scope ? { scope: error.scope } : {}),
      },
    });
    this.apply(accountId);
    if (first) {
      this.logger.warn(`Account ${accountId}: ${error.message}`);
      this.problemEmitter.fire({ accountId, error });
      this.changed(accountId);
    }
  }

  /** A request succeeded, the user refreshed, or signed in again: the auth hold ends. */
  clearAuthProblem(accountId: string): void {
    if (this.auth.delete(accountId)) {
      this.share(accountId, { auth: null });
      this.apply(accountId);
      this.logger.info(`Account ${accountId}: credentials work again.`);
      this.changed(accountId);
    }
  }

  clearAllAuthProblems(): void {
    for (const accountId of [...this.auth.keys()]) {
      this.clearAuthProblem(accountId);
    }
  }

  /** Signed out: every hold ends, with events so views drop a stale "paused until". */
  forget(accountId: string): void {
    this.auth.delete(accountId);
    this.share(accountId, 'forget');
    const throttle = this.throttles.get(accountId);
    if (throttle) {
      this.clock.clearTimeout(throttle.timer);
      this.endThrottle(accountId);
    } else {
      this.apply(accountId);
      this.changed(accountId);
    }
  }

  /** Resolves once the hold changes made so far are written. */
  protected override onDispose(): Promise<void> {
    this.subscription?.dispose();
    for (const { timer } of this.throttles.values()) {
      this.clock.clearTimeout(timer);
    }
    this.throttles.clear();
    this.changeEmitter.dispose();
    this.pauseEmitter.dispose();
    this.problemEmitter.dispose();
    return this.flushed();
  }

  private throttle(accountId: string, reason: AccountPause['reason'], until: number, message: string): void {
    const existing = this.throttles.get(accountId);
    if (existing && existing.pause.until >= until) {
      return; // concurrent polls met the same throttle: one event is enough
    }
    const pause: AccountPause = { accountId, reason, until, message };
    this.setThrottle(pause);
    this.share(accountId, { throttle: { reason, until, message } });
    this.apply(accountId);
    this.logger.warn(`Account ${accountId}: ${message}`);
    this.pauseEmitter.fire(pause);
    this.changed(accountId);
  }

  /** Holds the throttle (replacing the account's earlier one) and ends it when it is over. */
  private setThrottle(pause: AccountPause): void {
    const existing = this.throttles.get(pause.accountId);
    if (existing) {
      this.clock.clearTimeout(existing.timer);
    }
    const timer = this.clock.setTimeout(
      () => this.endThrottle(pause.accountId),
      pause.until - this.clock.now(),
    );
    this.throttles.set(pause.accountId, { pause, timer });
  }

  private endThrottle(accountId: string): void {
    const entry = this.throttles.get(accountId);
    if (!entry) {
      return;
    }
    this.throttles.delete(accountId);
    this.apply(accountId);
    this.logger.info(`Account ${accountId}: polling resumed.`);
    this.pauseEmitter.fire({ ...entry.pause, until: this.clock.now(), message: 'Polling resumed.' });
    this.changed(accountId);
  }

  /** Tells the other windows (not awaited: this window holds the account already). */
  private share(accountId: string, change: HoldsChange | 'forget'): void {
    if (!this.shared) {
      return;
    }
    if (change === 'forget' || change.auth === null) {
      this.sharedAuth.delete(accountId);
    }
    this.writing++;
    const shared = this.shared;
    // One write at a time, in the order the changes happened: a later "signed in again" must
    // never be overtaken by the earlier "token rejected" (taking the lock may wait and retry).
    this.lastWrite = this.lastWrite
      .then(() => shared.write(accountId, change, this.clock.now()))
      .then((written) => {
        this.writing--;
        if (written && change !== 'forget' && change.auth && this.auth.has(accountId)) {
          this.sharedAuth.add(accountId);
        }
        this.takeInShared(); // and what other windows wrote meanwhile
      });
  }

  /** Resolves once every hold change made so far is in the shared file (or failed, logged). */
  flushed(): Promise<void> {
    return this.lastWrite;
  }

  /**
   * Takes on the holds other windows met, quietly (the window that met one announced it): a
   * longer throttle, an auth problem, or the end of an auth problem (someone signed in again).
   */
  private takeInShared(): void {
    if (!this.shared || this.isDisposed || this.writing > 0) {
      return; // while this window writes, the file may not show its change yet: take it in after
    }
    const stored = this.shared.read(this.clock.now());
    for (const [accountId, holds] of stored) {
      let changed = false;
      const throttle = holds.throttle;
      const local = this.throttles.get(accountId);
      if (throttle && (!local || local.pause.until < throttle.until)) {
        this.setThrottle({ accountId, ...throttle });
        this.logger.info(`Account ${accountId}: another window met this: ${throttle.message}`);
        changed = true;
      }
      const auth = holds.auth;
      if (auth) {
        this.sharedAuth.add(accountId);
        const mine = this.auth.get(accountId);
        if (!mine || mine.until < auth.until) {
          const error = new ZohoError({ kind: auth.kind, message: auth.message, scope: auth.scope });
          this.auth.set(accountId, { error, until: auth.until });
          if (!mine) {
            this.logger.info(`Account ${accountId}: another window met this: ${auth.message}`);
            changed = true;
          }
        }
      }
      if (changed || auth) {
        this.apply(accountId);
      }
      if (changed) {
        this.changed(accountId);
      }
    }
    for (const accountId of [...this.auth.keys()]) {
      if (this.sharedAuth.has(accountId) && !stored.get(accountId)?.auth) {
        this.sharedAuth.delete(accountId);
        this.auth.delete(accountId);
        this.apply(accountId);
        this.logger.info(`Account ${accountId}: signed in again in another window.`);
        this.changed(accountId);
      }
    }
  }

  /** The scheduler holds one pause per account: the later of the throttle and the auth hold. */
  private apply(accountId: string): void {
    if (this.isDisposed) {
      return;
    }
    const until = Math.max(
      this.throttles.get(accountId)?.pause.until ?? 0,
      this.auth.get(accountId)?.until ?? 0,
    );
    this.applyHold(accountId, until > this.clock.now() ? until : undefined);
  }

  private changed(accountId: string): void {
    if (!this.isDisposed) {
      this.changeEmitter.fire(this.get(accountId));
    }
  }
}

// What one status poll does, and which jobs are polled: the PollScheduler says when (one timer,
// ./pollPolicy.ts has the rules), this class sends the status call, writes what it learnt into the
// shared JobStore and reports throttles and sign-in problems to the account states, which hold
// the account's polls (./accountStates.ts). Only the window holding the poller lease polls on its
// own; the user's Refresh polls from any window. Part of JobService (./jobService.ts).
import type { Lease } from '../core/lease';
import type { Clock, Logger } from '../core/ports';
import { jsonEqual } from '../core/json';
import type { BulkReadApi } from '../zoho/api';
import { isZohoError } from '../zoho/errors';
import type { JobDetails } from '../zoho/types';
import { AccountStates, isAuthProblem } from './accountStates';
import { errorRecord } from './jobErrors';
import type { JobStore } from './jobStore';
import { expectationOf, type TrackedJob } from './model';
import {
  accountGapMs,
  normalisePollSettings,
  slowestPaceStartedAt,
  watchesUnknownStatus,
} from './pollPolicy';
import { PollScheduler, type PollOutcome } from './pollScheduler';
import type { CheckTimes, PollSettings } from './serviceApi';
import type { SharedAccountHolds } from './sharedAccountHolds';

/**
 * The time of a check alone is not worth a write to the shared store (each write rewrites the
 * list): it is saved with real changes, or at most this often.
 */
export const LAST_CHECK_SAVE_MS = 5 * 60 * 1000;

/** Running, or of a status we do not know for less than UNKNOWN_STATUS_WATCH_MS: checked automatically. */
export function isWatched(job: TrackedJob, now: number): boolean {
  return job.state === 'running' || (job.state === 'unknown' && watchesUnknownStatus(job.trackedAt, now));
}

export interface StatusPollerOptions {
  store: JobStore;
  clients: (accountId: string) => Promise<BulkReadApi>;
  clock: Clock;
  logger: Logger;
  settings: PollSettings;
  polling: Lease;
  accountHolds?: SharedAccountHolds;
  /** The accounts this process can act for (see ResultDownloadsOptions.serves; default: all). */
  serves?: (accountId: string) => boolean;
  /** A job this window's write ended (completed or failed): told, announced, downloaded. */
  finished: (job: TrackedJob) => void;
  /** One status call was sent for the job (answered or not): counted by the export's run history. */
  checked?: (job: TrackedJob) => void;
  /** A running job Zoho no longer knows (now failed): told and announced. */
  vanished: (job: TrackedJob) => void;
}

export class StatusPoller {
  /** Throttles and auth holds per account; their pauses hold this poller's polls. */
  readonly accountStates: AccountStates;
  private readonly store: JobStore;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly polling: Lease;
  private readonly scheduler: PollScheduler;
  /** When this window last checked each job (the store has it only to LAST_CHECK_SAVE_MS). */
  private readonly lastChecked = new Map<string, number>();
  private settings: PollSettings;
  private disposed = false;

  constructor(private readonly options: StatusPollerOptions) {
    this.store = options.store;
    this.clock = options.clock;
    this.logger = options.logger;
    this.polling = options.polling;
    this.settings = options.settings;
    this.scheduler = new PollScheduler({
      clock: options.clock,
      settings: options.settings,
      poll: (key) => this.poll(key),
      logger: options.logger,
    });
    // The scheduler's pause is the seam: the model decides how long, the scheduler holds the polls.
    this.accountStates = new AccountStates(
      options.clock,
      options.logger,
      (accountId, until) =>
        until === undefined
          ? this.scheduler.resumeGroup(accountId)
          : this.scheduler.pauseGroup(accountId, until),
      options.accountHolds,
    );
  }

  checkTimes(key: string): CheckTimes {
    const stored = this.store.get(key)?.lastPolledAt;
    const here = this.lastChecked.get(key);
    const last = stored === undefined || (here !== undefined && here > stored) ? here : stored;
    return { last, next: this.scheduler.nextPollAt(key) };
  }

  /** Polls every watched job now: scheduled here when this window polls, else once from here. */
  async pollAll(): Promise<void> {
    if (this.polling.held) {
      await this.scheduler.pollNow();
    } else {
      // The user asked in a window that does not poll: check the running jobs once from here,
      // each account's calls spaced as the poller spaces them (the ceiling holds here too).
      await this.pollRunningOnce();
    }
  }

  /** Polls one job now (the user asked). */
  async pollOne(key: string): Promise<void> {
    if (this.scheduler.has(key)) {
      await this.scheduler.pollNow(key);
    } else {
      // A finished job (or any job in a window that does not poll) is not scheduled: poll it once
      // (poll() itself sends nothing while the account is throttled).
      await this.poll(key, true);
    }
  }

  /** Brings the next poll of each of `keys` forward to now (unscheduled keys are left alone). */
  async pollNow(keys: string[]): Promise<void> {
    await Promise.all(keys.map((key) => this.scheduler.pollNow(key)));
  }

  /** A job this service created: polled while running, or finished already (a very fast job). */
  startTracking(job: TrackedJob): void {
    if (job.state === 'unknown') {
      this.unknownStatusMet(job);
    }
    if (isWatched(job, job.trackedAt)) {
      this.schedule(job);
    } else {
      this.options.finished(job);
    }
  }

  /**
   * Polls a running job from this window if it is the poller. A job checked before (by another
   * window, or before a reload) continues that job's schedule, spread over time.
   */
  schedule(job: TrackedJob, resumed = false): void {
    if (!this.polling.held || this.options.serves?.(job.accountId) === false) {
      return;
    }
    if (job.state === 'running') {
      // Creating (or tracking) a job is not a check of it: until a poll says more, it is first
      // checked initialIntervalMs after it was tracked, whichever window created it (issue 17.4).
      const last = this.checkTimes(job.key).last;
      const checked = resumed && last !== undefined && last > job.trackedAt;
      this.scheduler.add(job.key, job.accountId, {
        startedAt: job.trackedAt,
        lastCheckedAt: checked ? last : undefined,
        waitingSince: job.trackedAt,
        expected: expectationOf(job), // stored with the job: a window taking over keeps its timing
      });
    } else if (isWatched(job, this.clock.now())) {
      // A status we do not know: checked at the slowest pace, a whole wait after the last check.
      const now = this.clock.now();
      this.scheduler.add(job.key, job.accountId, {
        startedAt: slowestPaceStartedAt(now, this.settings),
        lastCheckedAt: this.checkTimes(job.key).last ?? now,
      });
    }
  }

  /** Another window changed the job: follow its schedule, or stop polling it here. */
  follow(job: TrackedJob): void {
    if (!isWatched(job, this.clock.now())) {
      this.scheduler.remove(job.key);
    } else {
      this.schedule(job, true);
    }
  }

  /** The job is no longer tracked: never polled from here again. */
  forget(key: string): void {
    this.scheduler.remove(key);
    this.lastChecked.delete(key);
  }

  /** Another window is the poller now: stop polling from here (a poll in flight is ignored). */
  standDown(): void {
    for (const key of this.scheduler.pendingKeys()) {
      this.scheduler.remove(key);
    }
  }

  setFocused(focused: boolean): void {
    this.scheduler.setFocused(focused);
  }

  updateSettings(settings: PollSettings): void {
    this.settings = settings;
    this.scheduler.updateSettings(settings);
  }

  /** Resolves once the account holds met so far are written. */
  dispose(): Promise<void> {
    this.disposed = true;
    this.scheduler.dispose();
    return this.accountStates.dispose();
  }

  /**
   * What one status poll does; called by the scheduler, and by refresh (`byUser`) for jobs it does
   * not schedule. The scheduler's polls stop the moment this window is no longer the poller.
   */
  private async poll(key: string, byUser = false): Promise<PollOutcome> {
    const job = this.store.get(key);
    if (!job || this.disposed) {
      return 'finished';
    }
    if (!byUser && !this.polling.held) {
      // Lapsed for a moment (a late heartbeat) or lost: standDown() unschedules it if lost.
      return 'unchanged';
    }
    if (this.scheduler.isPaused(job.accountId)) {
      return 'unchanged'; // a pause set while this poll was being started: send nothing
    }
    let details: JobDetails;
    try {
      const api = await this.options.clients(job.accountId);
      try {
        details = await api.getJob(job.ref, job.jobId);
      } finally {
        this.options.checked?.(job);
      }
    } catch (error) {
      return this.pollFailed(job, error);
    }
    if (this.disposed) {
      return 'finished';
    }
    this.accountStates.clearAuthProblem(job.accountId);
    const now = this.clock.now();
    this.lastChecked.set(key, now);
    const changed = !jsonEqual(job.details, details) || job.state !== details.state;
    const cursor = details.result?.record_cursor;
    const patch: Partial<TrackedJob> = {
      details,
      state: details.state,
      lastError: undefined,
    };
    if (changed) {
      patch.changedAt = now;
    }
    // The first check is always saved: a window taking over then continues the job's schedule
    // instead of checking it again as a new job.
    const firstCheck = (job.lastPolledAt ?? 0) <= job.trackedAt;
    if (changed || firstCheck || job.lastError || now - (job.lastPolledAt ?? 0) >= LAST_CHECK_SAVE_MS) {
      patch.lastPolledAt = now;
    }
    if (cursor && cursor !== job.details?.result?.record_cursor) {
      patch.cursorSeenAt = now;
    }
    const { previous, job: updated } = await this.store.updateFrom(key, patch);
    if (!updated) {
      return 'finished'; // stopped tracking while the request was in flight
    }
    // A job of unknown status is still open: when it completes or fails it is announced and
    // downloaded like a running one.
    const wasOpen = previous?.state === 'running' || previous?.state === 'unknown';
    const ended = updated.state === 'completed' || updated.state === 'failed';
    if (wasOpen && updated.state !== previous?.state && ended) {
      // Judged on the shared file at the moment of writing: if another window saw the end first,
      // it notified and downloads, and this one does neither.
      this.options.finished(updated);
      return 'finished';
    }
    if (ended || !isWatched(updated, now)) {
      if (updated.state === 'unknown' && !ended) {
        this.logger.warn(
          `Bulk read job ${updated.jobId} still reports the status "${updated.details?.status ?? ''}" a day after it was tracked. Automatic checks stopped; use Refresh to check again.`,
        );
      }
      return 'finished';
    }
    if (previous?.state !== updated.state) {
      if (updated.state === 'unknown') {
        this.unknownStatusMet(updated);
      }
      // Running <-> unknown: the pace changes (a removed and re-added key drops this poll's outcome).
      this.scheduler.remove(key);
    }
    if (!this.scheduler.has(key)) {
      this.schedule(updated, previous?.state !== updated.state);
    }
    return changed ? 'changed' : 'unchanged';
  }

  private async pollRunningOnce(): Promise<void> {
    const byAccount = new Map<string, string[]>();
    const now = this.clock.now();
    for (const job of this.store.all().filter((each) => isWatched(each, now))) {
      byAccount.set(job.accountId, [...(byAccount.get(job.accountId) ?? []), job.key]);
    }
    const gapMs = accountGapMs(normalisePollSettings(this.settings));
    await Promise.all(
      [...byAccount.values()].map(async (keys) => {
        for (const [index, key] of keys.entries()) {
          if (index > 0) {
            await new Promise<void>((resolve) => this.clock.setTimeout(resolve, gapMs));
          }
          if (this.disposed) {
            return;
          }
          await this.poll(key, true);
        }
      }),
    );
  }

  private unknownStatusMet(job: TrackedJob): void {
    this.logger.warn(
      `Bulk read job ${job.jobId}: Zoho reports the status "${job.details?.status ?? ''}", which is neither running, completed nor failed. It is checked at the slowest pace until it reports one of those (for up to 24 h); Refresh checks it at once.`,
    );
  }

  private async pollFailed(job: TrackedJob, error: unknown): Promise<PollOutcome> {
    if (this.disposed || isZohoError(error, 'cancelled')) {
      return 'failed';
    }
    const now = this.clock.now();
    const kind = isZohoError(error) ? error.kind : 'unknown';
    this.logger.warn(`Status of job ${job.jobId} failed (${kind}): ${errorRecord(error, now).message}`);
    if (isZohoError(error, 'rateLimited')) {
      this.accountStates.rateLimited(job.accountId, error.retryAfterMs);
      return 'failed';
    }
    if (isZohoError(error, 'dailyLimit')) {
      this.accountStates.dailyLimit(job.accountId);
      return 'failed';
    }
    if (isAuthProblem(error)) {
      this.accountStates.authProblem(job.accountId, error);
    }
    if (isZohoError(error, 'notFound')) {
      const { previous, job: updated } = await this.store.updateFrom(job.key, {
        state: 'failed',
        lastPolledAt: now,
        changedAt: now,
        lastError: errorRecord(error, now),
      });
      if (updated && previous?.state === 'running') {
        this.options.vanished(updated);
      }
      return 'finished';
    }
    this.lastChecked.set(job.key, now);
    await this.store.update(job.key, { lastPolledAt: now, lastError: errorRecord(error, now) });
    return 'failed';
  }
}

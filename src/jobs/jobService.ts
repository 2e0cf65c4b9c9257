// The job service: creates and tracks bulk read jobs, decides what one status poll does, reports
// throttles and auth problems to the account states (./accountStates.ts), and downloads results. Timing, the poll
// budget, focus and concurrency belong to the PollScheduler (./pollPolicy.ts has the rules).
//
// Many windows: every window runs a JobService over one shared JobStore. Only the window holding
// the poller lease (`polling`, ../core/lease.ts) polls on its own, downloads automatically and
// notifies; the others show what the store says and act on the user's commands.
// Over the guide's ~400 lines: tracking, polling one job, downloads and adopting other windows' work
// share the job map; issue 18 splits them behind a small JobService front.
import { promises as fs } from 'node:fs';
import { errorMessage } from '../core/format';
import { soleLease, type Lease } from '../core/lease';
import { Disposable, Emitter, type IDisposable } from '../core/lifecycle';
import type { Clock, Logger } from '../core/ports';
import { LocalRefusal } from '../core/refusal';
import { deleteResultFiles, fetchResult, isResultLocked, withResultLock } from '../results/fetchResult';
import type { BulkReadApi } from '../zoho/api';
import { cancelledError, isZohoError } from '../zoho/errors';
import { isValidJobId } from '../zoho/status';
import type { FirstBatchQuery, JobDetails, ReportRef } from '../zoho/types';
import {
  CURSOR_LIFETIME_MS,
  JobNotSavedError,
  jobKey,
  resultExpired,
  usableCursor,
  type LocalResult,
  type TrackedJob,
} from './model';
import { JobStore } from './jobStore';
import { jsonEqual } from '../core/json';
import { AccountStates, isAuthProblem } from './accountStates';
import type { SharedAccountHolds } from './sharedAccountHolds';
import {
  accountGapMs,
  normalisePollSettings,
  slowestPaceStartedAt,
  watchesUnknownStatus,
} from './pollPolicy';
import { PollScheduler, type PollOutcome } from './pollScheduler';
import { redact } from '../zoho/redact';
import { RunningDownload } from './runningDownload';
import type {
  AccountPause,
  CheckTimes,
  JobChange,
  JobServiceApi,
  PollSettings,
  ResultProgress,
} from './serviceApi';

export interface JobServiceOptions {
  store: JobStore;
  clients: (accountId: string) => Promise<BulkReadApi>;
  clock: Clock;
  logger: Logger;
  /** Folder the CSVs are extracted into (created on first download). */
  resultsDir: string;
  settings: PollSettings;
  autoDownload: () => boolean;
  /** A download with no byte for this long is aborted and retried (default 60 s). */
  downloadIdleTimeoutMs?: () => number;
  /** Test seam for the free-disk bound of downloads; defaults to statfs. */
  freeBytes?: (dir: string) => Promise<number>;
  /** Held by the one window that polls (default: always held, a single window). */
  lease?: Lease;
  /** Throttles and auth problems shared with the other windows (default: this window's alone). */
  accountHolds?: SharedAccountHolds;
}

/**
 * The time of a check alone is not worth a write to the shared store (each write rewrites the
 * list): it is saved with real changes, or at most this often.
 */
export const LAST_CHECK_SAVE_MS = 5 * 60 * 1000;
/** How often a window waiting for another window's download looks whether it is done. */
export const OTHER_DOWNLOAD_RECHECK_MS = 1_000;

function errorRecord(error: unknown, at: number): NonNullable<TrackedJob['lastError']> {
  if (isZohoError(error)) {
    return { kind: error.kind, message: error.message, at };
  }
  // Stored in the shared jobs.json and shown in tooltips: masked as every log line is.
  return { kind: 'unknown', message: redact(errorMessage(error)), at };
}

export class JobService extends Disposable implements JobServiceApi {
  private readonly changeEmitter = new Emitter<JobChange>();
  private readonly finishEmitter = new Emitter<TrackedJob>();
  readonly onDidChangeJob = this.changeEmitter.event;
  readonly onDidFinishJob = this.finishEmitter.event;
  private readonly announceEmitter = new Emitter<TrackedJob>();
  readonly onDidAnnounceJob = this.announceEmitter.event;
  /** Throttles and auth holds per account, read by the views. */
  readonly accountStates: AccountStates;
  readonly onDidChangePause: JobServiceApi['onDidChangePause'];
  readonly onDidHitAccountProblem: JobServiceApi['onDidHitAccountProblem'];

  private readonly store: JobStore;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly scheduler: PollScheduler;
  private readonly storeSubscription: IDisposable;
  private readonly downloads = new Map<string, RunningDownload>();
  private readonly nextBatches = new Map<string, Promise<TrackedJob>>();
  /** When this window last checked each job (the store has it only to LAST_CHECK_SAVE_MS). */
  private readonly lastChecked = new Map<string, number>();
  /** Jobs another window asked this one to announce, announced already. */
  private readonly announced = new Set<string>();
  readonly polling: Lease;
  /** Every reset of abandoned downloads started so far (abandonedDownloadsReleased). */
  private releasing: Promise<void> = Promise.resolve();
  private readonly leaseSubscriptions: IDisposable[];
  private focused = true;
  private settings: PollSettings;
  private disposed = false;

  constructor(private readonly options: JobServiceOptions) {
    super();
    this.store = options.store;
    this.clock = options.clock;
    this.logger = options.logger;
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
    this.onDidChangePause = this.accountStates.onDidChangePause;
    this.onDidHitAccountProblem = this.accountStates.onDidHitProblem;
    this.settings = options.settings;
    this.polling = options.lease ?? soleLease;
    this.storeSubscription = this.store.onDidChange((change) => {
      if (change.external) {
        this.externalChange(change);
      }
      this.changeEmitter.fire(change);
      if (change.external) {
        this.announceAskedFor(change); // after the change is seen: the announcement may wait for it
      }
    });
    this.leaseSubscriptions = [
      this.polling.onDidChange((held) => (held ? this.takeOver() : this.standDown())),
      this.polling.onDidChangeSomeWindowFocused(() => this.applyFocus()),
    ];
    if (this.polling.held) {
      this.takeOver();
    }
  }

  jobs(): TrackedJob[] {
    return this.store.all();
  }

  get(key: string): TrackedJob | undefined {
    return this.store.get(key);
  }

  checkTimes(key: string): CheckTimes {
    const stored = this.store.get(key)?.lastPolledAt;
    const here = this.lastChecked.get(key);
    const last = stored === undefined || (here !== undefined && here > stored) ? here : stored;
    return { last, next: this.scheduler.nextPollAt(key) };
  }

  pauses(): AccountPause[] {
    return this.accountStates.pauses();
  }

  async createJob(
    accountId: string,
    ref: ReportRef,
    query: FirstBatchQuery,
    exportId?: string,
  ): Promise<TrackedJob> {
    const api = await this.options.clients(accountId);
    const details = await api.createJob(ref, query);
    const job = this.newJob(accountId, ref, details, { query, batch: 1, exportId });
    try {
      await this.store.add(job);
    } catch (error) {
      throw new JobNotSavedError(accountId, ref, details.id, errorMessage(error));
    }
    this.logger.info(`Created bulk read job ${details.id} for ${ref.app}/${ref.report}.`);
    this.startTracking(job);
    return job;
  }

  async trackJob(accountId: string, ref: ReportRef, jobId: string): Promise<TrackedJob> {
    if (!isValidJobId(jobId.trim())) {
      throw new LocalRefusal(`"${jobId.trim().slice(0, 40)}" is not a job id: Zoho job ids are digits only.`);
    }
    const existing = this.store.get(jobKey(accountId, ref, jobId.trim()));
    if (existing) {
      return existing;
    }
    const api = await this.options.clients(accountId);
    // Unknown ids fail here (the ZohoError propagates) and nothing is tracked.
    const details = await api.getJob(ref, jobId.trim());
    const again = this.store.get(jobKey(accountId, ref, details.id));
    if (again) {
      return again;
    }
    const job = this.newJob(accountId, ref, details, { batch: 1 });
    await this.store.add(job);
    this.logger.info(`Tracking existing job ${job.jobId} of ${ref.app}/${ref.report} (${job.state}).`);
    this.schedule(job);
    if (this.polling.held && this.shouldAutoDownload(job, job.trackedAt)) {
      this.startAutoDownload(job); // the same promise as "download when it completes"
    }
    return job;
  }

  async refresh(key?: string): Promise<void> {
    this.store.sync();
    await this.releaseAbandonedDownloads();
    if (key === undefined) {
      this.accountStates.clearAllAuthProblems();
      if (this.polling.held) {
        await this.scheduler.pollNow();
      } else {
        // The user asked in a window that does not poll: check the running jobs once from here,
        // each account's calls spaced as the poller spaces them (the ceiling holds here too).
        await this.pollRunningOnce();
      }
      return;
    }
    const job = this.store.get(key);
    if (!job) {
      return;
    }
    this.accountStates.clearAuthProblem(job.accountId);
    if (this.scheduler.has(key)) {
      await this.scheduler.pollNow(key);
    } else {
      // A finished job (or any job in a window that does not poll) is not scheduled: poll it once
      // (poll() itself sends nothing while the account is throttled).
      await this.poll(key, true);
    }
  }

  async resumeAccount(accountId: string): Promise<void> {
    this.accountStates.clearAuthProblem(accountId);
    const keys = this.store
      .all()
      .filter((job) => job.accountId === accountId)
      .map((job) => job.key);
    await Promise.all(keys.map((key) => this.scheduler.pollNow(key)));
  }

  fetchNextBatch(key: string): Promise<TrackedJob> {
    // A double click must not create two follow-up jobs from one cursor.
    let pending = this.nextBatches.get(key);
    if (!pending) {
      pending = this.createNextBatch(key).finally(() => this.nextBatches.delete(key));
      this.nextBatches.set(key, pending);
    }
    return pending;
  }

  async ensureResult(key: string, progress: ResultProgress = {}): Promise<LocalResult> {
    const job = this.store.get(key);
    if (!job) {
      throw new LocalRefusal('This job is no longer tracked.');
    }
    const running = this.downloads.get(key);
    if (running) {
      // Joining a download already under way (say, the automatic one): this caller's cancel
      // still cancels it, and it still sees the progress.
      return running.join(progress);
    }
    if (job.result && (await fileExists(job.result.path))) {
      return job.result;
    }
    if (job.state !== 'completed') {
      throw new LocalRefusal(
        `Job ${job.jobId} has not completed yet; its result can be downloaded once it has.`,
      );
    }
    if (resultExpired(job, this.clock.now())) {
      // Asking would spend an API call on a certain refusal.
      throw new LocalRefusal(
        `The result of job ${job.jobId} has expired: Zoho keeps results for 24 hours. Create the job again to read the records.`,
      );
    }
    const download = new RunningDownload((signal, onProgress) =>
      this.download(job, signal, onProgress).finally(() => this.downloads.delete(key)),
    );
    this.downloads.set(key, download);
    return download.join(progress);
  }

  async markSeen(key: string): Promise<void> {
    const result = this.store.get(key)?.result;
    if (result && result.seenAt === undefined) {
      await this.store.update(key, { result: { ...result, seenAt: this.clock.now() } });
    }
  }

  async stopTracking(key: string): Promise<void> {
    const job = this.store.get(key);
    if (job) {
      this.logger.info(`Stopped tracking job ${job.jobId} (${job.ref.report}).`);
    }
    this.scheduler.remove(key);
    this.lastChecked.delete(key);
    this.downloads.get(key)?.cancel();
    await this.store.remove(key);
    if (job) {
      await this.deleteFiles(job);
    }
  }

  async forgetAccount(accountId: string): Promise<void> {
    const keys = this.store
      .all()
      .filter((job) => job.accountId === accountId)
      .map((job) => job.key);
    for (const key of keys) {
      await this.stopTracking(key);
    }
    this.accountStates.forget(accountId);
  }

  /** Resolves once what gaining focus checks (abandoned downloads) is written. */
  setFocused(focused: boolean): Promise<void> {
    let released = Promise.resolve();
    if (focused) {
      this.store.sync(); // cheap, and the user sees the truth when they come back
      released = this.releaseAbandonedDownloads();
    }
    this.focused = focused;
    this.polling.setFocused(focused);
    this.applyFocus();
    return released;
  }

  updateSettings(settings: PollSettings): void {
    this.settings = settings;
    this.scheduler.updateSettings(settings);
  }

  /** Resolves once the account holds met so far are written. */
  protected override onDispose(): Promise<void> {
    this.disposed = true;
    this.scheduler.dispose();
    for (const download of this.downloads.values()) {
      download.cancel();
    }
    const holdsWritten = this.accountStates.dispose();
    this.storeSubscription.dispose();
    for (const subscription of this.leaseSubscriptions) {
      subscription.dispose();
    }
    this.changeEmitter.dispose();
    this.finishEmitter.dispose();
    this.announceEmitter.dispose();
    return holdsWritten;
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
      details = await api.getJob(job.ref, job.jobId);
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
      this.finished(updated);
      return 'finished';
    }
    if (ended || !this.isWatched(updated, now)) {
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
    for (const job of this.store.all().filter((each) => this.isWatched(each, now))) {
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

  private finished(job: TrackedJob): void {
    this.logger.info(`Bulk read job ${job.jobId} ${job.state}.`);
    this.finishEmitter.fire(job);
    this.announce(job);
    if (job.state === 'completed' && this.options.autoDownload()) {
      this.startAutoDownload(job);
    }
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
        this.finishEmitter.fire(updated);
        this.announce(updated);
      }
      return 'finished';
    }
    this.lastChecked.set(job.key, now);
    await this.store.update(job.key, { lastPolledAt: now, lastError: errorRecord(error, now) });
    return 'failed';
  }

  private async createNextBatch(key: string): Promise<TrackedJob> {
    const parent = this.store.get(key);
    if (!parent) {
      throw new LocalRefusal('This job is no longer tracked.');
    }
    const cursor = usableCursor(parent, this.clock.now());
    if (!cursor) {
      throw new LocalRefusal(this.whyNoCursor(parent));
    }
    const api = await this.options.clients(parent.accountId);
    // The cursor and nothing else: the server keeps the first batch's size (docs/zoho-bulk-read-api.md, "Creating a job").
    const query = { record_cursor: cursor };
    const details = await api.createJob(parent.ref, query);
    const child = this.newJob(parent.accountId, parent.ref, details, {
      query,
      batch: parent.batch + 1,
      parentKey: parent.key,
      exportId: parent.exportId, // a batch of an export begets a batch of the same export
    });
    await this.store.add(child);
    await this.store.update(parent.key, { nextBatchKey: child.key });
    this.logger.info(
      `Created batch ${child.batch} (job ${child.jobId}) of ${parent.ref.report} from job ${parent.jobId}.`,
    );
    this.startTracking(child);
    return child;
  }

  private whyNoCursor(job: TrackedJob): string {
    if (job.nextBatchKey) {
      return `The next batch of job ${job.jobId} was already requested.`;
    }
    if (job.state !== 'completed') {
      return `Job ${job.jobId} has not completed yet; its record cursor appears when it does.`;
    }
    if (!job.details?.result?.record_cursor) {
      return `Job ${job.jobId} has no record cursor: it holds the last batch of records.`;
    }
    const minutes = CURSOR_LIFETIME_MS / 60_000;
    return `The record cursor of job ${job.jobId} has expired: Zoho accepts it only within ${minutes} minutes. Create a new job (e.g. with criteria that skip the records you have) to read the rest.`;
  }

  private async download(
    job: TrackedJob,
    signal: AbortSignal,
    onProgress: (bytes: number, total?: number) => void,
  ): Promise<LocalResult> {
    const { resultsDir } = this.options;
    try {
      const api = await this.options.clients(job.accountId);
      for (;;) {
        const outcome = await withResultLock(resultsDir, job, async () => {
          // Holding the lock: another window may have finished this result just before.
          const theirs = await this.readyResult(job.key);
          if (theirs) {
            return theirs;
          }
          await this.store.update(job.key, { download: 'downloading' });
          this.logger.info(`Downloading the result of job ${job.jobId} (${job.ref.report}).`);
          const result = await fetchResult(api, job, resultsDir, {
            expectedRecords: job.details?.result?.count,
            downloadUrl: job.details?.result?.download_url,
            signal,
            onProgress: (p) => onProgress(p.bytes, p.total),
            idleTimeoutMs: this.options.downloadIdleTimeoutMs?.(),
            // An export's batch: the export counts every request against its own 3 tries
            // (src/exports), so the client does not retry inside each of them.
            attempts: job.exportId ? 1 : undefined,
            freeBytes: this.options.freeBytes,
            logger: this.logger,
            now: () => this.clock.now(),
          });
          return this.downloaded(job, result);
        });
        if (outcome !== 'busy') {
          return outcome;
        }
        // Another window is downloading this result: wait for its file, never write the same one.
        const theirs = await this.otherWindowsResult(job, signal);
        if (theirs) {
          return theirs;
        }
      }
    } catch (error) {
      if (this.disposed) {
        throw error; // shutting down: the next poller retries
      }
      const cancelled = signal.aborted || isZohoError(error, 'cancelled');
      const record = cancelled
        ? { kind: 'cancelled' as const, message: cancelledError().message, at: this.clock.now() }
        : errorRecord(error, this.clock.now());
      await this.store.update(job.key, { download: 'failed', lastError: record });
      throw error;
    }
  }

  private async downloaded(job: TrackedJob, result: LocalResult): Promise<LocalResult> {
    const updated = await this.store.update(job.key, { download: 'ready', result, lastError: undefined });
    this.logger.info(`Result of job ${job.jobId} is ready: ${result.bytes} bytes.`);
    if (!updated) {
      await fs.rm(result.path, { force: true }); // stopped tracking meanwhile: keep nothing
      throw cancelledError('The job is no longer tracked.');
    }
    return result;
  }

  /**
   * Waits while another window downloads the result: resolves with its file once the shared store
   * says it is ready and the file is there, or undefined when that window gave up or is gone (its
   * lock is free again, so the caller tries itself).
   */
  private async otherWindowsResult(job: TrackedJob, signal: AbortSignal): Promise<LocalResult | undefined> {
    const { key } = job;
    for (;;) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          this.clock.clearTimeout(timer);
          subscription.dispose();
          signal.removeEventListener('abort', done);
          resolve();
        };
        const timer = this.clock.setTimeout(done, OTHER_DOWNLOAD_RECHECK_MS);
        const subscription = this.store.onDidChange((change) => change.job.key === key && done());
        signal.addEventListener('abort', done);
      });
      const ready = await this.readyResult(key);
      const latest = this.store.get(key);
      if (signal.aborted || !latest || this.disposed) {
        throw cancelledError();
      }
      if (ready) {
        return ready;
      }
      if (!(await isResultLocked(this.options.resultsDir, job))) {
        return undefined;
      }
    }
  }

  /** The job's result if the shared store says it is ready and its complete file is there. */
  private async readyResult(key: string): Promise<LocalResult | undefined> {
    this.store.sync();
    const job = this.store.get(key);
    return job?.download === 'ready' && job.result && (await fileExists(job.result.path))
      ? job.result
      : undefined;
  }

  private logDownloadError(job: TrackedJob, error: unknown): void {
    if (!isZohoError(error, 'cancelled')) {
      this.logger.error(`Download of job ${job.jobId} failed: ${errorRecord(error, 0).message}`);
    }
  }

  private async deleteFiles(job: TrackedJob): Promise<void> {
    // If another window is downloading it, that window deletes its files when it sees the job gone.
    const removed = await deleteResultFiles(this.options.resultsDir, job);
    if (removed && job.result) {
      await fs.rm(job.result.path, { force: true }).catch(() => undefined);
    }
  }

  private newJob(
    accountId: string,
    ref: ReportRef,
    details: JobDetails,
    extra: Pick<TrackedJob, 'batch'> & Partial<Pick<TrackedJob, 'query' | 'parentKey' | 'exportId'>>,
  ): TrackedJob {
    const now = this.clock.now();
    const job: TrackedJob = {
      key: jobKey(accountId, ref, details.id),
      accountId,
      ref: { owner: ref.owner, app: ref.app, report: ref.report },
      jobId: details.id,
      state: details.state,
      details,
      batch: extra.batch,
      trackedAt: now,
      changedAt: now,
      lastPolledAt: now,
      download: 'none',
    };
    if (extra.query) {
      job.query = extra.query;
    }
    if (extra.parentKey) {
      job.parentKey = extra.parentKey;
    }
    if (extra.exportId) {
      job.exportId = extra.exportId;
    }
    if (details.result?.record_cursor) {
      job.cursorSeenAt = now;
    }
    return job;
  }

  /** A job this service created: polled while running, or finished already (a very fast job). */
  private startTracking(job: TrackedJob): void {
    if (job.state === 'unknown') {
      this.unknownStatusMet(job);
    }
    if (this.isWatched(job, job.trackedAt)) {
      this.schedule(job);
    } else {
      this.finished(job);
    }
  }

  /**
   * Polls a running job from this window if it is the poller. A job checked before (by another
   * window, or before a reload) continues that job's schedule, spread over time.
   */
  private schedule(job: TrackedJob, resumed = false): void {
    if (!this.polling.held) {
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
      });
    } else if (this.isWatched(job, this.clock.now())) {
      // A status we do not know: checked at the slowest pace, a whole wait after the last check.
      const now = this.clock.now();
      this.scheduler.add(job.key, job.accountId, {
        startedAt: slowestPaceStartedAt(now, this.settings),
        lastCheckedAt: this.checkTimes(job.key).last ?? now,
      });
    }
  }

  /** Running, or of a status we do not know for less than UNKNOWN_STATUS_WATCH_MS: checked automatically. */
  private isWatched(job: TrackedJob, now: number): boolean {
    return job.state === 'running' || (job.state === 'unknown' && watchesUnknownStatus(job.trackedAt, now));
  }

  /**
   * This window became the poller (at start, or another window closed or hung): poll the running
   * jobs, and with autoDownload fetch every completed job whose result is missing. 'none' on a
   * completed job means "never finished downloading", as does a 'downloading' whose window is gone
   * (its lock is free: releaseAbandonedDownloads); a user's cancel is kept as 'failed'.
   */
  private takeOver(): void {
    if (this.disposed) {
      return;
    }
    this.store.sync();
    const now = this.clock.now();
    for (const job of this.store.all()) {
      this.schedule(job, true);
      if (this.shouldAutoDownload(job, now)) {
        this.startAutoDownload(job);
      }
    }
    void this.releaseAbandonedDownloads();
  }

  /**
   * A 'downloading' job whose result lock is free was left by a window that closed (or crashed)
   * half-way: show it as not downloaded, so the poller (autoDownload) or the user fetches it again.
   */
  private releaseAbandonedDownloads(): Promise<void> {
    const abandoned = this.store
      .all()
      .filter((job) => job.download === 'downloading' && !this.downloads.has(job.key));
    const released = Promise.all(
      abandoned.map(async (job) => {
        try {
          if (await isResultLocked(this.options.resultsDir, job)) {
            return;
          }
          if (
            !this.disposed &&
            this.store.get(job.key)?.download === 'downloading' &&
            !this.downloads.has(job.key)
          ) {
            await this.store.update(job.key, { download: 'none' });
          }
        } catch (error) {
          this.logger.warn(`Could not update job ${job.jobId}: ${errorMessage(error)}`);
        }
      }),
    ).then(() => undefined);
    this.releasing = Promise.all([this.releasing, released]).then(() => undefined);
    return released;
  }

  /**
   * Resolves once every reset of abandoned downloads started so far is written (on focus, on a
   * refresh, when this window takes over polling): lets a caller know, not guess, that it happened.
   */
  abandonedDownloadsReleased(): Promise<void> {
    return this.releasing;
  }

  /**
   * The poller polls at the focused pace while the user works in any window: it is often in the
   * background while the user looks at another window that shows its results.
   */
  private applyFocus(): void {
    this.scheduler.setFocused(this.focused || this.polling.someWindowFocused);
  }

  /** Another window is the poller now: stop polling from here (a poll in flight is ignored). */
  private standDown(): void {
    for (const key of this.scheduler.pendingKeys()) {
      this.scheduler.remove(key);
    }
  }

  /**
   * Tells the user that `job` finished, once, in the window they work in: here if this window is
   * focused or no window is (the lease file names the focused one, ../core/lease.ts), else by
   * naming that window in the job itself (the shared list), which then announces it. Only the
   * window whose write ended the job calls this, so exactly one window is ever named.
   */
  private announce(job: TrackedJob): void {
    const target = this.polling.focusedWindow;
    if (this.focused || target === undefined || target === this.polling.holderId) {
      this.announceEmitter.fire(job);
      return;
    }
    this.store
      .update(job.key, { announceIn: target })
      .catch((error) => this.logger.warn(`Could not update job ${job.jobId}: ${errorMessage(error)}`));
  }

  /** Another window asked this one to announce a finished job (see announce). */
  private announceAskedFor({ kind, job }: JobChange): void {
    if (
      kind !== 'removed' &&
      job.announceIn !== undefined &&
      job.announceIn === this.polling.holderId &&
      !this.announced.has(job.key)
    ) {
      this.announced.add(job.key);
      this.announceEmitter.fire(job);
    }
  }

  /** Another window changed the shared list. */
  private externalChange(change: JobChange): void {
    const { job } = change;
    if (change.kind === 'removed') {
      this.announced.delete(job.key);
      // Stopped in another window: stop here too; an aborted download removes its own files.
      this.scheduler.remove(job.key);
      this.lastChecked.delete(job.key);
      this.downloads.get(job.key)?.cancel();
    } else if (!this.isWatched(job, this.clock.now())) {
      this.scheduler.remove(job.key);
    } else {
      this.schedule(job, true);
    }
  }

  private shouldAutoDownload(job: TrackedJob, now: number): boolean {
    return (
      job.state === 'completed' &&
      (job.download === 'none' || job.download === 'downloading') &&
      !resultExpired(job, now) &&
      this.options.autoDownload()
    );
  }

  private startAutoDownload(job: TrackedJob): void {
    this.ensureResult(job.key).catch((error) => this.logDownloadError(job, error));
  }
}

async function fileExists(filePath: string): Promise<boolean> {
  try {
    return (await fs.stat(filePath)).isFile();
  } catch {
    return false;
  }
}

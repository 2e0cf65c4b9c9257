// The job service: creates and tracks bulk read jobs, decides what one status poll does, turns
// throttles and auth problems into account-level pauses, and downloads results. Timing, back-off,
// focus and concurrency belong to the PollScheduler.
import { promises as fs } from 'node:fs';
import { clockTime, errorMessage } from '../core/format';
import { Emitter, type Clock, type Disposable, type Logger, type TimerHandle } from '../core/ports';
import { deleteResultFiles, fetchResult } from '../results/fetchResult';
import type { BulkReadApi } from '../zoho/api';
import { ZohoError, isZohoError } from '../zoho/errors';
import type { FirstBatchQuery, JobDetails, ReportRef } from '../zoho/types';
import {
  CURSOR_LIFETIME_MS,
  RESULT_RETENTION_MS,
  jobKey,
  usableCursor,
  type LocalResult,
  type TrackedJob,
} from './model';
import { JobStore } from './jobStore';
import { jsonEqual } from './jsonEqual';
import { PollScheduler, type PollOutcome } from './pollScheduler';
import type {
  AccountPause,
  AccountProblem,
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
}

/**
 * The daily limit (200/4000) resets at midnight in the account's time zone, which the API does
 * not tell us. Probing hourly resumes within an hour of the reset wherever the account lives and
 * costs at most 24 calls a day, whereas "next local midnight" could be up to a day late.
 */
export const DAILY_LIMIT_PAUSE_MS = 60 * 60 * 1000;
/** Without a Retry-After header, wait at least a minute (contract section 7). */
export const DEFAULT_RATE_LIMIT_PAUSE_MS = 60 * 1000;
/**
 * After an auth problem the account's polling stops until refresh() or this long, then one probe:
 * a new sign-in made elsewhere is picked up without flooding the UI with the same error.
 */
export const AUTH_PROBLEM_PAUSE_MS = 15 * 60 * 1000;

const AUTH_KINDS = new Set(['missingScope', 'authExpired', 'authFailed']);

function errorRecord(error: unknown, at: number): NonNullable<TrackedJob['lastError']> {
  if (isZohoError(error)) {
    return { kind: error.kind, message: error.message, at };
  }
  return { kind: 'unknown', message: errorMessage(error), at };
}

function badRequest(message: string): ZohoError {
  return new ZohoError({ kind: 'badRequest', message });
}

interface RunningDownload {
  promise: Promise<LocalResult>;
  controller: AbortController;
}

export class JobService implements JobServiceApi {
  private readonly changeEmitter = new Emitter<JobChange>();
  private readonly finishEmitter = new Emitter<TrackedJob>();
  private readonly pauseEmitter = new Emitter<AccountPause>();
  private readonly problemEmitter = new Emitter<AccountProblem>();
  readonly onDidChangeJob = this.changeEmitter.event;
  readonly onDidFinishJob = this.finishEmitter.event;
  readonly onDidChangePause = this.pauseEmitter.event;
  readonly onDidHitAccountProblem = this.problemEmitter.event;

  private readonly store: JobStore;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly scheduler: PollScheduler;
  private readonly storeSubscription: Disposable;
  private readonly throttles = new Map<string, { pause: AccountPause; timer: TimerHandle }>();
  /** Accounts with an unresolved auth problem, and until when their polling is held. */
  private readonly authProblems = new Map<string, number>();
  private readonly downloads = new Map<string, RunningDownload>();
  private readonly nextBatches = new Map<string, Promise<TrackedJob>>();
  private disposed = false;

  constructor(private readonly options: JobServiceOptions) {
    this.store = options.store;
    this.clock = options.clock;
    this.logger = options.logger;
    this.scheduler = new PollScheduler({
      clock: options.clock,
      settings: options.settings,
      poll: (key) => this.poll(key),
      logger: options.logger,
    });
    this.storeSubscription = this.store.onDidChange((change) => this.changeEmitter.fire(change));
    this.resumeStoredJobs();
  }

  jobs(): TrackedJob[] {
    return this.store.all();
  }

  get(key: string): TrackedJob | undefined {
    return this.store.get(key);
  }

  pauses(): AccountPause[] {
    const now = this.clock.now();
    return [...this.throttles.values()].map((entry) => entry.pause).filter((pause) => pause.until > now);
  }

  async createJob(accountId: string, ref: ReportRef, query: FirstBatchQuery): Promise<TrackedJob> {
    const api = await this.options.clients(accountId);
    const details = await api.createJob(ref, query);
    const job = this.newJob(accountId, ref, details, { query, batch: 1 });
    await this.store.add(job);
    this.logger.info(`Created bulk read job ${details.id} for ${ref.app}/${ref.report}.`);
    this.startTracking(job);
    return job;
  }

  async trackJob(accountId: string, ref: ReportRef, jobId: string): Promise<TrackedJob> {
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
    this.schedule(job, false);
    if (this.shouldAutoDownload(job, job.trackedAt)) {
      this.startAutoDownload(job); // the same promise as "download when it completes"
    }
    return job;
  }

  async refresh(key?: string): Promise<void> {
    if (key === undefined) {
      for (const accountId of [...this.authProblems.keys()]) {
        this.clearAuthProblem(accountId);
      }
      await this.scheduler.pollNow();
      return;
    }
    const job = this.store.get(key);
    if (!job) {
      return;
    }
    this.clearAuthProblem(job.accountId);
    if (this.scheduler.has(key)) {
      await this.scheduler.pollNow(key);
    } else {
      // A finished job is not scheduled: poll it once to refresh its count and cursor (poll()
      // itself sends nothing while the account is throttled).
      await this.poll(key);
    }
  }

  async resumeAccount(accountId: string): Promise<void> {
    this.clearAuthProblem(accountId);
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
      throw badRequest('This job is no longer tracked.');
    }
    if (job.result && (await fileExists(job.result.path))) {
      return job.result;
    }
    const running = this.downloads.get(key);
    if (running) {
      return running.promise;
    }
    if (job.state !== 'completed') {
      throw badRequest(`Job ${job.jobId} has not completed yet; its result can be downloaded once it has.`);
    }
    const controller = new AbortController();
    const signal = progress.signal
      ? AbortSignal.any([controller.signal, progress.signal])
      : controller.signal;
    const promise = this.download(job, signal, progress).finally(() => this.downloads.delete(key));
    this.downloads.set(key, { promise, controller });
    return promise;
  }

  async stopTracking(key: string): Promise<void> {
    const job = this.store.get(key);
    this.scheduler.remove(key);
    this.downloads.get(key)?.controller.abort();
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
    this.authProblems.delete(accountId);
    const throttle = this.throttles.get(accountId);
    if (throttle) {
      // End the pause the usual way so the tree and status bar hear that it is over.
      this.clock.clearTimeout(throttle.timer);
      this.endThrottle(accountId);
    }
    this.scheduler.resumeGroup(accountId);
  }

  setFocused(focused: boolean): void {
    this.scheduler.setFocused(focused);
  }

  updateSettings(settings: PollSettings): void {
    this.scheduler.updateSettings(settings);
  }

  dispose(): void {
    this.disposed = true;
    this.scheduler.dispose();
    for (const download of this.downloads.values()) {
      download.controller.abort();
    }
    for (const { timer } of this.throttles.values()) {
      this.clock.clearTimeout(timer);
    }
    this.throttles.clear();
    this.storeSubscription.dispose();
    this.changeEmitter.dispose();
    this.finishEmitter.dispose();
    this.pauseEmitter.dispose();
    this.problemEmitter.dispose();
  }

  /** What one status poll does; called by the scheduler (and by refresh for finished jobs). */
  private async poll(key: string): Promise<PollOutcome> {
    const job = this.store.get(key);
    if (!job || this.disposed) {
      return 'finished';
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
    this.clearAuthProblem(job.accountId);
    const now = this.clock.now();
    const changed = !jsonEqual(job.details, details) || job.state !== details.state;
    const cursor = details.result?.record_cursor;
    const patch: Partial<TrackedJob> = {
      details,
      state: details.state,
      lastPolledAt: now,
      lastError: undefined,
    };
    if (changed) {
      patch.changedAt = now;
    }
    if (cursor && cursor !== job.details?.result?.record_cursor) {
      patch.cursorSeenAt = now;
    }
    const updated = await this.store.update(key, patch);
    if (!updated) {
      return 'finished'; // stopped tracking while the request was in flight
    }
    if (job.state === 'running' && updated.state !== 'running') {
      this.finished(updated);
      return 'finished';
    }
    if (updated.state !== 'running') {
      return 'finished';
    }
    return changed ? 'changed' : 'unchanged';
  }

  private finished(job: TrackedJob): void {
    this.logger.info(`Bulk read job ${job.jobId} ${job.state}.`);
    this.finishEmitter.fire(job);
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
      const until = now + (error.retryAfterMs ?? DEFAULT_RATE_LIMIT_PAUSE_MS);
      this.throttle(
        job.accountId,
        'rateLimited',
        until,
        `Zoho rate limit reached: paused until ${clockTime(until)}.`,
      );
      return 'failed';
    }
    if (isZohoError(error, 'dailyLimit')) {
      const until = now + DAILY_LIMIT_PAUSE_MS;
      this.throttle(
        job.accountId,
        'dailyLimit',
        until,
        `Zoho's daily API limit is used up: paused until ${clockTime(until)}, then checked hourly.`,
      );
      return 'failed';
    }
    if (isZohoError(error) && AUTH_KINDS.has(error.kind)) {
      this.authProblem(job.accountId, error);
    }
    if (isZohoError(error, 'notFound')) {
      const updated = await this.store.update(job.key, {
        state: 'failed',
        lastPolledAt: now,
        changedAt: now,
        lastError: errorRecord(error, now),
      });
      if (updated && job.state === 'running') {
        this.finishEmitter.fire(updated);
      }
      return 'finished';
    }
    await this.store.update(job.key, { lastPolledAt: now, lastError: errorRecord(error, now) });
    return 'failed';
  }

  /** Holds an account's polling after 429/2955 or 200/4000 and says so once. */
  private throttle(accountId: string, reason: AccountPause['reason'], until: number, message: string): void {
    const existing = this.throttles.get(accountId);
    if (existing && existing.pause.until >= until) {
      return; // concurrent polls met the same throttle: one event is enough
    }
    if (existing) {
      this.clock.clearTimeout(existing.timer);
    }
    const pause: AccountPause = { accountId, reason, until, message };
    const timer = this.clock.setTimeout(() => this.endThrottle(accountId), until - this.clock.now());
    this.throttles.set(accountId, { pause, timer });
    this.applyGroupPause(accountId);
    this.logger.warn(`Account ${accountId}: ${message}`);
    this.pauseEmitter.fire(pause);
  }

  private endThrottle(accountId: string): void {
    const entry = this.throttles.get(accountId);
    if (!entry) {
      return;
    }
    this.throttles.delete(accountId);
    this.applyGroupPause(accountId);
    this.pauseEmitter.fire({ ...entry.pause, until: this.clock.now(), message: 'Polling resumed.' });
  }

  private authProblem(accountId: string, error: ZohoError): void {
    const first = !this.authProblems.has(accountId);
    this.authProblems.set(accountId, this.clock.now() + AUTH_PROBLEM_PAUSE_MS);
    this.applyGroupPause(accountId);
    if (first) {
      this.problemEmitter.fire({ accountId, error });
    }
  }

  private clearAuthProblem(accountId: string): void {
    if (this.authProblems.delete(accountId)) {
      this.applyGroupPause(accountId);
    }
  }

  /**
   * The scheduler holds one pause per group, the later of the throttle and the auth hold, and is
   * the one place that says whether an account is held.
   */
  private applyGroupPause(accountId: string): void {
    if (this.disposed) {
      return;
    }
    const until = Math.max(
      this.throttles.get(accountId)?.pause.until ?? 0,
      this.authProblems.get(accountId) ?? 0,
    );
    if (until > this.clock.now()) {
      this.scheduler.pauseGroup(accountId, until);
    } else {
      this.scheduler.resumeGroup(accountId);
    }
  }

  private async createNextBatch(key: string): Promise<TrackedJob> {
    const parent = this.store.get(key);
    if (!parent) {
      throw badRequest('This job is no longer tracked.');
    }
    const cursor = usableCursor(parent, this.clock.now());
    if (!cursor) {
      throw badRequest(this.whyNoCursor(parent));
    }
    const api = await this.options.clients(parent.accountId);
    // The cursor and nothing else: the server keeps the first batch's size (contract section 4).
    const query = { record_cursor: cursor };
    const details = await api.createJob(parent.ref, query);
    const child = this.newJob(parent.accountId, parent.ref, details, {
      query,
      batch: parent.batch + 1,
      parentKey: parent.key,
    });
    await this.store.add(child);
    await this.store.update(parent.key, { nextBatchKey: child.key });
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
    progress: ResultProgress,
  ): Promise<LocalResult> {
    await this.store.update(job.key, { download: 'downloading' });
    try {
      const api = await this.options.clients(job.accountId);
      const result = await fetchResult(api, job.ref, job.jobId, this.options.resultsDir, {
        downloadUrl: job.details?.result?.download_url,
        expectedRecords: job.details?.result?.count,
        signal,
        onProgress: progress.onProgress ? (p) => progress.onProgress?.(p.bytes, p.total) : undefined,
        now: () => this.clock.now(),
      });
      const updated = await this.store.update(job.key, { download: 'ready', result, lastError: undefined });
      if (!updated) {
        await fs.rm(result.path, { force: true }); // stopped tracking meanwhile: keep nothing
        throw new ZohoError({ kind: 'cancelled', message: 'The job is no longer tracked.' });
      }
      return result;
    } catch (error) {
      if (this.disposed) {
        throw error; // shutting down: the store keeps 'none' and the next window retries
      }
      const cancelled = signal.aborted || isZohoError(error, 'cancelled');
      const record = cancelled
        ? { kind: 'cancelled' as const, message: 'The download was cancelled.', at: this.clock.now() }
        : errorRecord(error, this.clock.now());
      await this.store.update(job.key, { download: 'failed', lastError: record });
      throw error;
    }
  }

  private logDownloadError(job: TrackedJob, error: unknown): void {
    if (!isZohoError(error, 'cancelled')) {
      this.logger.error(`Download of job ${job.jobId} failed: ${errorRecord(error, 0).message}`);
    }
  }

  private async deleteFiles(job: TrackedJob): Promise<void> {
    await deleteResultFiles(this.options.resultsDir, job.ref, job.jobId);
    if (job.result) {
      await fs.rm(job.result.path, { force: true }).catch(() => undefined);
    }
  }

  private newJob(
    accountId: string,
    ref: ReportRef,
    details: JobDetails,
    extra: Pick<TrackedJob, 'batch'> & Partial<Pick<TrackedJob, 'query' | 'parentKey'>>,
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
    if (details.result?.record_cursor) {
      job.cursorSeenAt = now;
    }
    return job;
  }

  /** A job this service created: polled while running, or finished already (a very fast job). */
  private startTracking(job: TrackedJob): void {
    if (job.state === 'running') {
      this.schedule(job, false);
    } else {
      this.finished(job);
    }
  }

  private schedule(job: TrackedJob, immediate: boolean): void {
    if (job.state === 'running') {
      this.scheduler.add(job.key, job.accountId, { immediate });
    }
  }

  /**
   * After a reload: resume polling, and with autoDownload fetch every completed job whose result
   * is missing. The store turns an interrupted 'downloading' into 'none', so 'none' on a completed
   * job means "never finished downloading"; a user's cancel is kept as 'failed' and not retried.
   */
  private resumeStoredJobs(): void {
    const now = this.clock.now();
    for (const job of this.store.all()) {
      this.schedule(job, true);
      if (this.shouldAutoDownload(job, now)) {
        this.startAutoDownload(job);
      }
    }
  }

  private shouldAutoDownload(job: TrackedJob, now: number): boolean {
    return (
      job.state === 'completed' &&
      job.download === 'none' &&
      now - job.changedAt < RESULT_RETENTION_MS &&
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

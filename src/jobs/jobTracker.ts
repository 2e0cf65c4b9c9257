// Which jobs this extension tracks: creating a job (a first batch, or the next batch from a record
// cursor), tracking one the user names, and forgetting them with their files. Every window sees
// the shared JobStore; what happens to a job once tracked is the StatusPoller's (./statusPoller.ts)
// and ResultDownloads' (./resultDownloads.ts). Part of JobService (./jobService.ts).
import { errorMessage } from '../core/format';
import type { Lease } from '../core/lease';
import type { Clock, Logger } from '../core/ports';
import { LocalRefusal } from '../core/refusal';
import type { BulkReadApi } from '../zoho/api';
import { isValidJobId } from '../zoho/status';
import type { FirstBatchQuery, JobDetails, ReportRef } from '../zoho/types';
import type { JobStore } from './jobStore';
import { usableExpectedMs } from './pollPolicy';
import {
  CURSOR_LIFETIME_MS,
  JobNotSavedError,
  jobKey,
  usableCursor,
  type Expectation,
  type TrackedJob,
} from './model';
import type { ResultDownloads } from './resultDownloads';
import type { StatusPoller } from './statusPoller';

export interface JobTrackerOptions {
  store: JobStore;
  clients: (accountId: string) => Promise<BulkReadApi>;
  clock: Clock;
  logger: Logger;
  polling: Lease;
  poller: StatusPoller;
  downloads: ResultDownloads;
}

export class JobTracker {
  private readonly store: JobStore;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly poller: StatusPoller;
  private readonly downloads: ResultDownloads;
  private readonly nextBatches = new Map<string, Promise<TrackedJob>>();

  constructor(private readonly options: JobTrackerOptions) {
    this.store = options.store;
    this.clock = options.clock;
    this.logger = options.logger;
    this.poller = options.poller;
    this.downloads = options.downloads;
  }

  async createJob(
    accountId: string,
    ref: ReportRef,
    query: FirstBatchQuery,
    exportId?: string,
    expected: Expectation = {},
  ): Promise<TrackedJob> {
    const api = await this.options.clients(accountId);
    const details = await api.createJob(ref, query);
    const job = this.newJob(accountId, ref, details, { query, batch: 1, exportId, ...expected });
    try {
      await this.store.add(job);
    } catch (error) {
      throw new JobNotSavedError(accountId, ref, details.id, errorMessage(error));
    }
    this.logger.info(`Created bulk read job ${details.id} for ${ref.app}/${ref.report}.`);
    this.poller.startTracking(job);
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
    this.poller.schedule(job);
    if (this.options.polling.held && this.downloads.shouldAutoDownload(job, job.trackedAt)) {
      this.downloads.startAutoDownload(job); // the same promise as "download when it completes"
    }
    return job;
  }

  fetchNextBatch(key: string, expected: Expectation = {}): Promise<TrackedJob> {
    // A double click must not create two follow-up jobs from one cursor.
    let pending = this.nextBatches.get(key);
    if (!pending) {
      pending = this.createNextBatch(key, expected).finally(() => this.nextBatches.delete(key));
      this.nextBatches.set(key, pending);
    }
    return pending;
  }

  async stopTracking(key: string): Promise<void> {
    const job = this.store.get(key);
    if (job) {
      this.logger.info(`Stopped tracking job ${job.jobId} (${job.ref.report}).`);
    }
    this.poller.forget(key);
    await this.downloads.cancel(key); // a download ending now holds the lock its files need
    await this.store.remove(key);
    if (job) {
      await this.downloads.deleteFiles(job);
    }
  }

  async forgetAccount(accountId: string): Promise<void> {
    for (const key of this.keysOf(accountId)) {
      await this.stopTracking(key);
    }
    this.poller.accountStates.forget(accountId);
  }

  /** The keys of every job of the account. */
  keysOf(accountId: string): string[] {
    return this.store
      .all()
      .filter((job) => job.accountId === accountId)
      .map((job) => job.key);
  }

  private async createNextBatch(key: string, expected: Expectation): Promise<TrackedJob> {
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
      ...expected,
    });
    await this.store.add(child);
    await this.store.update(parent.key, { nextBatchKey: child.key });
    this.logger.info(
      `Created batch ${child.batch} (job ${child.jobId}) of ${parent.ref.report} from job ${parent.jobId}.`,
    );
    this.poller.startTracking(child);
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

  private newJob(
    accountId: string,
    ref: ReportRef,
    details: JobDetails,
    extra: Pick<TrackedJob, 'batch'> &
      Partial<Pick<TrackedJob, 'query' | 'parentKey' | 'exportId'>> &
      Expectation,
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
    const expectedMs = usableExpectedMs(extra.expectedMs);
    if (expectedMs !== undefined) {
      job.expectedMs = expectedMs;
      if (extra.mayEndSooner) {
        job.mayEndSooner = true;
      }
      if (extra.measuredClosely) {
        job.measuredClosely = true;
      }
      if (extra.fromEarlierRun) {
        job.fromEarlierRun = true;
      }
    }
    if (details.result?.record_cursor) {
      job.cursorSeenAt = now;
    }
    return job;
  }
}

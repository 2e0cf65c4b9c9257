// Export Whole Report: runs every batch of a report by itself. As soon as a batch completes the
// next one is created from its record cursor (contract section 4: the cursor lives 15 minutes),
// and each batch's CSV is appended, in order, to one working file that is renamed to its final
// name only once the last batch (the one without a cursor) is in and the records add up.
//
// Built on the job service's public API and events: the batches are ordinary tracked jobs, so
// polling, pauses, downloads and persistence stay in one place.
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { capitalise, errorMessage } from '../core/format';
import { soleLease, type Lease } from '../core/lease';
import {
  Emitter,
  type Clock,
  type Disposable,
  type Event,
  type Logger,
  type TimerHandle,
} from '../core/ports';
import { rateLimitPauseMs } from '../jobs/accountStates';
import { CURSOR_LIFETIME_MS, cursorMsLeft, usableCursor, type TrackedJob } from '../jobs/model';
import type { JobServiceApi } from '../jobs/serviceApi';
import { isZohoError } from '../zoho/errors';
import type { FirstBatchQuery, ReportRef } from '../zoho/types';
import { appendCsv, HeaderMismatchError, truncateTo } from './appendCsv';
import { CreateBudget } from './createBudget';
import { ExportStore, type ExportChange } from './exportStore';
import { partialPath, workingPath, type ExportBatch, type ExportRun, type ExportState } from './model';

export interface StartExport {
  accountId: string;
  ref: ReportRef;
  query: FirstBatchQuery;
  /** Absolute path of the merged CSV. The caller has made sure it may be written (asked first). */
  destination: string;
  /** Name of the saved definition this export runs, if any. */
  definition?: string;
}

/**
 * Whether this window may drive exports. Many windows share the stored exports; only one must
 * create batches and write files: the window holding the poller lease. Without one (a single
 * window, tests) this window holds it.
 */
export type ExportLease = Pick<Lease, 'held' | 'onDidChange'>;

export interface ExportsApi extends Disposable {
  readonly onDidChangeExport: Event<ExportChange>;
  /** An export completed (the merged file is at its destination). */
  readonly onDidFinishExport: Event<ExportRun>;
  /** An export stopped without completing: failed or interrupted (not fired for a user's cancel). */
  readonly onDidStopExport: Event<ExportRun>;
  exports(): ExportRun[];
  get(id: string): ExportRun | undefined;
  /** The export a batch job belongs to. */
  exportOfJob(jobKey: string): ExportRun | undefined;
  start(request: StartExport): Promise<ExportRun>;
  /** Stops creating batches; keeps the records so far as a partial file, or discards them. */
  cancel(id: string, keepRecords: boolean): Promise<ExportRun | undefined>;
  /** Starts a stopped export again from its first batch, with the same query and destination. */
  restart(id: string): Promise<ExportRun>;
  /** Forgets a finished export and its batch jobs (files written to the workspace stay). */
  remove(id: string): Promise<void>;
  /** The user opened or revealed the export's file: it no longer counts as ready. */
  markSeen(id: string): Promise<void>;
}

export interface ExportRunnerOptions {
  jobs: JobServiceApi;
  store: ExportStore;
  clock: Clock;
  logger: Logger;
  lease?: ExportLease;
}

/** Retries of a transient failure (network, 5xx) before the export is shown as interrupted. */
const TRANSIENT_RETRIES = 3;
const TRANSIENT_RETRY_BASE_MS = 2000;
const TRANSIENT_KINDS = new Set(['network', 'server']);

class ExportStop extends Error {
  constructor(
    readonly state: 'failed' | 'interrupted',
    message: string,
  ) {
    super(message);
  }
}

function batchName(run: ExportRun, key: string): string {
  const index = run.batches.findIndex((batch) => batch.key === key);
  return `batch ${index + 1} (job ${run.batches[index]?.jobId ?? '?'})`;
}

/**
 * How long Cancel in a window without the lease waits for the window with it to stop the export
 * (a hung window loses the lease within about 12 s, and the next holder carries the cancel out).
 */
export const CANCEL_HANDOVER_MS = 30_000;

/** Stopped, and its file kept or discarded (the lease holder clears the request last). */
function stoppedAndTidied(run: ExportRun): boolean {
  return run.state !== 'running' && run.cancelRequest === undefined;
}

function isLastBatch(job: TrackedJob): boolean {
  return job.state === 'completed' && !job.details?.result?.record_cursor;
}

export class ExportRunner implements ExportsApi {
  private readonly finishEmitter = new Emitter<ExportRun>();
  private readonly stopEmitter = new Emitter<ExportRun>();
  readonly onDidChangeExport: Event<ExportChange>;
  readonly onDidFinishExport = this.finishEmitter.event;
  readonly onDidStopExport = this.stopEmitter.event;

  private readonly jobs: JobServiceApi;
  private readonly store: ExportStore;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly lease: ExportLease;
  private readonly budget = new CreateBudget();
  private readonly subscriptions: Disposable[] = [];
  /** Runs whose next batch is being created. */
  private readonly creating = new Set<string>();
  /** Runs waiting (throttle, pause, transient error) before their next step. */
  private readonly waits = new Map<string, TimerHandle>();
  private readonly failures = new Map<string, number>();
  /** The append loop of each run, one at a time; `again` asks it to look once more when done. */
  private readonly draining = new Map<string, Promise<void>>();
  private readonly again = new Set<string>();
  private readonly aborts = new Map<string, AbortController>();
  /** When each batch was seen completing (for the completion -> next creation figure). */
  private readonly completedSeen = new Map<string, number>();
  private disposed = false;

  constructor(options: ExportRunnerOptions) {
    this.jobs = options.jobs;
    this.store = options.store;
    this.clock = options.clock;
    this.logger = options.logger;
    this.lease = options.lease ?? soleLease;
    this.onDidChangeExport = this.store.onDidChange;
    this.subscriptions.push(
      this.jobs.onDidFinishJob((job) => this.batchFinished(job)),
      this.jobs.onDidChangeJob((change) => {
        if (change.kind === 'removed') {
          this.wake(change.job.key);
        }
      }),
      // A run another window started or changed: this window may be the one to drive it.
      this.store.onDidChange(({ run, external }) => {
        if (external && run.state === 'running') {
          this.reconcile(run.id);
        }
      }),
      this.lease.onDidChange((held) => {
        if (held) {
          this.resumeAll(); // a closed window handed its exports over: carry on where it stopped
        }
      }),
    );
    this.resumeAll();
  }

  exports(): ExportRun[] {
    return this.store.all();
  }

  get(id: string): ExportRun | undefined {
    return this.store.get(id);
  }

  exportOfJob(jobKey: string): ExportRun | undefined {
    return this.store.byJobKey(jobKey);
  }

  async start(request: StartExport): Promise<ExportRun> {
    const busy = this.store
      .all()
      .find((run) => run.state === 'running' && run.destination === request.destination);
    if (busy) {
      // Its working file would be cut short under it.
      throw new Error(
        `${path.basename(request.destination)} is being written by the running export of ${busy.ref.report}. Wait for it, cancel it, or choose another file.`,
      );
    }
    const working = workingPath(request.destination);
    await fs.mkdir(path.dirname(working), { recursive: true });
    await truncateTo(working, 0);
    this.budget.record(request.accountId, this.clock.now());
    let job: TrackedJob;
    try {
      job = await this.jobs.createJob(request.accountId, request.ref, request.query);
    } catch (error) {
      await fs.rm(working, { force: true });
      throw error;
    }
    const run: ExportRun = {
      id: randomUUID(),
      accountId: request.accountId,
      ref: { ...request.ref },
      query: request.query,
      destination: request.destination,
      state: 'running',
      batches: [{ key: job.key, jobId: job.jobId, appended: false }],
      bytesWritten: 0,
      records: 0,
      startedAt: this.clock.now(),
    };
    if (request.definition) {
      run.definition = request.definition;
    }
    await this.store.add(run);
    this.logger.info(`Export of ${request.ref.report} started with job ${job.jobId}.`);
    // A job that completed at once fired its finish event before the run knew it: look now.
    this.seen(this.jobs.get(job.key));
    this.reconcile(run.id);
    return this.store.get(run.id) ?? run;
  }

  async cancel(id: string, keepRecords: boolean): Promise<ExportRun | undefined> {
    const run = this.store.get(id);
    if (!run || run.state !== 'running' || this.lease.held) {
      return this.stop(id, 'cancelled', undefined, keepRecords);
    }
    // The window holding the lease drives this export and may be appending to its file right now:
    // only it may cut, rename or delete that file. Ask it, and wait until it has.
    await this.store.requestCancel(id, keepRecords);
    return this.whenStopped(id, CANCEL_HANDOVER_MS);
  }

  /** The run once it is no longer running (or gone), or as it is after `timeoutMs`. */
  private whenStopped(id: string, timeoutMs: number): Promise<ExportRun | undefined> {
    return new Promise((resolve) => {
      const done = (): void => {
        subscription.dispose();
        this.clock.clearTimeout(timer);
        resolve(this.store.get(id));
      };
      const subscription = this.store.onDidChange(({ run, kind }) => {
        if (run.id === id && (kind === 'removed' || stoppedAndTidied(run))) {
          done();
        }
      });
      const timer = this.clock.setTimeout(done, timeoutMs);
      const now = this.store.get(id);
      if (!now || stoppedAndTidied(now)) {
        done();
      }
    });
  }

  async restart(id: string): Promise<ExportRun> {
    const run = this.store.get(id);
    if (!run) {
      throw new Error('This export is no longer listed.');
    }
    if (run.state === 'running') {
      return run;
    }
    const next = await this.start({
      accountId: run.accountId,
      ref: run.ref,
      query: run.query,
      destination: run.destination,
      definition: run.definition,
    });
    await this.remove(id);
    return next;
  }

  async markSeen(id: string): Promise<void> {
    const run = this.store.get(id);
    if (run && run.seenAt === undefined) {
      await this.store.update(id, { seenAt: this.clock.now() });
    }
  }

  async remove(id: string): Promise<void> {
    const run = this.store.get(id);
    if (!run) {
      return;
    }
    if (run.state === 'running') {
      await this.cancel(id, false);
    }
    await this.store.remove(id);
    for (const batch of run.batches) {
      await this.jobs.stopTracking(batch.key);
    }
  }

  dispose(): void {
    this.disposed = true;
    for (const timer of this.waits.values()) {
      this.clock.clearTimeout(timer);
    }
    this.waits.clear();
    for (const controller of this.aborts.values()) {
      controller.abort();
    }
    for (const subscription of this.subscriptions) {
      subscription.dispose();
    }
    this.finishEmitter.dispose();
    this.stopEmitter.dispose();
  }

  private resumeAll(): void {
    for (const run of this.store.all()) {
      if (run.state === 'running') {
        for (const batch of run.batches) {
          this.seen(this.jobs.get(batch.key));
        }
        this.reconcile(run.id);
      }
    }
  }

  private batchFinished(job: TrackedJob): void {
    const run = this.store.byJobKey(job.key);
    if (run) {
      this.seen(job);
      this.reconcile(run.id);
    }
  }

  private wake(jobKey: string): void {
    const run = this.store.byJobKey(jobKey);
    if (run) {
      this.reconcile(run.id);
    }
  }

  private seen(job: TrackedJob | undefined): void {
    if (job && job.state !== 'running' && !this.completedSeen.has(job.key)) {
      this.completedSeen.set(job.key, this.clock.now());
    }
  }

  private mayAct(run: ExportRun | undefined): run is ExportRun {
    return run !== undefined && run.state === 'running' && !this.disposed && this.lease.held;
  }

  /** Looks at the run's newest batch and takes the next step; safe to call any number of times. */
  private reconcile(id: string): void {
    const run = this.store.get(id);
    if (!this.mayAct(run)) {
      return;
    }
    if (run.cancelRequest) {
      // Cancelled in a window without the lease: this one stops it, files included.
      void this.stop(id, 'cancelled', undefined, run.cancelRequest.keepRecords);
      return;
    }
    const last = run.batches[run.batches.length - 1];
    const job = this.jobs.get(last.key);
    if (!job) {
      void this.stop(id, 'interrupted', `${capitalise(batchName(run, last.key))} is no longer tracked.`);
      return;
    }
    if (job.state === 'failed') {
      const reason = job.lastError?.message ?? 'Zoho reported the job as failed.';
      void this.stop(id, 'failed', `${capitalise(batchName(run, job.key))} failed: ${reason}`);
      return;
    }
    if (job.state === 'completed' && job.details?.result?.record_cursor) {
      if (job.nextBatchKey) {
        void this.adopt(id, job.nextBatchKey); // created, but the window closed before it was recorded
      } else {
        this.createNext(id, job);
      }
    }
    this.drain(id);
  }

  private async adopt(id: string, childKey: string): Promise<void> {
    const run = this.store.get(id);
    const child = this.jobs.get(childKey);
    if (!run || !child || run.batches.some((batch) => batch.key === childKey)) {
      return;
    }
    await this.store.update(id, {
      batches: [...run.batches, { key: child.key, jobId: child.jobId, appended: false }],
    });
    this.seen(this.jobs.get(childKey));
    this.reconcile(id);
  }

  /** Milliseconds before this account may create a job: its pause, or the creation budget. */
  private waitBeforeCreate(accountId: string, now: number): number {
    const pause = this.jobs.pauses().find((p) => p.accountId === accountId);
    return Math.max(0, (pause?.until ?? 0) - now, this.budget.waitMs(accountId, now));
  }

  private createNext(id: string, parent: TrackedJob): void {
    const run = this.store.get(id);
    if (!this.mayAct(run) || this.creating.has(id) || this.waits.has(id)) {
      return;
    }
    const now = this.clock.now();
    if (!usableCursor(parent, now)) {
      void this.stop(id, 'interrupted', this.cursorExpiredText(run, parent));
      return;
    }
    const wait = this.waitBeforeCreate(run.accountId, now);
    if (wait > 0) {
      this.waitThen(id, parent, wait);
      return;
    }
    this.creating.add(id);
    this.budget.record(run.accountId, now);
    this.jobs
      .fetchNextBatch(parent.key)
      .then(
        (child) => this.recordChild(id, parent, child),
        (error: unknown) => this.createFailed(id, parent, error),
      )
      .catch((error: unknown) => this.logger.error(`Export ${id}: ${errorMessage(error)}`))
      .finally(() => {
        this.creating.delete(id);
        this.reconcile(id);
      });
  }

  private async recordChild(id: string, parent: TrackedJob, child: TrackedJob): Promise<void> {
    const run = this.store.get(id);
    if (!run || run.state !== 'running') {
      await this.jobs.stopTracking(child.key); // cancelled while the request was in flight
      return;
    }
    this.failures.delete(id);
    const seenAt = this.completedSeen.get(parent.key);
    const batches: ExportBatch[] = run.batches.map((batch) =>
      batch.key === parent.key && seenAt !== undefined
        ? { ...batch, nextCreatedAfterMs: this.clock.now() - seenAt }
        : batch,
    );
    batches.push({ key: child.key, jobId: child.jobId, appended: false });
    await this.store.update(id, { batches });
    this.logger.info(`Export of ${run.ref.report}: batch ${batches.length} is job ${child.jobId}.`);
    this.seen(this.jobs.get(child.key));
  }

  private createFailed(id: string, parent: TrackedJob, error: unknown): void {
    const run = this.store.get(id);
    if (!this.mayAct(run)) {
      return;
    }
    if (isZohoError(error, 'rateLimited')) {
      this.waitThen(id, parent, rateLimitPauseMs(error.retryAfterMs));
      return;
    }
    if (this.retryTransient(id, error, () => this.reconcile(id))) {
      return;
    }
    const next = run.batches.length + 1;
    void this.stop(
      id,
      'interrupted',
      `Could not create batch ${next} of ${run.ref.report}: ${errorMessage(error)}`,
    );
  }

  /** Waits `ms` (throttle or pause) unless the cursor would expire first. */
  private waitThen(id: string, parent: TrackedJob, ms: number): void {
    const run = this.store.get(id);
    if (!run) {
      return;
    }
    const left = cursorMsLeft(parent, this.clock.now()) ?? 0;
    if (ms >= left) {
      void this.stop(id, 'interrupted', this.cursorExpiredText(run, parent, true));
      return;
    }
    this.logger.info(`Export of ${run.ref.report}: next batch in ${Math.ceil(ms / 1000)} s (Zoho's limits).`);
    this.later(id, ms, () => this.reconcile(id));
  }

  private later(id: string, ms: number, then: () => void): void {
    const existing = this.waits.get(id);
    if (existing) {
      this.clock.clearTimeout(existing);
    }
    this.waits.set(
      id,
      this.clock.setTimeout(() => {
        this.waits.delete(id);
        then();
      }, ms),
    );
  }

  /** Schedules another try of a network or server failure; false when it is not one, or too many. */
  private retryTransient(id: string, error: unknown, retry: () => void): boolean {
    if (!isZohoError(error) || !TRANSIENT_KINDS.has(error.kind)) {
      return false;
    }
    const count = (this.failures.get(id) ?? 0) + 1;
    if (count > TRANSIENT_RETRIES) {
      this.failures.delete(id);
      return false;
    }
    this.failures.set(id, count);
    this.later(id, TRANSIENT_RETRY_BASE_MS * 2 ** (count - 1), retry);
    return true;
  }

  private cursorExpiredText(run: ExportRun, parent: TrackedJob, wouldExpire = false): string {
    const minutes = CURSOR_LIFETIME_MS / 60_000;
    const when = wouldExpire ? 'would expire before Zoho allows another job' : 'expired';
    return `The record cursor of ${batchName(run, parent.key)} ${when} (Zoho accepts it for ${minutes} minutes), so the rest of ${run.ref.report} could not be read. The ${run.records.toLocaleString('en-US')} records so far are kept; restart the export to read the report again.`;
  }

  /** Runs the append loop unless it runs already (then it looks again when done). */
  private drain(id: string): void {
    if (this.draining.has(id)) {
      this.again.add(id);
      return;
    }
    const loop = this.appendReady(id, false)
      .catch((error: unknown) => this.appendFailed(id, error))
      .finally(() => {
        this.draining.delete(id);
        if (this.again.delete(id)) {
          this.drain(id);
        }
      });
    this.draining.set(id, loop);
  }

  /** Appends every completed batch, in order, and completes the run after its last batch. */
  private async appendReady(id: string, stopping: boolean): Promise<void> {
    for (;;) {
      const run = this.store.get(id);
      if (!run || (!stopping && !this.mayAct(run))) {
        return;
      }
      const index = run.batches.findIndex((batch) => !batch.appended);
      if (index < 0) {
        // Everything is in: complete once the newest batch is the last one (no cursor). Also
        // reached after a reload that interrupted the completion itself.
        const newest = this.jobs.get(run.batches[run.batches.length - 1].key);
        if (!stopping && newest && isLastBatch(newest)) {
          await this.complete(id);
        }
        return;
      }
      const job = this.jobs.get(run.batches[index].key);
      if (!job || job.state !== 'completed') {
        return;
      }
      await this.append(run, index, job);
    }
  }

  private async append(run: ExportRun, index: number, job: TrackedJob): Promise<void> {
    const controller = new AbortController();
    this.aborts.set(run.id, controller);
    try {
      const started = this.clock.now();
      const result = await this.jobs.ensureResult(job.key, { signal: controller.signal });
      const fetchMs = this.clock.now() - started;
      let outcome;
      try {
        outcome = await appendCsv(
          result.path,
          workingPath(run.destination),
          run.bytesWritten,
          run.header,
          controller.signal,
        );
      } catch (error) {
        if (error instanceof HeaderMismatchError) {
          throw new ExportStop(
            'failed',
            `${capitalise(batchName(run, job.key))} cannot be merged: ${error.message}.`,
          );
        }
        throw error;
      }
      const count = job.details?.result?.count ?? 0;
      if (outcome.endsInQuotes) {
        throw new ExportStop(
          'failed',
          `${capitalise(batchName(run, job.key))} ends inside a quoted value, so it was cut short; the export was not kept. Run it again.`,
        );
      }
      if (outcome.records !== count) {
        // Checked at download too: this catches a batch file changed on disk since.
        throw new ExportStop(
          'failed',
          `${capitalise(batchName(run, job.key))} holds ${outcome.records.toLocaleString('en-US')} records but Zoho counted ${count.toLocaleString('en-US')}; the export was not kept. Run it again.`,
        );
      }
      const fresh = this.store.get(run.id) ?? run;
      await this.store.update(run.id, {
        batches: fresh.batches.map((batch, i) =>
          i === index ? { ...batch, appended: true, count, fetchMs } : batch,
        ),
        header: outcome.header,
        bytesWritten: run.bytesWritten + outcome.bytes,
        records: run.records + count,
      });
      this.failures.delete(run.id);
      // The merged file holds these records now; the batch's own copy would only double the disk used.
      await fs.rm(result.path, { force: true });
    } finally {
      this.aborts.delete(run.id);
    }
  }

  private appendFailed(id: string, error: unknown): void {
    const run = this.store.get(id);
    if (!this.mayAct(run) || isZohoError(error, 'cancelled')) {
      return;
    }
    if (error instanceof ExportStop) {
      void this.stop(id, error.state, error.message);
      return;
    }
    if (isZohoError(error, 'rateLimited')) {
      this.later(id, rateLimitPauseMs(error.retryAfterMs), () => this.reconcile(id));
      return;
    }
    if (this.retryTransient(id, error, () => this.reconcile(id))) {
      return;
    }
    // Results stay downloadable for 24 hours: the records so far are kept and a restart can follow.
    void this.stop(
      id,
      'interrupted',
      `Could not download a batch of ${run.ref.report}: ${errorMessage(error)}`,
    );
  }

  private async complete(id: string): Promise<void> {
    const run = this.store.get(id);
    if (!run) {
      return;
    }
    let working = workingPath(run.destination);
    if (!(await exists(working))) {
      if (run.renamedAt === undefined || !(await exists(run.destination))) {
        throw new ExportStop(
          'failed',
          `The merged file ${path.basename(working)} is missing, so the export cannot be completed. Run the export again.`,
        );
      }
      // This export renamed it just before the window closed: check it all the same. (A file
      // under the final name that this export did not rename is the user's and never touched.)
      working = run.destination;
    }
    // Every batch's records were counted as it was appended (and checked against Zoho's count):
    // the merged file is right if it holds exactly the bytes appended, so it is not read again.
    const size = (await fs.stat(working)).size;
    if (size !== run.bytesWritten) {
      let where = 'it was not kept';
      if (working === run.destination) {
        // Back to the working name, which a failed export discards.
        await fs.rename(working, workingPath(run.destination)).catch((error: unknown) => {
          this.logger.error(`Export ${id}: could not remove ${working}: ${errorMessage(error)}`);
          where = `remove ${path.basename(working)} yourself`;
        });
      }
      throw new ExportStop(
        'failed',
        `The merged file was changed while the export ran (${size.toLocaleString('en-US')} bytes where ${run.bytesWritten.toLocaleString('en-US')} were written), so it cannot be trusted to hold the ${run.records.toLocaleString('en-US')} records Zoho counted; ${where}. Run the export again.`,
      );
    }
    if (working !== run.destination) {
      // Recorded first: after a reload, only a file this export renamed is taken for its own.
      await this.store.update(id, { renamedAt: this.clock.now() });
      await fs.rename(working, run.destination);
    }
    const done = await this.store.update(id, { state: 'completed', finishedAt: this.clock.now() });
    this.logger.info(
      `Export of ${run.ref.report} completed: ${run.records} records in ${run.batches.length} batches.`,
    );
    if (done) {
      this.finishEmitter.fire(done);
    }
  }

  private async stop(
    id: string,
    state: Exclude<ExportState, 'running' | 'completed'>,
    error: string | undefined,
    keepRecords = state !== 'failed',
  ): Promise<ExportRun | undefined> {
    const run = this.store.get(id);
    if (!run || run.state !== 'running') {
      return run;
    }
    const waiting = this.waits.get(id);
    if (waiting) {
      this.clock.clearTimeout(waiting);
      this.waits.delete(id);
    }
    this.failures.delete(id);
    // A cancel states what it will do with the records until it has (cleared below): the row must
    // not say "discarded" while a kept file is still being named.
    const intent = state === 'cancelled' && !run.cancelRequest ? { cancelRequest: { keepRecords } } : {};
    await this.store.update(id, { state, error, finishedAt: this.clock.now(), ...intent });
    if (error) {
      this.logger.warn(`Export of ${run.ref.report} ${state}: ${error}`);
    }
    if (state === 'cancelled') {
      this.aborts.get(id)?.abort();
      for (const batch of run.batches) {
        if (this.jobs.get(batch.key)?.state === 'running') {
          await this.jobs.stopTracking(batch.key); // its records will not be read
        }
      }
    }
    await this.draining.get(id)?.catch(() => undefined);
    if (state === 'interrupted') {
      // Completed batches stay downloadable for a day: keep their records too.
      await this.appendReady(id, true).catch((e: unknown) =>
        this.logger.warn(`Export ${id}: could not append a finished batch: ${errorMessage(e)}`),
      );
    }
    let stopped = await this.keepOrDiscard(id, keepRecords);
    if (stopped?.cancelRequest) {
      // Done: the window that asked stops waiting (whenStopped).
      stopped = await this.store.update(id, { cancelRequest: undefined });
    }
    if (stopped && state !== 'cancelled') {
      this.stopEmitter.fire(stopped);
    }
    return stopped;
  }

  private async keepOrDiscard(id: string, keepRecords: boolean): Promise<ExportRun | undefined> {
    const run = this.store.get(id);
    if (!run) {
      return undefined;
    }
    const working = workingPath(run.destination);
    try {
      if (keepRecords && run.records > 0) {
        await truncateTo(working, run.bytesWritten);
        const kept = await freeName(partialPath(run.destination));
        await fs.rename(working, kept);
        return await this.store.update(id, { keptPath: kept });
      }
      await fs.rm(working, { force: true });
    } catch (error) {
      this.logger.error(`Export ${id}: could not tidy ${working}: ${errorMessage(error)}`);
    }
    return this.store.get(id);
  }
}

async function exists(filePath: string): Promise<boolean> {
  return fs.access(filePath).then(
    () => true,
    () => false,
  );
}

/** `name`, or `name (2)`, `(3)`... before the extension: a kept partial file never replaces another. */
async function freeName(filePath: string): Promise<string> {
  const dot = filePath.lastIndexOf('.');
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? filePath : `${filePath.slice(0, dot)} (${n})${filePath.slice(dot)}`;
    if (!(await exists(candidate))) {
      return candidate;
    }
  }
}

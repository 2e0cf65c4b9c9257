// Export Whole Report: runs every batch of a report by itself. As soon as a batch completes the
// next one is created from its record cursor (docs/zoho-bulk-read-api.md, "Creating a job": the cursor lives 15 minutes),
// and each batch's CSV is appended, in order, to one working file that is renamed to its final
// name only once the last batch (the one without a cursor) is in and the records add up.
//
// Built on the job service's public API and events: the batches are ordinary tracked jobs, so
// polling, pauses, downloads and persistence stay in one place.
// Over the guide's ~400 lines: the batch chain, the fenced takeover and stopping share one run's
// state under one lock; issue 18 splits them (a batch chain and a merged-file writer of their own).
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { capitalise, errorMessage } from '../core/format';
import { soleLease, type Lease } from '../core/lease';
import { Disposable, Emitter, type Event, type IDisposable } from '../core/lifecycle';
import type { Clock, Logger, TimerHandle } from '../core/ports';
import { LocalRefusal } from '../core/refusal';
import { rateLimitPauseMs } from '../jobs/accountStates';
import { CURSOR_LIFETIME_MS, cursorMsLeft, usableCursor, type TrackedJob } from '../jobs/model';
import type { JobServiceApi } from '../jobs/serviceApi';
import { isZohoError } from '../zoho/errors';
import type { FirstBatchQuery, ReportRef } from '../zoho/types';
import { appendCsv, HeaderMismatchError, truncateTo } from './appendCsv';
import { CreateBudget } from './createBudget';
import { ExportStore, type ExportChange } from './exportStore';
import { partialPath, workingPath, type ExportBatch, type ExportRun, type ExportRunState } from './model';
import { copyPrefix, exists, mismatch, publish } from './workingFile';
import {
  ExportStop,
  Fenced,
  StopText,
  TRANSIENT_RETRY_BASE_MS,
  TRANSIENT_TRIES,
  batchName,
  createStep,
  cursorDigest,
  diskFullText,
  downloadStep,
  freeBytes,
  freeName,
  isDiskFull,
  isTransient,
  keptText,
  takeoverDiskFullText,
  withCursor,
} from './runParts';

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

export interface ExportsApi extends IDisposable {
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
  /**
   * Checks a completed export's file against what the run recorded (bytes, then records) before a
   * window reads it: the problem in words (also stored as the run's `error`), or undefined.
   */
  verifyCompleted(id: string): Promise<string | undefined>;
}

export interface ExportRunnerOptions {
  jobs: JobServiceApi;
  store: ExportStore;
  clock: Clock;
  logger: Logger;
  lease?: ExportLease;
}

/**
 * How long Cancel in a window without the lease waits for the window with it to stop the export
 * (a hung window loses the lease within 8 s, 12 s if it hung holding the lease file's lock: see
 * core/lease.ts; the next holder carries the cancel out).
 */
export const CANCEL_HANDOVER_MS = 30_000;

/** Stopped, and its file kept or discarded (the lease holder clears the request last). */
function stoppedAndTidied(run: ExportRun): boolean {
  return run.state !== 'running' && run.cancelRequest === undefined;
}

function isLastBatch(job: TrackedJob): boolean {
  return job.state === 'completed' && !job.details?.result?.record_cursor;
}

export class ExportRunner extends Disposable implements ExportsApi {
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
  private readonly subscriptions: IDisposable[] = [];
  /** Runs whose next batch is being created. */
  private readonly creating = new Set<string>();
  /**
   * Steps waiting (throttle, pause, transient error) before they are tried again: keyed by the run
   * id for its next creation, by downloadStep() for a batch's download.
   */
  private readonly waits = new Map<string, TimerHandle>();
  /** Failed tries of each step (see TRANSIENT_TRIES), keyed like `waits`. */
  private readonly failures = new Map<string, number>();
  /** This window's fencing token for each run it drives (the run's `writer` while it is ours). */
  private readonly claims = new Map<string, string>();
  private readonly claiming = new Map<string, Promise<void>>();
  /** The append loop of each run, one at a time; `again` asks it to look once more when done. */
  private readonly draining = new Map<string, Promise<void>>();
  private readonly stopping = new Map<string, Promise<ExportRun | undefined>>();
  private readonly again = new Set<string>();
  private readonly aborts = new Map<string, AbortController>();
  /** When each batch was seen completing (for the completion -> next creation figure). */
  private readonly completedSeen = new Map<string, number>();
  private disposed = false;

  constructor(options: ExportRunnerOptions) {
    super();
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
      throw new LocalRefusal(
        `${path.basename(request.destination)} is being written by the running export of ${busy.ref.report}. Wait for it, cancel it, or choose another file.`,
      );
    }
    const writer = randomUUID();
    const working = workingPath({ destination: request.destination, writer });
    await fs.mkdir(path.dirname(working), { recursive: true });
    await truncateTo(working, 0);
    this.budget.record(request.accountId, this.clock.now());
    // The id comes first: the batch is stored as this export's from its creation on.
    const id = randomUUID();
    let job: TrackedJob;
    try {
      job = await this.jobs.createJob(request.accountId, request.ref, request.query, id);
    } catch (error) {
      await fs.rm(working, { force: true });
      throw error;
    }
    const run: ExportRun = {
      id,
      accountId: request.accountId,
      ref: { ...request.ref },
      query: request.query,
      destination: request.destination,
      state: 'running',
      batches: [{ key: job.key, jobId: job.jobId, appended: false }],
      bytesWritten: 0,
      records: 0,
      startedAt: this.clock.now(),
      writer,
    };
    if (request.definition) {
      run.definition = request.definition;
    }
    this.claims.set(run.id, writer);
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
      throw new LocalRefusal('This export is no longer listed.');
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

  async verifyCompleted(id: string): Promise<string | undefined> {
    const run = this.store.get(id);
    if (run?.state !== 'completed') {
      return undefined;
    }
    const name = path.basename(run.destination);
    const problem = (await exists(run.destination))
      ? await mismatch(run.destination, { bytes: run.bytesWritten, records: run.records })
      : 'it is no longer there';
    const error =
      problem === undefined
        ? undefined
        : `${name} is not the file this export wrote (${problem}), so it cannot be trusted to hold exactly the ${run.records.toLocaleString('en-US')} records Zoho counted. Run the export again.`;
    if (error !== run.error) {
      await this.store.update(id, { error });
    }
    return error;
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

  protected override onDispose(): void {
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

  /** This window's token when it is the run's writer (as far as it knows: writes check again). */
  private token(run: ExportRun | undefined): string | undefined {
    const token = run && this.claims.get(run.id);
    return token !== undefined && token === run?.writer ? token : undefined;
  }

  /**
   * Makes this window the run's writer: copies the recorded bytes of the previous writer's file
   * into a new file of its own, then stores its token if nobody changed the run meanwhile. The
   * previous writer may be paused mid-append: it wakes up to a file nobody reads, and is refused
   * when it records anything.
   */
  private takeOver(id: string): Promise<void> {
    let claiming = this.claiming.get(id);
    if (!claiming) {
      claiming = this.claim(id)
        .catch((error: unknown) =>
          this.logger.error(`Export ${id}: could not take it over: ${errorMessage(error)}`),
        )
        .finally(() => this.claiming.delete(id));
      this.claiming.set(id, claiming);
    }
    return claiming;
  }

  private async claim(id: string): Promise<void> {
    const run = this.store.get(id);
    if (!this.mayAct(run) || this.token(run)) {
      return;
    }
    const writer = randomUUID();
    const previous = workingPath(run);
    const mine = workingPath({ destination: run.destination, writer });
    let problem: string | undefined;
    if (await exists(previous)) {
      // Room for the copy first: a copy that fills the disk must not cost the only copy.
      const room = await freeBytes(path.dirname(previous));
      const copied =
        room !== undefined && room < run.bytesWritten
          ? 'full'
          : await copyPrefix(previous, mine, run.bytesWritten).then(
              () => 'done',
              (error: unknown) => (isDiskFull(error) ? 'full' : error),
            );
      if (copied === 'full') {
        await fs.rm(mine, { force: true });
        await this.keepUncopied(run, writer, previous, room);
        return;
      }
      if (copied !== 'done') {
        problem = `The merged file ${path.basename(previous)} was changed while the export ran (${errorMessage(copied)}), so it cannot be trusted to hold the ${run.records.toLocaleString('en-US')} records read so far; it was not kept. Run the export again.`;
      }
    } else if (run.bytesWritten === 0) {
      await fs.writeFile(mine, '', { flag: 'wx' });
    } else if (run.renamedAt === undefined) {
      problem = `The merged file ${path.basename(previous)} is missing, so the export cannot go on. Run the export again.`;
    }
    // Else the previous writer gave the file its final name: complete() checks it.
    const claimed = await this.store.claim(id, writer, run);
    if (!claimed) {
      await fs.rm(mine, { force: true });
      return; // another window took it, or it moved on: the change event brings us back
    }
    this.claims.set(id, writer);
    this.logger.info(`Export of ${run.ref.report}: this window writes it now.`);
    // A late write of the previous writer lands in a file nobody has any more.
    await fs.rm(previous, { force: true });
    if (problem) {
      await this.stop(id, 'failed', problem);
      return;
    }
    this.reconcile(id);
  }

  /**
   * The disk has no room to copy the previous writer's file: the export stops here, in one write
   * that also fences the previous writer (a new token), and that file itself is kept as the
   * partial file (cut to the bytes recorded; a rename needs no room). Nothing is deleted.
   */
  private async keepUncopied(
    run: ExportRun,
    writer: string,
    previous: string,
    room: number | undefined,
  ): Promise<void> {
    const kept = await freeName(partialPath(run.destination));
    const keptPath = run.records > 0 ? kept : undefined;
    const patch: Partial<ExportRun> = { state: 'interrupted', finishedAt: this.clock.now(), keptPath };
    patch.error = takeoverDiskFullText({ ...run, ...patch }, room);
    const stopped = await this.store.claim(run.id, writer, run, patch);
    if (!stopped) {
      return; // another window took it, or it moved on: the change event brings us back
    }
    try {
      if (keptPath) {
        await truncateTo(previous, run.bytesWritten);
        await fs.rename(previous, keptPath);
      }
    } catch (error) {
      this.logger.error(`Export ${run.id}: could not keep ${previous}: ${errorMessage(error)}`);
    }
    this.logger.warn(`Export of ${run.ref.report} interrupted: ${stopped.error ?? ''}`);
    this.stopEmitter.fire(stopped);
  }

  /** Looks at the run's newest batch and takes the next step; safe to call any number of times. */
  private reconcile(id: string): void {
    const run = this.store.get(id);
    if (!this.mayAct(run)) {
      return;
    }
    if (!this.token(run)) {
      void this.takeOver(id);
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
    const writer = this.token(run);
    if (!run || !writer || !child || run.batches.some((batch) => batch.key === childKey)) {
      return;
    }
    const parent = this.jobs.get(run.batches[run.batches.length - 1].key);
    await this.store.updateAs(id, writer, {
      batches: [...run.batches, { key: child.key, jobId: child.jobId, appended: false }],
      cursors: withCursor(run, parent),
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
    const cursor = parent.details?.result?.record_cursor ?? '';
    if (run.cursors?.includes(cursorDigest(cursor))) {
      // Zoho gave a cursor this run has read from already: the next batch would repeat records.
      const text = (stopped: ExportRun): string =>
        `Zoho returned a record cursor for ${batchName(stopped, parent.key)} that an earlier batch of ${stopped.ref.report} was already read from, so the export would repeat records without end; it was stopped after ${stopped.batches.length} batches. ${keptText(stopped)} Run the export again; if it stops the same way, the report cannot be read in batches now.`;
      void this.stop(id, 'failed', text, true);
      return;
    }
    const now = this.clock.now();
    if (!usableCursor(parent, now)) {
      void this.stop(id, 'interrupted', (stopped) => this.cursorExpiredText(stopped, parent));
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
    const writer = this.token(run);
    if (!run || run.state !== 'running') {
      await this.jobs.stopTracking(child.key); // cancelled while the request was in flight
      return;
    }
    this.failures.delete(createStep(id, parent.key));
    const seenAt = this.completedSeen.get(parent.key);
    const batches: ExportBatch[] = run.batches.map((batch) =>
      batch.key === parent.key && seenAt !== undefined
        ? { ...batch, nextCreatedAfterMs: this.clock.now() - seenAt }
        : batch,
    );
    batches.push({ key: child.key, jobId: child.jobId, appended: false });
    // Refused when another window took the run over meanwhile: it adopts the child (nextBatchKey).
    if (writer && (await this.store.updateAs(id, writer, { batches, cursors: withCursor(run, parent) }))) {
      this.logger.info(`Export of ${run.ref.report}: batch ${batches.length} is job ${child.jobId}.`);
    }
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
    if (this.retryTransient(id, createStep(id, parent.key), error, () => this.reconcile(id))) {
      return;
    }
    const next = run.batches.length + 1;
    void this.stop(
      id,
      'interrupted',
      (stopped) =>
        `Could not create batch ${next} of ${stopped.ref.report}: ${errorMessage(error)} ${keptText(stopped)}`,
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
      void this.stop(id, 'interrupted', (stopped) => this.cursorExpiredText(stopped, parent, true));
      return;
    }
    this.logger.info(`Export of ${run.ref.report}: next batch in ${Math.ceil(ms / 1000)} s (Zoho's limits).`);
    this.later(id, ms, () => this.reconcile(id));
  }

  /** Runs `then` after `ms`; `key` is the run id (its next creation) or a downloadStep. */
  private later(key: string, ms: number, then: () => void): void {
    const existing = this.waits.get(key);
    if (existing) {
      this.clock.clearTimeout(existing);
    }
    this.waits.set(
      key,
      this.clock.setTimeout(() => {
        this.waits.delete(key);
        then();
      }, ms),
    );
  }

  /**
   * Schedules another try of a step failing with a network or server error, after a growing wait
   * (`waitKey` holds it, so no event tries sooner); false when it is not one, or the step had
   * its TRANSIENT_TRIES.
   */
  private retryTransient(waitKey: string, step: string, error: unknown, retry: () => void): boolean {
    if (!isZohoError(error) || !isTransient(error)) {
      return false;
    }
    const tries = (this.failures.get(step) ?? 0) + 1;
    this.failures.set(step, tries);
    if (tries >= TRANSIENT_TRIES) {
      return false; // kept: appendReady tries it no more, not even while stopping
    }
    this.later(waitKey, TRANSIENT_RETRY_BASE_MS * 2 ** (tries - 1), retry);
    return true;
  }

  private cursorExpiredText(run: ExportRun, parent: TrackedJob, wouldExpire = false): string {
    const minutes = CURSOR_LIFETIME_MS / 60_000;
    const when = wouldExpire ? 'would expire before Zoho allows another job' : 'expired';
    return `The record cursor of ${batchName(run, parent.key)} ${when} (Zoho accepts it for ${minutes} minutes), so the rest of ${run.ref.report} could not be read. ${keptText(run)} Restart the export to read the report again.`;
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
      const writer = this.token(run);
      if (!run || !writer || (!stopping && !this.mayAct(run))) {
        return;
      }
      const index = run.batches.findIndex((batch) => !batch.appended);
      if (index < 0) {
        // Everything is in: complete once the newest batch is the last one (no cursor). Also
        // reached after a reload that interrupted the completion itself.
        const newest = this.jobs.get(run.batches[run.batches.length - 1].key);
        if (!stopping && newest && isLastBatch(newest)) {
          await this.complete(id, writer);
        }
        return;
      }
      const job = this.jobs.get(run.batches[index].key);
      const step = job && downloadStep(id, job.key);
      if (
        !job ||
        !step ||
        job.state !== 'completed' ||
        (!stopping && this.waits.has(step)) ||
        (this.failures.get(step) ?? 0) >= TRANSIENT_TRIES
      ) {
        return; // not there yet, its download waits before another try, or had its tries
      }
      if (!stopping && !this.failures.has(step) && job.download === 'failed' && isTransient(job.lastError)) {
        // The job service's own download, when the batch completed, was this step's first try.
        this.failures.set(step, 1);
        this.later(step, TRANSIENT_RETRY_BASE_MS, () => this.reconcile(id));
        return;
      }
      await this.append(run, writer, index, job);
    }
  }

  private async append(run: ExportRun, writer: string, index: number, job: TrackedJob): Promise<void> {
    const controller = new AbortController();
    this.aborts.set(run.id, controller);
    const step = downloadStep(run.id, job.key);
    try {
      const started = this.clock.now();
      const result = await this.jobs.ensureResult(job.key, { signal: controller.signal });
      this.failures.delete(step);
      const fetchMs = this.clock.now() - started;
      const working = workingPath(run);
      let outcome;
      try {
        outcome = await appendCsv(result.path, working, run.bytesWritten, run.header, controller.signal);
      } catch (error) {
        if (error instanceof HeaderMismatchError) {
          throw new ExportStop(
            'failed',
            `${capitalise(batchName(run, job.key))} cannot be merged: ${error.message}.`,
          );
        }
        if (isDiskFull(error)) {
          throw new ExportStop('interrupted', (stopped) => diskFullText(stopped, job, result.bytes));
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
      const recorded = await this.store.updateAs(run.id, writer, {
        batches: fresh.batches.map((batch, i) =>
          i === index ? { ...batch, appended: true, count, fetchMs } : batch,
        ),
        header: outcome.header,
        bytesWritten: run.bytesWritten + outcome.bytes,
        records: run.records + count,
      });
      if (!recorded) {
        // Another window took the run over while this one appended (it was paused, say): what it
        // wrote is in its own file, which nobody reads; the batch's copy is the new writer's now.
        await fs.rm(working, { force: true });
        throw new Fenced();
      }
      // The merged file holds these records now; the batch's own copy would only double the disk used.
      await fs.rm(result.path, { force: true });
    } finally {
      this.aborts.delete(run.id);
    }
  }

  private appendFailed(id: string, error: unknown): void {
    const run = this.store.get(id);
    if (error instanceof Fenced) {
      this.logger.info(`Export ${id}: another window writes it now; this one stopped writing.`);
      return;
    }
    if (!this.mayAct(run) || isZohoError(error, 'cancelled')) {
      return;
    }
    if (error instanceof ExportStop) {
      void this.stop(id, error.state, error.text);
      return;
    }
    const index = run.batches.findIndex((batch) => !batch.appended);
    const batch = run.batches[index] ?? run.batches[run.batches.length - 1];
    const step = downloadStep(id, batch.key);
    if (isZohoError(error, 'rateLimited')) {
      this.later(step, rateLimitPauseMs(error.retryAfterMs), () => this.reconcile(id));
      return;
    }
    if (this.retryTransient(step, step, error, () => this.reconcile(id))) {
      return;
    }
    // Results stay downloadable for 24 hours: the records so far are kept and a restart can follow.
    const tries = isZohoError(error) && isTransient(error) ? ` (tried ${TRANSIENT_TRIES} times)` : '';
    void this.stop(
      id,
      'interrupted',
      (stopped) =>
        `Could not download ${batchName(stopped, batch.key)} of ${stopped.ref.report}${tries}: ${errorMessage(error)} ${keptText(stopped)} Restart the export to try again.`,
    );
  }

  private async complete(id: string, writer: string): Promise<void> {
    const run = this.store.get(id);
    if (!run) {
      return;
    }
    let working = workingPath(run);
    if (!(await exists(working))) {
      if (run.renamedAt === undefined || !(await exists(run.destination))) {
        throw new ExportStop(
          'failed',
          `The merged file ${path.basename(working)} is missing, so the export cannot be completed. Run the export again.`,
        );
      }
      // This export gave it its final name just before the window closed (or was paused): check
      // it all the same. (A file under the final name that this export did not name is the user's
      // and never touched.)
      working = run.destination;
    }
    await this.verify(run, working);
    if (working !== run.destination) {
      // Recorded first: after a reload, only a file this export named is taken for its own.
      if (!(await this.store.updateAs(id, writer, { renamedAt: this.clock.now() }))) {
        throw new Fenced();
      }
      if ((await publish(working, run.destination)) === 'exists') {
        if (this.store.get(id)?.writer !== writer) {
          throw new Fenced(); // a late writer never replaces the file
        }
        // The user agreed to replace it when the export started (or an earlier writer of this run
        // woke up late and named its own, checked, copy): this run's checked file takes its place.
        await fs.rename(working, run.destination);
      }
    }
    const done = await this.store.updateAs(id, writer, { state: 'completed', finishedAt: this.clock.now() });
    if (!done) {
      throw new Fenced();
    }
    this.logger.info(
      `Export of ${run.ref.report} completed: ${run.records} records in ${run.batches.length} batches.`,
    );
    this.finishEmitter.fire(done);
  }

  /**
   * Throws unless `file` holds exactly the bytes and records the run recorded: a write from
   * anywhere else (a late window, the user) means it cannot be trusted. A file under the final
   * name goes back to the working name, which a failed export discards.
   */
  private async verify(run: ExportRun, file: string): Promise<void> {
    const problem = await mismatch(file, { bytes: run.bytesWritten, records: run.records });
    if (problem === undefined) {
      return;
    }
    let where = 'it was not kept';
    if (file === run.destination) {
      await fs.rename(file, workingPath(run)).catch((error: unknown) => {
        this.logger.error(`Export ${run.id}: could not remove ${file}: ${errorMessage(error)}`);
        where = `remove ${path.basename(file)} yourself`;
      });
    }
    throw new ExportStop(
      'failed',
      `The merged file was changed while the export ran (${problem}), so it cannot be trusted to hold the ${run.records.toLocaleString('en-US')} records Zoho counted; ${where}. Run the export again.`,
    );
  }

  /**
   * Stops the run. `text` says why; as a function it is told once the records so far are kept or
   * discarded, so its numbers are the ones the user finds.
   */
  private stop(
    id: string,
    state: Exclude<ExportRunState, 'running' | 'completed'>,
    text: StopText | undefined,
    keepRecords = state !== 'failed',
  ): Promise<ExportRun | undefined> {
    // One stop at a time: the run shows its new state only once the file took it
    // (ExportStore.updateAs), so a second caller meanwhile still sees it running.
    let stopping = this.stopping.get(id);
    if (!stopping) {
      stopping = this.stopOnce(id, state, text, keepRecords).finally(() => this.stopping.delete(id));
      this.stopping.set(id, stopping);
    }
    return stopping;
  }

  private async stopOnce(
    id: string,
    state: Exclude<ExportRunState, 'running' | 'completed'>,
    text: StopText | undefined,
    keepRecords: boolean,
  ): Promise<ExportRun | undefined> {
    let run = this.store.get(id);
    if (!run || run.state !== 'running') {
      return run;
    }
    if (!this.token(run) && this.mayAct(run)) {
      await this.takeOver(id);
      run = this.store.get(id);
    }
    const writer = this.token(run);
    if (!run || !writer || run.state !== 'running') {
      return run; // another window writes it: only that one may touch its file
    }
    for (const [key, timer] of [...this.waits]) {
      if (key === id || key.startsWith(`${id}|`)) {
        this.clock.clearTimeout(timer);
        this.waits.delete(key);
      }
    }
    // A text that counts what is kept is set once it is known, never before with numbers not yet true.
    const error = typeof text === 'function' ? undefined : text;
    // A cancel states what it will do with the records until it has (cleared below): the row must
    // not say "discarded" while a kept file is still being named.
    const intent = state === 'cancelled' && !run.cancelRequest ? { cancelRequest: { keepRecords } } : {};
    if (!(await this.store.updateAs(id, writer, { state, error, finishedAt: this.clock.now(), ...intent }))) {
      return this.store.get(id);
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
    if (state === 'interrupted' || (state === 'failed' && keepRecords)) {
      // Completed batches stay downloadable for a day: keep their records too.
      await this.appendReady(id, true).catch((e: unknown) =>
        this.logger.warn(`Export ${id}: could not append a finished batch: ${errorMessage(e)}`),
      );
    }
    for (const key of [...this.failures.keys()]) {
      if (key.startsWith(`${id}|`)) {
        this.failures.delete(key);
      }
    }
    const keptPath = await this.keepOrDiscard(id, keepRecords);
    let stopped = this.store.get(id);
    if (stopped && (keptPath !== undefined || typeof text === 'function')) {
      // One write: a window that sees the kept file sees the message that names it.
      const patch: Partial<ExportRun> = keptPath === undefined ? {} : { keptPath };
      if (typeof text === 'function') {
        patch.error = text({ ...stopped, ...patch });
      }
      stopped = (await this.store.updateAs(id, writer, patch)) ?? this.store.get(id);
    }
    if (stopped?.error) {
      this.logger.warn(`Export of ${run.ref.report} ${state}: ${stopped.error}`);
    }
    if (stopped?.cancelRequest) {
      // Done: the window that asked stops waiting (whenStopped).
      stopped = await this.store.updateAs(id, writer, { cancelRequest: undefined });
    }
    if (stopped && state !== 'cancelled') {
      this.stopEmitter.fire(stopped);
    }
    return stopped;
  }

  /** Keeps the records so far under a free `….partial.csv` name (returned), or removes the file. */
  private async keepOrDiscard(id: string, keepRecords: boolean): Promise<string | undefined> {
    const run = this.store.get(id);
    if (!run) {
      return undefined;
    }
    const working = workingPath(run);
    try {
      if (keepRecords && run.records > 0) {
        await truncateTo(working, run.bytesWritten);
        const kept = await freeName(partialPath(run.destination));
        await fs.rename(working, kept);
        return kept;
      }
      await fs.rm(working, { force: true });
    } catch (error) {
      this.logger.error(`Export ${id}: could not tidy ${working}: ${errorMessage(error)}`);
    }
    return undefined;
  }
}

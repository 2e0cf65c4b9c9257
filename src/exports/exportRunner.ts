// Export Whole Report: runs every batch of a report by itself and merges them into one verified
// CSV. This is the front (./exportsApi.ts) over the parts that share one RunContext
// (./runContext.ts):
// - BatchChain (./batchChain.ts): creates the next batch from each completed batch's cursor;
// - BatchMerger (./batchMerger.ts): appends the completed batches, in order, to the working file;
// - MergedFileWriter (./mergedFile.ts): the working file on disk, checked, named, kept;
// - RetryPolicy (./retryPolicy.ts): when a failing step is tried again;
// - RunCompletion (./runCompletion.ts): completes or stops a run;
// - WriterClaims (./writerClaims.ts): which window writes a run (fenced takeover).
// This file starts, cancels, restarts and removes runs, and decides a run's next step (reconcile).
// A run of an incremental definition is planned here (./incremental.ts decides, this file asks)
// and merged into its snapshot by RunCompletion; a start holds its destination's claim
// (./startClaim.ts) until its run is added. That start path is why the file is over 400 lines.
//
// Built on the job service's public API and events: the batches are ordinary tracked jobs, so
// polling, pauses, downloads and persistence stay in one place.
import { randomUUID } from '../core/nodeCrypto';
import * as path from 'node:path';
import { capitalise } from '../core/format';
import { soleLease } from '../core/lease';
import { Disposable, Emitter, type Event, type IDisposable } from '../core/lifecycle';
import type { Clock, Logger } from '../core/ports';
import { LocalRefusal } from '../core/refusal';
import type { TrackedJob } from '../jobs/model';
import type { Application } from '../zoho/types';
import type { JobServiceApi } from '../jobs/serviceApi';
import { ExportStore, type ExportChange } from './exportStore';
import type { ExportLease, ExportsApi, StartExport } from './exportsApi';
import { planIncrementalRun, type IncrementalPlan } from './incremental';
import { MergedFileWriter } from './mergedFile';
import type { ExportRun } from './model';
import { RetryPolicy } from './retryPolicy';
import type { RunContext } from './runContext';
import { RunAnnouncer } from './runAnnouncer';
import { RunMachinery } from './runMachinery';
import { withStartClaim, type StillClaimed } from './startClaim';
import type { LastRunFigures, LastRunQuery, RunHistory } from './runHistory';
import { RunHistoryRecorder } from './runHistoryRecorder';
import { batchName } from './runParts';
import { WriterClaims } from './writerClaims';

export type { ExportLease, ExportsApi, StartExport } from './exportsApi';

/**
 * What the newest completed run of a definition (in the mode this run uses) measured: how long its
 * first batch ran (ms, creation to completion seen) and how many records it read in all.
 */
export type { LastRunFigures, LastRunQuery };

/** The definition's last completed run of the same mode, from the run history (undefined: none known). */
export type LastRunOf = (run: LastRunQuery) => LastRunFigures | undefined;

export interface ExportRunnerOptions {
  jobs: JobServiceApi;
  store: ExportStore;
  clock: Clock;
  logger: Logger;
  lease?: ExportLease;
  /** The accounts this process can act for (see jobs/resultDownloads.ts, `serves`; default: all). */
  serves?: (accountId: string) => boolean;
  /** The account's applications (metadata): an incremental run reads its app's date format there. */
  applications?: (accountId: string) => Promise<Application[]>;
  /** Where finished runs of saved definitions are recorded (none: not recorded). */
  history?: RunHistory;
  /**
   * Times the status checks of a definition's run: its first batch by the last run's, its last
   * batch by the last run's records (default: the history's last completed run of the same mode).
   */
  lastRunOf?: LastRunOf;
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
  private readonly serves: (accountId: string) => boolean;
  private readonly lastRunOf: LastRunOf;
  private readonly subscriptions: IDisposable[] = [];
  private readonly ctx: RunContext;
  private readonly claims: WriterClaims;
  private readonly parts: RunMachinery;
  private readonly recorder: RunHistoryRecorder;
  private readonly announcer: RunAnnouncer;
  private disposed = false;
  private readonly applications: ExportRunnerOptions['applications'];
  private readonly appCache = new Map<string, Promise<Application[]>>();

  constructor(options: ExportRunnerOptions) {
    super();
    this.serves = options.serves ?? (() => true);
    this.jobs = options.jobs;
    this.store = options.store;
    this.clock = options.clock;
    this.logger = options.logger;
    this.lease = options.lease ?? soleLease;
    this.applications = options.applications;
    const history = options.history;
    this.lastRunOf = options.lastRunOf ?? (history ? (which) => history.lastRunOf(which) : () => undefined);
    this.onDidChangeExport = this.store.onDidChange;
    this.recorder = new RunHistoryRecorder(this.jobs, options.history);
    this.announcer = new RunAnnouncer(this.jobs, this.store, this.logger, {
      finished: (run) => this.finishEmitter.fire(run),
      stopped: (run) => this.stopEmitter.fire(run),
    });
    this.ctx = {
      jobs: this.jobs,
      store: this.store,
      clock: this.clock,
      logger: this.logger,
      retries: new RetryPolicy(this.clock),
      files: new MergedFileWriter(this.logger),
      mayAct: (run): run is ExportRun => this.mayAct(run),
      token: (run) => this.claims.token(run),
      reconcile: (id) => this.reconcile(id),
      takeOver: (id) => this.claims.takeOver(id),
      stop: (id, state, text, keepRecords) => this.parts.completion.stop(id, state, text, keepRecords),
      complete: (id, writer) => this.parts.completion.complete(id, writer),
      finished: (run) => this.announcer.tell(run, 'finished'),
      stopped: (run) => this.announcer.tell(run, 'stopped'),
      record: (run, sha256) => this.recorder.record(run, sha256),
    };
    this.claims = new WriterClaims(this.ctx);
    this.parts = new RunMachinery(this.ctx);
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

  start(request: StartExport): Promise<ExportRun> {
    return withStartClaim(request.destination, (claimed) => this.startClaimed(request, claimed));
  }

  private async startClaimed(request: StartExport, claimed: StillClaimed): Promise<ExportRun> {
    this.store.sync(); // a run another window added under the claim it held before
    const busy = this.store
      .all()
      .find(
        (run) =>
          run.state === 'running' &&
          (run.destination === request.destination || run.snapshot === request.destination),
      );
    if (busy) {
      // Its working file would be cut short under it.
      throw new LocalRefusal(
        `${path.basename(request.destination)} is being written by the running export of ${busy.ref.report}. Wait for it, cancel it, or choose another file.`,
      );
    }
    const plan = request.incremental && (await this.planIncremental(request));
    const destination = plan ? plan.runFile : request.destination;
    const query = { ...request.query };
    if (plan) {
      delete query.criteria;
      if (plan.criteria) {
        query.criteria = plan.criteria;
      }
      this.logger.info(
        `Export of ${request.ref.report}: ${plan.mode === 'full' ? 'a full' : 'an incremental'} run (${plan.reason}).`,
      );
    }
    const writer = randomUUID();
    const working = await this.ctx.files.begin(destination, writer);
    this.parts.chain.recordCreation(request.accountId);
    // The id comes first: the batch is stored as this export's from its creation on.
    const id = randomUUID();
    let job: TrackedJob;
    const lastRun =
      request.definition === undefined
        ? undefined
        : this.lastRunOf({
            definition: request.definition,
            definitionsFile: request.definitionsFile,
            mode: plan?.mode ?? 'full',
          });
    try {
      const expected = lastRun ? { expectedMs: lastRun.firstBatchMs, fromEarlierRun: true as const } : {};
      job = await this.jobs.createJob(request.accountId, request.ref, query, id, expected);
    } catch (error) {
      await this.ctx.files.remove(working);
      throw error;
    }
    const run: ExportRun = {
      id,
      accountId: request.accountId,
      ref: { ...request.ref },
      query,
      destination,
      state: 'running',
      batches: [{ key: job.key, jobId: job.jobId, appended: false }],
      bytesWritten: 0,
      records: 0,
      startedAt: this.clock.now(),
      writer,
    };
    if (request.definition) {
      run.definition = request.definition;
      if (request.definitionsFile) {
        run.definitionsFile = request.definitionsFile;
      }
    }
    if (plan) {
      Object.assign(run, incrementalFields(plan, request.destination));
    }
    const records = lastRun?.records;
    if (records !== undefined && Number.isSafeInteger(records) && records >= 0) {
      run.expectedRecords = records;
    }
    const giveUp = async (listed: boolean): Promise<never> => {
      // This window paused while starting past the claim's life, and another may have started.
      if (listed) {
        await this.store.remove(run.id);
      }
      await this.jobs.stopTracking(job.key);
      await this.ctx.files.remove(working);
      throw new LocalRefusal(
        `Another window started an export into ${path.basename(destination)} meanwhile.`,
      );
    };
    if (!(await claimed())) {
      await giveUp(false);
    }
    this.claims.own(run.id, writer);
    await this.store.add(run);
    // Asked again once listed: a pause between the check above and the listing loses the claim
    // too, and then this run, not the other window's, is taken back.
    if (!(await claimed())) {
      await giveUp(true);
    }
    this.logger.info(`Export of ${request.ref.report} started with job ${job.jobId}.`);
    // A job that completed at once fired its finish event before the run knew it: look now.
    this.parts.chain.seen(this.jobs.get(job.key));
    this.reconcile(run.id);
    return this.store.get(run.id) ?? run;
  }

  async cancel(id: string, keepRecords: boolean): Promise<ExportRun | undefined> {
    const run = this.store.get(id);
    if (!run || run.state !== 'running' || this.lease.held) {
      return this.parts.completion.stop(id, 'cancelled', undefined, keepRecords);
    }
    // The window holding the lease drives this export and may be appending to its file right now:
    // only it may cut, rename or delete that file. Ask it, and wait until it has.
    await this.store.requestCancel(id, keepRecords);
    return this.whenStopped(id, CANCEL_HANDOVER_MS);
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
      destination: run.snapshot ?? run.destination,
      definition: run.definition,
      definitionsFile: run.definitionsFile,
      // Planned again from the snapshot: a failed run left it (and its state) as it was.
      ...(run.snapshot && {
        query: { ...run.query, criteria: run.ownCriteria },
        incremental: { fullRunEvery: Infinity, full: run.mode === 'full' },
      }),
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
    if (run.replacedBy !== undefined) {
      return undefined; // a later run replaced the file, as the user asked: not a file that went wrong
    }
    const error = await this.ctx.files.checkCompleted(run);
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
    this.ctx.retries.dispose();
    this.parts.dispose();
    this.recorder.dispose();
    this.announcer.dispose();
    for (const subscription of this.subscriptions) {
      subscription.dispose();
    }
    this.finishEmitter.dispose();
    this.stopEmitter.dispose();
  }

  /** How an incremental definition's run fetches (./incremental.ts); its app's format is read once per app. */
  private planIncremental(request: StartExport): Promise<IncrementalPlan> {
    return planIncrementalRun({
      snapshot: request.destination,
      report: request.ref.report,
      criteria: request.query.criteria,
      fields: request.query.fields,
      request: request.incremental ?? { fullRunEvery: Infinity },
      now: this.clock.now(),
      application: async () => {
        const key = `${request.accountId}\n${request.ref.app}`;
        let apps = this.appCache.get(key);
        if (!apps) {
          apps = this.applications?.(request.accountId) ?? Promise.resolve([]);
          this.appCache.set(key, apps);
          apps.catch(() => this.appCache.delete(key));
        }
        return (await apps).find((app) => app.link_name === request.ref.app);
      },
    });
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

  private resumeAll(): void {
    for (const run of this.store.all()) {
      if (run.state === 'running') {
        for (const batch of run.batches) {
          this.parts.chain.seen(this.jobs.get(batch.key));
        }
        this.reconcile(run.id);
      }
    }
  }

  private batchFinished(job: TrackedJob): void {
    const run = this.store.byJobKey(job.key);
    if (run) {
      this.parts.chain.seen(job);
      this.reconcile(run.id);
    }
  }

  private wake(jobKey: string): void {
    const run = this.store.byJobKey(jobKey);
    if (run) {
      this.reconcile(run.id);
    }
  }

  private mayAct(run: ExportRun | undefined): run is ExportRun {
    return (
      run !== undefined &&
      run.state === 'running' &&
      !this.disposed &&
      this.lease.held &&
      this.serves(run.accountId)
    );
  }

  /** Looks at the run's newest batch and takes the next step; safe to call any number of times. */
  private reconcile(id: string): void {
    const run = this.store.get(id);
    if (!this.mayAct(run)) {
      return;
    }
    if (!this.claims.token(run)) {
      void this.claims.takeOver(id);
      return;
    }
    if (run.cancelRequest) {
      // Cancelled in a window without the lease: this one stops it, files included.
      void this.parts.completion.stop(id, 'cancelled', undefined, run.cancelRequest.keepRecords);
      return;
    }
    const last = run.batches[run.batches.length - 1];
    const job = this.jobs.get(last.key);
    if (!job) {
      void this.parts.completion.stop(
        id,
        'interrupted',
        `${capitalise(batchName(run, last.key))} is no longer tracked.`,
      );
      return;
    }
    if (job.state === 'failed') {
      const reason = job.lastError?.message ?? 'Zoho reported the job as failed.';
      void this.parts.completion.stop(
        id,
        'failed',
        `${capitalise(batchName(run, job.key))} failed: ${reason}`,
      );
      return;
    }
    if (job.state === 'completed' && job.details?.result?.record_cursor) {
      if (job.nextBatchKey) {
        void this.parts.chain.claimBatch(id, job.nextBatchKey); // created, but the window closed before it was recorded
      } else {
        this.parts.chain.createNext(id, job);
      }
    }
    this.parts.merger.drain(id);
  }
}

/** What a run of an incremental definition records of its plan (names: ./model.ts). */
function incrementalFields(plan: IncrementalPlan, snapshot: string): Partial<ExportRun> {
  const fields: Partial<ExportRun> = { mode: plan.mode, snapshot, ownCriteria: plan.ownCriteria };
  for (const key of ['since', 'dateFormat', 'timeZone'] as const) {
    if (plan[key] !== undefined) {
      fields[key] = plan[key];
    }
  }
  return fields;
}

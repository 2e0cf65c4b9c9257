// The job service: the one front the VS Code layer and the exports use (./serviceApi.ts). It wires
// three parts over one shared JobStore and keeps what concerns every window:
// - JobTracker (./jobTracker.ts): creates and tracks jobs, the next batch from a cursor, forgets them;
// - StatusPoller (./statusPoller.ts): what one status poll does, and which jobs the scheduler polls;
//   throttles and auth problems go to its account states (./accountStates.ts);
// - ResultDownloads (./resultDownloads.ts): one download per result, automatic ones, abandoned ones.
//
// Many windows: every window runs a JobService over one shared JobStore. Only the window holding
// the poller lease (`polling`, ../core/lease.ts) polls on its own, downloads automatically and
// notifies; the others show what the store says and act on the user's commands. This file takes
// over the work when this window becomes the poller, hands it back, follows other windows' changes
// and says which window announces a finished job.
import { errorMessage } from '../core/format';
import { soleLease, type Lease } from '../core/lease';
import { Disposable, Emitter, type IDisposable } from '../core/lifecycle';
import type { Logger } from '../core/ports';
import type { FirstBatchQuery, ReportRef } from '../zoho/types';
import type { Expectation, LocalResult, TrackedJob } from './model';
import { JobStore } from './jobStore';
import type { AccountStates } from './accountStates';
import type { SharedAccountHolds } from './sharedAccountHolds';
import { JobTracker } from './jobTracker';
import { ResultDownloads, type ResultDownloadsOptions } from './resultDownloads';
import { StatusPoller } from './statusPoller';
import type {
  AccountPause,
  CheckTimes,
  JobChange,
  JobServiceApi,
  PollSettings,
  ResultProgress,
} from './serviceApi';

/** The parts' options (the store, clients, clock, logger, results folder, download seams) and: */
export interface JobServiceOptions extends ResultDownloadsOptions {
  settings: PollSettings;
  /** Held by the one window that polls (default: always held, a single window). */
  lease?: Lease;
  /** Throttles and auth problems shared with the other windows (default: this window's alone). */
  accountHolds?: SharedAccountHolds;
}

export class JobService extends Disposable implements JobServiceApi {
  private readonly changeEmitter = new Emitter<JobChange>();
  private readonly finishEmitter = new Emitter<TrackedJob>();
  readonly onDidChangeJob = this.changeEmitter.event;
  readonly onDidFinishJob = this.finishEmitter.event;
  private readonly announceEmitter = new Emitter<TrackedJob>();
  readonly onDidAnnounceJob = this.announceEmitter.event;
  private readonly checkEmitter = new Emitter<TrackedJob>();
  readonly onDidCheckJob = this.checkEmitter.event;
  /** Throttles and auth holds per account, read by the views. */
  readonly accountStates: AccountStates;
  readonly onDidChangePause: JobServiceApi['onDidChangePause'];
  readonly onDidHitAccountProblem: JobServiceApi['onDidHitAccountProblem'];
  readonly polling: Lease;

  private readonly store: JobStore;
  private readonly logger: Logger;
  private readonly poller: StatusPoller;
  private readonly downloads: ResultDownloads;
  private readonly tracker: JobTracker;
  private readonly storeSubscription: IDisposable;
  /** Jobs another window asked this one to announce, announced already. */
  private readonly announced = new Set<string>();
  private readonly leaseSubscriptions: IDisposable[];
  private focused = true;
  private disposed = false;

  constructor(private readonly options: JobServiceOptions) {
    super();
    this.store = options.store;
    this.logger = options.logger;
    this.polling = options.lease ?? soleLease;
    const { store, clients, clock, logger } = options;
    this.downloads = new ResultDownloads(options);
    this.poller = new StatusPoller({
      store,
      clients,
      clock,
      logger,
      settings: options.settings,
      polling: this.polling,
      accountHolds: options.accountHolds,
      serves: options.serves,
      finished: (job) => this.finished(job),
      checked: (job) => this.checkEmitter.fire(job),
      vanished: (job) => {
        this.finishEmitter.fire(job);
        this.announce(job);
      },
    });
    this.tracker = new JobTracker({
      store,
      clients,
      clock,
      logger,
      polling: this.polling,
      poller: this.poller,
      downloads: this.downloads,
    });
    this.accountStates = this.poller.accountStates;
    this.onDidChangePause = this.accountStates.onDidChangePause;
    this.onDidHitAccountProblem = this.accountStates.onDidHitProblem;
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
      this.polling.onDidChange((held) => (held ? this.takeOver() : this.poller.standDown())),
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
    return this.poller.checkTimes(key);
  }

  pauses(): AccountPause[] {
    return this.accountStates.pauses();
  }

  createJob(
    accountId: string,
    ref: ReportRef,
    query: FirstBatchQuery,
    exportId?: string,
    expected?: Expectation,
  ): Promise<TrackedJob> {
    return this.tracker.createJob(accountId, ref, query, exportId, expected);
  }

  trackJob(accountId: string, ref: ReportRef, jobId: string): Promise<TrackedJob> {
    return this.tracker.trackJob(accountId, ref, jobId);
  }

  async refresh(key?: string): Promise<void> {
    this.store.sync();
    await this.downloads.releaseAbandoned();
    if (key === undefined) {
      this.accountStates.clearAllAuthProblems();
      await this.poller.pollAll();
      return;
    }
    const job = this.store.get(key);
    if (!job) {
      return;
    }
    this.accountStates.clearAuthProblem(job.accountId);
    await this.poller.pollOne(key);
  }

  async resumeAccount(accountId: string): Promise<void> {
    this.accountStates.clearAuthProblem(accountId);
    await this.poller.pollNow(this.tracker.keysOf(accountId));
  }

  fetchNextBatch(key: string, expected?: Expectation): Promise<TrackedJob> {
    return this.tracker.fetchNextBatch(key, expected);
  }

  ensureResult(key: string, progress: ResultProgress = {}): Promise<LocalResult> {
    return this.downloads.ensureResult(key, progress);
  }

  async markSeen(key: string): Promise<void> {
    const result = this.store.get(key)?.result;
    if (result && result.seenAt === undefined) {
      await this.store.update(key, { result: { ...result, seenAt: this.options.clock.now() } });
    }
  }

  stopTracking(key: string): Promise<void> {
    return this.tracker.stopTracking(key);
  }

  forgetAccount(accountId: string): Promise<void> {
    return this.tracker.forgetAccount(accountId);
  }

  /** Resolves once what gaining focus checks (abandoned downloads) is written. */
  setFocused(focused: boolean): Promise<void> {
    let released = Promise.resolve();
    if (focused) {
      this.store.sync(); // cheap, and the user sees the truth when they come back
      released = this.downloads.releaseAbandoned();
    }
    this.focused = focused;
    this.polling.setFocused(focused);
    this.applyFocus();
    return released;
  }

  updateSettings(settings: PollSettings): void {
    this.poller.updateSettings(settings);
  }

  /**
   * Resolves once every reset of abandoned downloads started so far is written (on focus, on a
   * refresh, when this window takes over polling): lets a caller know, not guess, that it happened.
   */
  abandonedDownloadsReleased(): Promise<void> {
    return this.downloads.released();
  }

  /** Resolves once the account holds met so far are written. */
  protected override onDispose(): Promise<void> {
    this.disposed = true;
    const holdsWritten = this.poller.dispose();
    this.downloads.dispose();
    this.storeSubscription.dispose();
    for (const subscription of this.leaseSubscriptions) {
      subscription.dispose();
    }
    this.changeEmitter.dispose();
    this.finishEmitter.dispose();
    this.announceEmitter.dispose();
    this.checkEmitter.dispose();
    return holdsWritten;
  }

  /** A job this window saw end: told, announced, and with autoDownload downloaded. */
  private finished(job: TrackedJob): void {
    this.logger.info(`Bulk read job ${job.jobId} ${job.state}.`);
    this.finishEmitter.fire(job);
    this.announce(job);
    if (job.state === 'completed' && this.options.autoDownload()) {
      this.downloads.startAutoDownload(job);
    }
  }

  /**
   * This window became the poller (at start, or another window closed or hung): poll the running
   * jobs, and with autoDownload fetch every completed job whose result is missing. 'none' on a
   * completed job means "never finished downloading", as does a 'downloading' whose window is gone
   * (its lock is free: releaseAbandoned); a user's cancel is kept as 'failed'.
   */
  private takeOver(): void {
    if (this.disposed) {
      return;
    }
    this.store.sync();
    const now = this.options.clock.now();
    for (const job of this.store.all()) {
      this.poller.schedule(job, true);
      if (this.downloads.shouldAutoDownload(job, now)) {
        this.downloads.startAutoDownload(job);
      }
    }
    void this.downloads.releaseAbandoned();
  }

  /**
   * The poller polls at the focused pace while the user works in any window: it is often in the
   * background while the user looks at another window that shows its results.
   */
  private applyFocus(): void {
    this.poller.setFocused(this.focused || this.polling.someWindowFocused);
  }

  /**
   * Tells the user that `job` finished, once, in the window they work in: here if this window is
   * focused or no window is (the lease file names the focused one, ../core/lease.ts), else by
   * naming that window in the job itself (the shared list), which then announces it. Only the
   * window whose write ended the job calls this, so exactly one window is ever named.
   */
  private announce(job: TrackedJob): void {
    const target = this.announceTarget();
    if (target === undefined) {
      this.announceEmitter.fire(job);
      return;
    }
    this.store
      .update(job.key, { announceIn: target })
      .catch((error) => this.logger.warn(`Could not update job ${job.jobId}: ${errorMessage(error)}`));
  }

  announceTarget(): string | undefined {
    const target = this.polling.focusedWindow;
    return this.focused || target === undefined || target === this.polling.holderId ? undefined : target;
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
      this.poller.forget(job.key);
      void this.downloads.cancel(job.key);
    } else {
      this.poller.follow(job);
    }
  }
}

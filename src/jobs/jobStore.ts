// The tracked jobs, in tracking order, shared by every window and announced by events.
//
// Storage is one small file per job (../core/sharedCollection.ts), so a poll that changes one job
// writes, and makes the other windows read, that job only. Each change is a merge rule
// (./storedJobs.ts) that runs here at once and again on the job as stored when it is written, so
// changes made meanwhile by other windows survive; what other windows changed is announced with
// `external` set. sync() takes in other windows' changes without waiting for the folder's
// watcher: call it when the window gains focus.
//
// Jobs are never mutated in place: each change stores a new object, so a job handed out earlier
// stays a consistent snapshot. Treat returned jobs as read-only and change them through update().
import * as path from 'node:path';
import { errorMessage } from '../core/format';
import { jsonEqual } from '../core/json';
import { Disposable, Emitter, type Event, type IDisposable } from '../core/lifecycle';
import { silentLogger } from '../core/ports';
import { LocalRefusal } from '../core/refusal';
import type { KeyValueStore, Logger } from '../core/ports';
import { SharedCollection, type Merge, type Written } from '../core/sharedCollection';
import type { SharedJsonFile } from '../core/sharedJsonFile';
import type { TrackedJob } from './model';
import type { JobChange } from './serviceApi';
import { addJob, isTrackedJob, patchJob, readStoredJobs, removeJob, withoutUndefined } from './storedJobs';

/** Where versions before 0.2 kept the list (one window's copy of globalState): read once, then cleared. */
export const LEGACY_JOBS_STATE_KEY = 'creatorBulkJobs.jobs';
/** Where versions before 0.3 kept the list (one shared file): moved into JOBS_FOLDER_NAME once. */
export const JOBS_FILE_NAME = 'jobs.json';
/** The folder of the job files, next to JOBS_FILE_NAME. */
export const JOBS_FOLDER_NAME = 'jobs';

export class JobStore extends Disposable {
  private readonly jobs: SharedCollection<TrackedJob>;
  private readonly changes = new Emitter<JobChange>((error) =>
    this.logger.error(`A job change listener failed: ${errorMessage(error)}`),
  );
  readonly onDidChange: Event<JobChange> = this.changes.event;
  private readonly subscription: IDisposable;

  /** `file` is the one-file list of older versions: the jobs live in a folder next to it. */
  constructor(
    file: SharedJsonFile,
    private readonly logger: Logger = silentLogger,
    legacy?: KeyValueStore,
  ) {
    super();
    this.jobs = new SharedCollection({
      dir: path.dirname(file.filePath),
      name: JOBS_FOLDER_NAME,
      label: 'tracked jobs',
      isItem: isTrackedJob,
      clock: file.clock,
      logger,
    });
    this.subscription = this.jobs.onDidChange(({ kind, item, external }) =>
      this.changes.fire({ kind, job: item, ...(external ? { external } : {}) }),
    );
    this.jobs.importLegacy({
      file,
      parse: (raw) => readStoredJobs(raw, logger).map((job) => [job.key, job]),
    });
    if (legacy) {
      this.migrate(legacy);
    }
  }

  all(): TrackedJob[] {
    return this.jobs.all();
  }

  get(key: string): TrackedJob | undefined {
    return this.jobs.get(key);
  }

  /** Tracks a new job; rejects if the key is already tracked. Resolves once saved. */
  async add(job: TrackedJob): Promise<void> {
    if (this.jobs.get(job.key)) {
      throw new LocalRefusal(`The job ${job.jobId} is already tracked.`);
    }
    await this.write(job.key, addJob(withoutUndefined(structuredClone(job))));
  }

  /**
   * Merges `patch` into the job (a property set to undefined is cleared), on top of the latest
   * stored version of that job. Fires 'updated' only if something really changed. Resolves with the
   * job as it now is, or undefined for an unknown key (or one another window stopped tracking).
   */
  async update(key: string, patch: Partial<TrackedJob>): Promise<TrackedJob | undefined> {
    return (await this.updateFrom(key, patch)).job;
  }

  /**
   * update(), also telling what the job was in the shared store just before this write: lets a
   * caller act once across windows on a transition (only the window whose write made it sees it).
   */
  async updateFrom(
    key: string,
    patch: Partial<TrackedJob>,
  ): Promise<{ previous?: TrackedJob; job?: TrackedJob }> {
    const current = this.jobs.get(key);
    if (!current) {
      return {};
    }
    if (patch.key !== undefined && patch.key !== key) {
      throw new Error(`A job's key cannot change (${key}).`);
    }
    const merge = patchJob(patch);
    if (jsonEqual(current, merge(current))) {
      return { previous: current, job: current };
    }
    const { previous } = await this.write(key, merge);
    return { previous, job: this.jobs.get(key) };
  }

  /** Forgets the job; resolves with it, or undefined for an unknown key. */
  async remove(key: string): Promise<TrackedJob | undefined> {
    const removed = this.jobs.get(key);
    if (!removed) {
      return undefined;
    }
    await this.write(key, removeJob);
    return removed;
  }

  /** Adopts what other windows stored; fires an event per job that differs. */
  sync(): void {
    this.jobs.sync();
  }

  /** Resolves when every change made so far is written. */
  async flushed(): Promise<void> {
    await this.jobs.flushed();
  }

  /** Resolves once the changes made so far are written. */
  protected override onDispose(): Promise<void> {
    this.subscription.dispose();
    this.changes.dispose();
    return this.jobs.dispose();
  }

  /**
   * A change that could not be saved is logged and rejects its caller; this window's copy falls
   * back to what is stored, so nothing claims a change that was not saved.
   */
  private async write(key: string, merge: Merge<TrackedJob>): Promise<Written<TrackedJob>> {
    try {
      return await this.jobs.change(key, merge);
    } catch (error) {
      this.logger.error(`Could not save the tracked jobs: ${errorMessage(error)}`);
      throw error;
    }
  }

  /** Moves a list left in globalState by an older version into the shared store, once. */
  private migrate(legacy: KeyValueStore): void {
    const raw = legacy.get<unknown>(LEGACY_JOBS_STATE_KEY);
    if (raw === undefined) {
      return;
    }
    let old: TrackedJob[];
    try {
      old = readStoredJobs(raw, this.logger);
    } catch (error) {
      this.logger.warn(`Ignoring the job list of an older version: ${errorMessage(error)}.`);
      return;
    }
    const added = old.filter((job) => !this.jobs.get(job.key)).map((job) => this.write(job.key, addJob(job)));
    // The old list is cleared only once every job of it is stored (a failed write is logged and
    // the move is tried again on the next start).
    void Promise.all(added).then(
      () => legacy.update(LEGACY_JOBS_STATE_KEY, undefined),
      () => undefined,
    );
  }
}

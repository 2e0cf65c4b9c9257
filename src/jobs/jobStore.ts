// The tracked jobs, in tracking order, shared by every window and announced by events.
//
// Storage is one JSON file that all windows read and change (../core/sharedJsonFile.ts). A write
// never saves this window's whole list: it replays this window's own operations (add, patch,
// remove) on the latest stored list under a lock, so changes made meanwhile by other windows
// survive, and this window then adopts the stored list (firing events for what others changed).
// sync() does the same without writing: call it when the window gains focus; the file watcher calls
// it when another window writes.
//
// Jobs are never mutated in place: each change stores a new object, so a job handed out earlier
// stays a consistent snapshot. Treat returned jobs as read-only and change them through update().
import { errorMessage } from '../core/format';
import { Disposable, Emitter, type Event, type IDisposable } from '../core/lifecycle';
import { silentLogger } from '../core/ports';
import type { KeyValueStore, Logger } from '../core/ports';
import type { SharedJsonFile } from '../core/sharedJsonFile';
import { jsonEqual } from '../core/json';
import type { TrackedJob } from './model';
import type { JobChange } from './serviceApi';
import { readStoredJobs, toStoredJobs } from './storedJobs';

/** Where versions before 0.2 kept the list (one window's copy of globalState): read once, then cleared. */
export const LEGACY_JOBS_STATE_KEY = 'creatorBulkJobs.jobs';
export const JOBS_FILE_NAME = 'jobs.json';

type JobMap = Map<string, TrackedJob>;
/** One change of this window, replayed on whatever list is stored when it is written. */
type Operation = (jobs: JobMap) => void;

export class JobStore extends Disposable {
  /** The stored list as last read or written, with this window's unwritten operations applied. */
  private jobs: JobMap;
  private stored: JobMap;
  private readonly changes = new Emitter<JobChange>((error) =>
    this.logger.error(`A job change listener failed: ${errorMessage(error)}`),
  );
  readonly onDidChange: Event<JobChange> = this.changes.event;
  /** Operations not written yet, in order. */
  private pending: Operation[] = [];
  /** The write that will take the pending operations (later changes join it before it starts). */
  private queuedWrite: Promise<void> | undefined;
  /** End of the write chain: one write at a time from this window. */
  private lastWrite: Promise<void> = Promise.resolve();
  private readonly subscription: IDisposable;
  private disposed = false;

  constructor(
    private readonly file: SharedJsonFile,
    private readonly logger: Logger = silentLogger,
    legacy?: KeyValueStore,
  ) {
    super();
    this.stored = this.readFile();
    this.jobs = new Map(this.stored);
    this.subscription = file.onDidChange(() => this.sync());
    if (legacy) {
      this.migrate(legacy);
    }
  }

  all(): TrackedJob[] {
    return [...this.jobs.values()];
  }

  get(key: string): TrackedJob | undefined {
    return this.jobs.get(key);
  }

  /** Tracks a new job; rejects if the key is already tracked. Resolves once saved. */
  async add(job: TrackedJob): Promise<void> {
    if (this.jobs.has(job.key)) {
      throw new Error(`The job ${job.jobId} is already tracked.`);
    }
    const added = withoutUndefined(structuredClone(job));
    // Another window may have tracked the same job meanwhile: its copy wins, nothing is doubled.
    await this.apply({ kind: 'added', job: added }, (jobs) => {
      if (!jobs.has(added.key)) {
        jobs.set(added.key, added);
      }
    });
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
   * update(), also telling what the job was in the shared file just before this write: lets a
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
    const copy = structuredClone(patch);
    const next = withoutUndefined({ ...current, ...copy });
    if (jsonEqual(current, next)) {
      return { previous: current, job: current };
    }
    // The operation runs on memory first and last on the stored list, inside the locked write.
    let previous: TrackedJob | undefined = current;
    await this.apply({ kind: 'updated', job: next }, (jobs) => {
      previous = jobs.get(key);
      if (previous) {
        jobs.set(key, withoutUndefined({ ...previous, ...structuredClone(copy) }));
      }
    });
    return { previous, job: this.jobs.get(key) };
  }

  /** Forgets the job; resolves with it, or undefined for an unknown key. */
  async remove(key: string): Promise<TrackedJob | undefined> {
    const removed = this.jobs.get(key);
    if (!removed) {
      return undefined;
    }
    await this.apply({ kind: 'removed', job: removed }, (jobs) => jobs.delete(key));
    return removed;
  }

  /** Adopts what other windows stored (re-reads the file); fires an event per job that differs. */
  sync(): void {
    if (this.disposed) {
      return;
    }
    this.stored = this.readFile();
    this.adopt();
  }

  /** Resolves when every change made so far is written. */
  async flushed(): Promise<void> {
    await this.lastWrite;
  }

  /** Resolves once the changes made so far are written. */
  protected override onDispose(): Promise<void> {
    this.disposed = true;
    this.subscription.dispose();
    this.changes.dispose();
    return this.flushed();
  }

  /** Applies `operation` here at once (and announces it), then queues it for the shared file. */
  private async apply(change: JobChange, operation: Operation): Promise<void> {
    operation(this.jobs);
    this.pending.push(operation);
    const saved = this.save();
    this.fire(change);
    await saved;
  }

  private save(): Promise<void> {
    if (!this.queuedWrite) {
      const write = this.lastWrite.then(async () => {
        this.queuedWrite = undefined;
        const operations = this.pending;
        this.pending = [];
        try {
          const stored = await this.file.modify((latest) => {
            const jobs = this.parse(latest);
            for (const operation of operations) {
              operation(jobs);
            }
            return toStoredJobs([...jobs.values()]);
          });
          this.stored = this.parse(stored);
        } catch (error) {
          // The operations are dropped: memory falls back to what is stored, and every caller
          // waiting on this write is rejected, so nothing claims a change that was not saved.
          this.logger.error(`Could not save the tracked jobs: ${errorMessage(error)}`);
          this.stored = this.readFile();
          this.adopt();
          throw error;
        }
        this.adopt();
      });
      this.queuedWrite = write;
      this.lastWrite = write.catch(() => undefined);
    }
    return this.queuedWrite;
  }

  /**
   * Memory becomes the stored list plus the operations still waiting; differences (what other
   * windows changed) are announced as external.
   */
  private adopt(): void {
    const next = new Map(this.stored);
    for (const operation of this.pending) {
      operation(next);
    }
    const before = this.jobs;
    this.jobs = next;
    for (const [key, job] of next) {
      const old = before.get(key);
      if (!old) {
        this.fire({ kind: 'added', job, external: true });
      } else if (!jsonEqual(old, job)) {
        this.fire({ kind: 'updated', job, external: true });
      }
    }
    for (const [key, job] of before) {
      if (!next.has(key)) {
        this.fire({ kind: 'removed', job, external: true });
      }
    }
  }

  private fire(change: JobChange): void {
    if (this.disposed) {
      return;
    }
    this.changes.fire(change);
  }

  /**
   * The stored list; when it cannot be read or used, the last list read (nothing at first), with
   * a warning. The file itself is dealt with by the next write (see SharedJsonFile.modify).
   */
  private readFile(): JobMap {
    try {
      return this.parse(this.file.read());
    } catch (error) {
      this.logger.warn(`Could not read the tracked jobs: ${errorMessage(error)}.`);
      return this.stored ?? new Map();
    }
  }

  /** Throws for a list in an unknown format or shape: see readStoredJobs. */
  private parse(raw: unknown): JobMap {
    return new Map(readStoredJobs(raw, this.logger).map((job) => [job.key, job]));
  }

  /** Moves a list left in globalState by an older version into the shared file, once. */
  private migrate(legacy: KeyValueStore): void {
    const raw = legacy.get<unknown>(LEGACY_JOBS_STATE_KEY);
    if (raw === undefined) {
      return;
    }
    let old: JobMap;
    try {
      old = this.parse(raw);
    } catch (error) {
      this.logger.warn(`Ignoring the job list of an older version: ${errorMessage(error)}.`);
      return;
    }
    const added = [...old]
      .filter(([key]) => !this.jobs.has(key))
      .map(([key, job]) =>
        this.apply({ kind: 'added', job }, (jobs) => {
          if (!jobs.has(key)) {
            jobs.set(key, job);
          }
        }),
      );
    // The old list is cleared only once every job of it is in the shared file (a failed write
    // is logged by save() and the move is tried again on the next start).
    void Promise.all(added).then(
      () => legacy.update(LEGACY_JOBS_STATE_KEY, undefined),
      () => undefined,
    );
  }
}

/** Drops properties set to undefined, so memory holds what storage would give back. */
function withoutUndefined(job: TrackedJob): TrackedJob {
  const record = job as unknown as Record<string, unknown>;
  for (const property of Object.keys(record)) {
    if (record[property] === undefined) {
      delete record[property];
    }
  }
  return job;
}

// The tracked jobs, in tracking order, persisted on every change and announced by events.
//
// Jobs are never mutated in place: each change stores a new object, so a job handed out earlier
// stays a consistent snapshot. Treat returned jobs as read-only and change them through update().
import { errorMessage } from '../core/format';
import { Emitter, silentLogger } from '../core/ports';
import type { Disposable, KeyValueStore, Logger } from '../core/ports';
import { jsonEqual } from './jsonEqual';
import type { TrackedJob } from './model';
import type { Event, JobChange } from './serviceApi';
import { readStoredJobs, toStoredJobs } from './storedJobs';

export const JOBS_STATE_KEY = 'creatorBulkJobs.jobs';

export class JobStore implements Disposable {
  private readonly jobs: Map<string, TrackedJob>;
  private readonly changes = new Emitter<JobChange>();
  readonly onDidChange: Event<JobChange> = this.changes.event;
  /** A write queued but not started yet: later changes join it, as it saves the state when it starts. */
  private queuedWrite: Promise<void> | undefined;
  /** End of the write chain: one write at a time, so an older snapshot never lands after a newer one. */
  private lastWrite: Promise<void> = Promise.resolve();

  constructor(
    private readonly storage: KeyValueStore,
    private readonly logger: Logger = silentLogger,
  ) {
    this.jobs = new Map(this.load().map((job) => [job.key, job]));
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
    this.jobs.set(added.key, added);
    await this.commit({ kind: 'added', job: added });
  }

  /**
   * Merges `patch` into the job (a property set to undefined is cleared). Fires 'updated' only if
   * something really changed. Resolves with the job as it now is, or undefined for an unknown key.
   */
  async update(key: string, patch: Partial<TrackedJob>): Promise<TrackedJob | undefined> {
    const current = this.jobs.get(key);
    if (!current) {
      return undefined;
    }
    if (patch.key !== undefined && patch.key !== key) {
      throw new Error(`A job's key cannot change (${key}).`);
    }
    const next = withoutUndefined({ ...current, ...structuredClone(patch) });
    if (jsonEqual(current, next)) {
      return current;
    }
    this.jobs.set(key, next);
    await this.commit({ kind: 'updated', job: next });
    return next;
  }

  /** Forgets the job; resolves with it, or undefined for an unknown key. */
  async remove(key: string): Promise<TrackedJob | undefined> {
    const removed = this.jobs.get(key);
    if (!removed) {
      return undefined;
    }
    this.jobs.delete(key);
    await this.commit({ kind: 'removed', job: removed });
    return removed;
  }

  dispose(): void {
    this.changes.dispose();
  }

  /** Called after the in-memory change: queues the save first so a throwing listener cannot skip it. */
  private async commit(change: JobChange): Promise<void> {
    const saved = this.save();
    try {
      this.changes.fire(change);
    } catch (error) {
      this.logger.error(`A job change listener failed: ${errorMessage(error)}`);
    }
    await saved;
  }

  private save(): Promise<void> {
    if (!this.queuedWrite) {
      const write = this.lastWrite.then(() => {
        this.queuedWrite = undefined;
        return this.storage.update(JOBS_STATE_KEY, toStoredJobs(this.all()));
      });
      this.queuedWrite = write;
      this.lastWrite = write.catch((error: unknown) =>
        this.logger.error(`Could not save the tracked jobs: ${errorMessage(error)}`),
      );
    }
    return this.queuedWrite;
  }

  private load(): TrackedJob[] {
    try {
      return readStoredJobs(this.storage.get<unknown>(JOBS_STATE_KEY), this.logger);
    } catch (error) {
      this.logger.warn(`Ignoring the stored job list: it could not be read (${errorMessage(error)}).`);
      return [];
    }
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

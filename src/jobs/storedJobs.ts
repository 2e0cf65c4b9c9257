// The persisted shape of a tracked job, its reader, and the merge rules of the shared job
// collection (../core/sharedCollection.ts): each turns the job as stored now into what to store,
// so a change never undoes what another window stored meanwhile.
import { isRecord } from '../core/json';
import type { Logger } from '../core/ports';
import { UnusableContentError } from '../core/sharedJsonFile';
import type { Merge } from '../core/sharedCollection';
import type { TrackedJob } from './model';

/** The list as versions before 0.3 kept it, in one file (jobs.json): read once, to move it. */
export interface StoredJobs {
  version: 1;
  jobs: TrackedJob[];
}

const JOB_STATES: ReadonlySet<unknown> = new Set(['running', 'completed', 'failed', 'unknown']);
const DOWNLOAD_STATES: ReadonlySet<unknown> = new Set(['none', 'downloading', 'ready', 'failed']);

export function toStoredJobs(jobs: TrackedJob[]): StoredJobs {
  return { version: 1, jobs };
}

/** Tracks a job unless another window tracked it first (its copy wins: nothing is doubled). */
export function addJob(job: TrackedJob): Merge<TrackedJob> {
  return (stored) => stored ?? job;
}

/**
 * Merges `patch` (a property set to undefined is cleared) onto the job as stored now, so what
 * another window changed in other properties survives; a job another window stopped tracking
 * stays gone.
 */
export function patchJob(patch: Partial<TrackedJob>): Merge<TrackedJob> {
  return (stored) => stored && withoutUndefined({ ...stored, ...structuredClone(patch) });
}

/** Stops tracking the job. */
export const removeJob: Merge<TrackedJob> = () => undefined;

/** Drops properties set to undefined, so memory holds what storage would give back. */
export function withoutUndefined(job: TrackedJob): TrackedJob {
  const record = job as unknown as Record<string, unknown>;
  for (const property of Object.keys(record)) {
    if (record[property] === undefined) {
      delete record[property];
    }
  }
  return job;
}

/** The usable jobs in `raw` (an old one-file list); undefined (nothing stored) is none. */
export function readStoredJobs(raw: unknown, logger: Logger): TrackedJob[] {
  if (raw === undefined) {
    return [];
  }
  if (isRecord(raw) && typeof raw.version === 'number' && raw.version !== 1) {
    // Probably a newer release in another window: its list is kept as it is, never rewritten.
    throw new Error(
      `the job list is in format ${raw.version}, which this version of Creator Bulk Jobs does not know. ` +
        'Update the extension (or reload this window) to change jobs; the list was left as it is',
    );
  }
  if (!isRecord(raw) || raw.version !== 1 || !Array.isArray(raw.jobs)) {
    throw new UnusableContentError('it is not a job list');
  }
  const jobs = new Map<string, TrackedJob>();
  let skipped = 0;
  for (const candidate of raw.jobs) {
    if (isTrackedJob(candidate) && !jobs.has(candidate.key)) {
      jobs.set(candidate.key, candidate);
    } else {
      skipped++;
    }
  }
  if (skipped > 0) {
    logger.warn(`Ignoring ${skipped} unreadable or duplicate stored job(s).`);
  }
  return [...jobs.values()];
}

export function isTrackedJob(value: unknown): value is TrackedJob {
  return (
    isRecord(value) &&
    typeof value.key === 'string' &&
    typeof value.accountId === 'string' &&
    typeof value.jobId === 'string' &&
    isRecord(value.ref) &&
    typeof value.ref.owner === 'string' &&
    typeof value.ref.app === 'string' &&
    typeof value.ref.report === 'string' &&
    JOB_STATES.has(value.state) &&
    DOWNLOAD_STATES.has(value.download) &&
    typeof value.batch === 'number' &&
    typeof value.trackedAt === 'number' &&
    typeof value.changedAt === 'number' &&
    (value.exportId === undefined || typeof value.exportId === 'string')
  );
}

// The persisted shape of the tracked-job list, and its reader: unreadable jobs in a list are skipped
// with a warning; a list in an unknown format or shape throws, so that nobody writes over it.
import { isRecord } from '../core/json';
import type { Logger } from '../core/ports';
import { UnusableContentError } from '../core/sharedJsonFile';
import type { TrackedJob } from './model';

export interface StoredJobs {
  version: 1;
  jobs: TrackedJob[];
}

const JOB_STATES: ReadonlySet<unknown> = new Set(['running', 'completed', 'failed', 'unknown']);
const DOWNLOAD_STATES: ReadonlySet<unknown> = new Set(['none', 'downloading', 'ready', 'failed']);

export function toStoredJobs(jobs: TrackedJob[]): StoredJobs {
  return { version: 1, jobs };
}

/** The usable jobs in `raw` (as read from storage); undefined (nothing stored) is none. */
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

function isTrackedJob(value: unknown): value is TrackedJob {
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

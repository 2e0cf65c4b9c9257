// The persisted shape of the tracked-job list, and a forgiving reader for it: whatever another
// version or a corrupted state left behind is skipped with a warning, never thrown.
import type { Logger } from '../core/ports';
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

/** The usable jobs in `raw` (as read from storage). */
export function readStoredJobs(raw: unknown, logger: Logger): TrackedJob[] {
  if (raw === undefined) {
    return [];
  }
  if (!isRecord(raw) || raw.version !== 1 || !Array.isArray(raw.jobs)) {
    logger.warn('Ignoring the stored job list: it is not in a format this version understands.');
    return [];
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
    typeof value.changedAt === 'number'
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

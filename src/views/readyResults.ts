// What "ready" counts, for the view's badge and the status bar alike: results the user has not
// opened or saved yet. An export's merged file is one result; its batches are parts of that file,
// not results of their own to open, so they are never counted.
import type { ExportRun } from '../exports/model';
import type { TrackedJob } from '../jobs/model';
import type { Services } from '../services';
import { isUnopened } from './jobDescription';

type Counted = Pick<Services, 'jobs' | 'exports'>;

/** A job's result the user has not opened or saved yet, unless the job is a batch of an export. */
export function isJobReady(services: Counted, job: TrackedJob, now: number = Date.now()): boolean {
  return !services.exports.exportOfJob(job.key) && isUnopened(job, now);
}

/** A completed export whose merged file has not been opened or revealed yet. */
export function isExportUnopened(run: ExportRun): boolean {
  return run.state === 'completed' && run.seenAt === undefined && run.replacedBy === undefined;
}

/** Unopened results: single jobs' CSVs plus completed exports' merged files. */
export function readyCount(services: Counted, now: number = Date.now()): number {
  const jobs = services.jobs.jobs().filter((job) => isJobReady(services, job, now)).length;
  return jobs + services.exports.exports().filter(isExportUnopened).length;
}

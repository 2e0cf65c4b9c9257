// The job model: what the extension remembers about each tracked bulk read job.
import type { CreateJobQuery, JobDetails, JobState, ReportRef } from '../zoho/types';
import type { ZohoErrorKind } from '../zoho/errors';
import type { LocalResult } from '../results/localResult';

/** How long a record cursor stays usable after the server issues it (docs/zoho-bulk-read-api.md, "Creating a job"). */
export const CURSOR_LIFETIME_MS = 15 * 60 * 1000;
/** How long results stay downloadable (docs/zoho-bulk-read-api.md, "Downloading the result"). */
export const RESULT_RETENTION_MS = 24 * 60 * 60 * 1000;

export type DownloadState = 'none' | 'downloading' | 'ready' | 'failed';

export type { LocalResult } from '../results/localResult';

export interface TrackedJob {
  /** Stable identity: `${accountId}|${owner}|${app}|${report}|${jobId}`. */
  key: string;
  accountId: string;
  ref: ReportRef;
  jobId: string;
  state: JobState;
  /** Last answer of the status API. */
  details?: JobDetails;
  /** The request that created the job, when this extension created it. */
  query?: CreateJobQuery;
  /** 1 for a first batch; n+1 for a job created from batch n's cursor. */
  batch: number;
  /** Key of the job whose cursor created this one. */
  parentKey?: string;
  /**
   * The Export Whole Report run this job is a batch of. Set when the job is created (a follow-up
   * batch inherits it from its parent) and stored with the job in the same write, never changed:
   * the tree decides where the row goes from this alone (src/views/treeShape.ts).
   */
  exportId?: string;
  trackedAt: number;
  /**
   * How long the job is expected to run (ms, creation to completion seen): set at creation from the
   * export's previous batch or the definition's earlier runs, stored with the job so any window
   * polling it times its checks by it (jobs/pollPolicy.ts, pollWait).
   */
  expectedMs?: number;
  /**
   * Set on a next batch whose size is unknown (no expected total: a first run): `expectedMs` is a
   * full batch's time, but this may be the short last batch, so it is also checked early
   * (jobs/pollPolicy.ts, HEDGE_CHECK). Stored with the job, as expectedMs.
   */
  mayEndSooner?: true;
  /**
   * Set when `expectedMs` is the previous batch's run time measured closely (its end was seen by
   * checks a tenth of its age apart): the first check can come nearer the expected end
   * (jobs/pollPolicy.ts, CLOSE_FIRST_CHECK). Stored with the job, as expectedMs.
   */
  measuredClosely?: true;
  /**
   * Set when `expectedMs` comes from an earlier run of the export's definition, not from this run:
   * the report may have shrunk since, so checks start sooner (jobs/pollPolicy.ts, EARLIER_RUN_FIRST_CHECK).
   */
  fromEarlierRun?: true;
  /** When the state or details last changed. */
  changedAt: number;
  lastPolledAt?: number;
  /** When the record cursor was first seen; it expires CURSOR_LIFETIME_MS later. */
  cursorSeenAt?: number;
  /** Set once a follow-up job was created from this job's cursor. */
  nextBatchKey?: string;
  download: DownloadState;
  result?: LocalResult;
  /** The window (lease holder id) asked to tell the user this job finished: see JobService.announce. */
  announceIn?: string;
  /** The last error met while polling or downloading this job. */
  lastError?: { kind: ZohoErrorKind | 'unknown'; message: string; at: number };
}

/** What a new job is expected to take: how its status checks are timed (jobs/pollPolicy.ts, pollWait). */
export type Expectation = Partial<
  Pick<TrackedJob, 'expectedMs' | 'mayEndSooner' | 'measuredClosely' | 'fromEarlierRun'>
>;

/** The expectation stored with a job. */
export function expectationOf(job: TrackedJob): Expectation {
  const { expectedMs, mayEndSooner, measuredClosely, fromEarlierRun } = job;
  return { expectedMs, mayEndSooner, measuredClosely, fromEarlierRun };
}

export function jobKey(accountId: string, ref: ReportRef, jobId: string): string {
  return [accountId, ref.owner, ref.app, ref.report, jobId].join('|');
}

/** The job id at the end of a key made by jobKey(). */
export function jobIdOfKey(key: string): string {
  return key.slice(key.lastIndexOf('|') + 1);
}

/** The cursor, if present and still inside its 15-minute window. */
export function usableCursor(job: TrackedJob, now: number): string | undefined {
  const cursor = job.details?.result?.record_cursor;
  if (!cursor || job.nextBatchKey) {
    return undefined;
  }
  const seen = job.cursorSeenAt ?? now;
  return now - seen < CURSOR_LIFETIME_MS ? cursor : undefined;
}

/**
 * Milliseconds until Zoho deletes a completed job's result (24 hours after completion: docs/zoho-bulk-read-api.md,
 * "Downloading the result"; completion is when we saw it, `changedAt`), or undefined when the result is already
 * on disk or the job is not completed. 0 means expired.
 */
export function resultMsLeft(job: TrackedJob, now: number): number | undefined {
  if (job.state !== 'completed' || (job.download === 'ready' && job.result)) {
    return undefined;
  }
  return Math.max(0, job.changedAt + RESULT_RETENTION_MS - now);
}

/** True when the result is not on disk and Zoho no longer keeps it: no download is offered or tried. */
export function resultExpired(job: TrackedJob, now: number): boolean {
  return resultMsLeft(job, now) === 0;
}

export function cursorMsLeft(job: TrackedJob, now: number): number | undefined {
  if (!job.details?.result?.record_cursor || job.cursorSeenAt === undefined) {
    return undefined;
  }
  return Math.max(0, job.cursorSeenAt + CURSOR_LIFETIME_MS - now);
}

/**
 * A job Zoho created but this extension could not store: it runs (and counts against the
 * allowance) while nothing follows it, so the message names it and how to pick it up again.
 */
export class JobNotSavedError extends Error {
  constructor(
    readonly accountId: string,
    readonly ref: ReportRef,
    readonly jobId: string,
    cause: string,
  ) {
    super(
      `Zoho created bulk read job ${jobId}, but it could not be saved to the job list (${cause}). ` +
        'Use Track Existing Job with this id to follow it.',
    );
    this.name = 'JobNotSavedError';
  }
}

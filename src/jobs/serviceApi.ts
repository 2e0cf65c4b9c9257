// What the VS Code layer may ask of the job service (implemented in ./jobService.ts).
import type { Lease } from '../core/lease';
import type { Event, IDisposable } from '../core/lifecycle';
import type { ZohoError } from '../zoho/errors';
import type { FirstBatchQuery, ReportRef } from '../zoho/types';
import type { AccountStatesApi } from './accountStates';
import type { Expectation, LocalResult, TrackedJob } from './model';

export interface JobChange {
  kind: 'added' | 'updated' | 'removed';
  job: TrackedJob;
  /** Set when the change was made by another window (seen in the shared store). */
  external?: true;
}

/** When a job was last checked (by any window) and when this window checks it next. */
export interface CheckTimes {
  last?: number;
  /** Undefined when this window does not poll it (finished, or another window polls). */
  next?: number;
}

/** An account whose requests are held back after 429/2955 or the daily limit (200/4000). */
export interface AccountPause {
  accountId: string;
  reason: 'rateLimited' | 'dailyLimit';
  /** Epoch ms when polling resumes. */
  until: number;
  message: string;
}

/** A problem the user must act on for an account (sign in again, add a scope). */
export interface AccountProblem {
  accountId: string;
  error: ZohoError;
}

export interface PollSettings {
  /** Wait before a new job's first check; later waits are a quarter of the job's age (pollPolicy.ts). */
  initialIntervalMs: number;
  /** Longest wait between two checks of a running job. */
  maxIntervalMs: number;
  /** Intervals are multiplied by this while the window is unfocused. */
  unfocusedMultiplier: number;
  /** Status requests in flight at once, all accounts together. */
  maxConcurrent: number;
  /** Status calls one account may spend a minute, spread evenly over the minute. */
  maxChecksPerMinute: number;
}

export interface ResultProgress {
  signal?: AbortSignal;
  onProgress?: (bytes: number, total?: number) => void;
}

export interface JobServiceApi extends IDisposable {
  readonly onDidChangeJob: Event<JobChange>;
  /** A job reached completed or failed while tracked (not fired for jobs loaded already finished). */
  readonly onDidFinishJob: Event<TrackedJob>;
  /**
   * A finished job to tell the user about in this window: fired in exactly one window, the one the
   * user works in (focused), else the one that saw the end (see JobService.announce).
   */
  readonly onDidAnnounceJob: Event<TrackedJob>;
  /**
   * Where to tell the user of something this window saw end: undefined for here (this window is
   * focused, or none is), else the lease id (`polling.holderId`) of the window the user works in.
   */
  announceTarget(): string | undefined;
  /** A status call was sent for the job from this window (for counting what a run spent). */
  readonly onDidCheckJob: Event<TrackedJob>;
  /** Fired when a pause starts or ends (`until` <= now means ended). */
  readonly onDidChangePause: Event<AccountPause>;
  readonly onDidHitAccountProblem: Event<AccountProblem>;
  /** Each account's state (ok, throttled, daily limit, needs sign-in, missing scope). */
  readonly accountStates: AccountStatesApi;

  jobs(): TrackedJob[];
  get(key: string): TrackedJob | undefined;
  pauses(): AccountPause[];
  /** For tooltips and the log: when the job was last checked and will be next. */
  checkTimes(key: string): CheckTimes;
  /** Whether this window is the one that polls, downloads and notifies (see core/lease.ts). */
  readonly polling: Lease;

  /**
   * Creates a first-batch job and tracks it (polling starts fast). `exportId` makes it the first
   * batch of that export: stored with the job, so no window ever shows it as a job of its own.
   * `expected` (how long it is expected to run, and how sure that is) times its status checks
   * (pollPolicy.ts, pollWait).
   */
  createJob(
    accountId: string,
    ref: ReportRef,
    query: FirstBatchQuery,
    exportId?: string,
    expected?: Expectation,
  ): Promise<TrackedJob>;
  /** Looks the job up once (so unknown ids fail here, with a clear error) and tracks it. */
  trackJob(accountId: string, ref: ReportRef, jobId: string): Promise<TrackedJob>;
  /** Polls one job now, or every unfinished job when key is omitted. */
  refresh(key?: string): Promise<void>;
  /** The account's credentials changed (signed in again): ends its auth hold and polls its jobs now. */
  resumeAccount(accountId: string): Promise<void>;
  /**
   * Creates the follow-up job from a completed job's still-valid record cursor; `expected` times
   * its status checks as createJob's.
   */
  fetchNextBatch(key: string, expected?: Expectation): Promise<TrackedJob>;
  /** Downloads and extracts the CSV unless already present; resolves with the local file. */
  ensureResult(key: string, progress?: ResultProgress): Promise<LocalResult>;
  /** The user opened or saved the job's result: it no longer counts as "ready". */
  markSeen(key: string): Promise<void>;
  /** Forgets the job and deletes its local files. */
  stopTracking(key: string): Promise<void>;
  /** Forgets every job of an account (sign-out). */
  forgetAccount(accountId: string): Promise<void>;
  /** Called by the UI when the window gains or loses focus (also re-reads the shared job list). */
  setFocused(focused: boolean): void;
  /** Called when settings change. */
  updateSettings(settings: PollSettings): void;
}

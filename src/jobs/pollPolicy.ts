// The poll budget: when a running job is checked next, and how many status calls an account may
// spend a minute. One place for these rules; the scheduler only applies them.
//
// Why age-based: a bulk read job says nothing about its progress, so the only thing a check buys is
// noticing completion sooner. Waiting a quarter of the job's age keeps the detection delay under
// 25% of the job's run time while the number of calls grows with the logarithm of that time, not
// linearly (a 2-hour job costs about 27 calls instead of about 120). The allowance this protects is
// 250-1000 calls a day per user, shared with the user's production integrations (docs/zoho-bulk-read-api.md, "Limits and throttles").
//
// A job whose duration we can expect (the export's previous batch, the definition's earlier runs:
// TrackedJob.expectedMs) is checked differently: Zoho says nothing before the end ("Reading a job's
// status"), so a check well before the expected end buys nothing. The first check comes at
// EXPECTED_FIRST_CHECK of the expected duration, then every NEAR_END_FRACTION of the age (so the
// end is seen within 10% of the job's duration), and a job that overruns its expectation by half
// is waited for as any other. How far the expectation can be trusted moves the first check: 97%
// of a previous batch measured closely (measuredClosely), 80% of an earlier run's time (the report
// may have shrunk: fromEarlierRun). A next batch whose size is unknown may be the short last one
// of an export (1,000,050 records end in a batch of 50): such a job (mayEndSooner) gets one early
// check at HEDGE_CHECK of its expected duration, so it is not seen at 90% of a full batch's time.
// The figures: `npm run bench -- poll`, "polling that learns".
import type { Expectation } from './model';
import type { PollSettings } from './serviceApi';

/** The wait between two checks is this fraction of the job's age. */
export const AGE_FRACTION = 0.25;
/**
 * After the first check, waits are never shorter than this (unless the cap is lower): a delay of
 * 30 s is never worth a call, and it keeps a 10-minute job at about 13 calls.
 */
export const STEADY_MIN_INTERVAL_MS = 30_000;
const MINUTE_MS = 60_000;
/** With an expected duration, the first check comes at this fraction of it. */
export const EXPECTED_FIRST_CHECK = 0.9;
/**
 * With an expected duration measured closely (the previous batch's end seen by checks a tenth of
 * its age apart: TrackedJob.measuredClosely), the first check comes at this fraction of it: that
 * measurement overstates the run time by less than a tenth, so 90% would mostly check too early
 * and spend a second call on each batch.
 */
export const CLOSE_FIRST_CHECK = 0.97;
/**
 * With an expected duration from an earlier run (TrackedJob.fromEarlierRun: the report may have
 * shrunk since), the checks start at this fraction of it and come a tenth of the age apart: a job
 * ending anywhere from about 0.73 to 1.5 times its history is seen within 10% of its run time.
 */
export const EARLIER_RUN_FIRST_CHECK = 0.8;
/** Near the expected end, the wait is this fraction of the job's age (seen within 10% of its run time). */
export const NEAR_END_FRACTION = 0.1;
/** Past this multiple of its expected duration the job overran: waits grow as without a hint. */
export const EXPECTED_OVERRUN = 1.5;
/**
 * A job that may end much sooner than expected (TrackedJob.mayEndSooner) is also checked once at
 * this fraction of its expected duration: the last batch of 50 records of a 1,000,050-record
 * export is seen 2 minutes after its end instead of 19, for one call per next batch of a first run
 * (`npm run bench -- poll`: 0.2, 0.3, 0.5 see it 4, 6, 10 minutes late for as many calls; only
 * 0.5 would also catch a batch of half the size).
 */
export const HEDGE_CHECK = 0.1;
/** An expected duration longer than this is not believed (Zoho keeps a job 24 hours). */
const LONGEST_EXPECTED_MS = 24 * 3_600_000;

/** Settings made safe to schedule with (no zero intervals, at least one poll in flight). */
export function normalisePollSettings(settings: PollSettings): PollSettings {
  const initialIntervalMs = Math.max(1, settings.initialIntervalMs || 0);
  return {
    initialIntervalMs,
    maxIntervalMs: Math.max(initialIntervalMs, settings.maxIntervalMs || 0),
    unfocusedMultiplier: Math.max(1, settings.unfocusedMultiplier || 1),
    maxConcurrent: Math.max(1, Math.floor(settings.maxConcurrent || 1)),
    maxChecksPerMinute: Math.max(1, settings.maxChecksPerMinute || 1),
  };
}

/**
 * How long to wait before the next check of a job that is `ageMs` old. The first check comes after
 * initialIntervalMs (small jobs finish in seconds); later ones after a quarter of the job's age,
 * at least STEADY_MIN_INTERVAL_MS (or initialIntervalMs if larger) and at most maxIntervalMs.
 */
export function pollDelayMs(ageMs: number, checkedBefore: boolean, settings: PollSettings): number {
  if (!checkedBefore) {
    return Math.min(settings.initialIntervalMs, settings.maxIntervalMs);
  }
  const floor = steadyFloorMs(settings);
  return Math.min(settings.maxIntervalMs, Math.max(floor, Math.max(0, ageMs) * AGE_FRACTION));
}

/** The shortest wait after a first check: STEADY_MIN_INTERVAL_MS (or initialIntervalMs), within the cap. */
function steadyFloorMs(settings: PollSettings): number {
  return Math.min(settings.maxIntervalMs, Math.max(settings.initialIntervalMs, STEADY_MIN_INTERVAL_MS));
}

/**
 * A wait of the scheduler: `unfocusedSlower` says whether an unfocused window stretches it. The
 * wait for a job's expected end is kept as it is: stretching it only delays the one check that
 * may find the result.
 */
export interface PollWait {
  ms: number;
  unfocusedSlower: boolean;
}

/** An expected duration worth scheduling by (stored values may be anything): positive, at most a day. */
export function usableExpectedMs(value: unknown): number | undefined {
  return typeof value === 'number' && value > 0 && value <= LONGEST_EXPECTED_MS ? value : undefined;
}

/**
 * The wait before the next check of a job `ageMs` old when the wait starts (its last check),
 * expected as `expectation` says (see the top of this file). Without an expected duration, exactly
 * pollDelayMs. With one: the first check at EXPECTED_FIRST_CHECK of it (CLOSE_FIRST_CHECK,
 * EARLIER_RUN_FIRST_CHECK; at least initialIntervalMs), preceded by one at HEDGE_CHECK when it may
 * end sooner; a job checked before that moment (a Refresh) keeps that appointment; from
 * there up to EXPECTED_OVERRUN of it NEAR_END_FRACTION of the age (between the steady minimum and
 * maxIntervalMs); past it, pollDelayMs.
 */
export function pollWait(
  ageMs: number,
  checkedBefore: boolean,
  settings: PollSettings,
  expectation: Expectation = {},
): PollWait {
  const expected = usableExpectedMs(expectation.expectedMs);
  const age = Math.max(0, ageMs);
  if (expected === undefined || (checkedBefore && age >= expected * EXPECTED_OVERRUN)) {
    return { ms: pollDelayMs(ageMs, checkedBefore, settings), unfocusedSlower: true };
  }
  const firstAt = Math.max(settings.initialIntervalMs, expected * firstCheck(expectation));
  const hedgeAt = Math.max(settings.initialIntervalMs, expected * HEDGE_CHECK);
  if (!checkedBefore) {
    const early = expectation.mayEndSooner && hedgeAt < firstAt;
    return { ms: early ? hedgeAt : firstAt, unfocusedSlower: false };
  }
  const floor = steadyFloorMs(settings);
  if (age < firstAt) {
    return { ms: Math.max(floor, firstAt - age), unfocusedSlower: false };
  }
  return {
    ms: Math.min(settings.maxIntervalMs, Math.max(floor, age * NEAR_END_FRACTION)),
    unfocusedSlower: true,
  };
}

/** The fraction of its expected duration at which a job is first checked (without an early check). */
function firstCheck(expectation: Expectation): number {
  if (expectation.measuredClosely) {
    return CLOSE_FIRST_CHECK;
  }
  return expectation.fromEarlierRun ? EARLIER_RUN_FIRST_CHECK : EXPECTED_FIRST_CHECK;
}

/**
 * Whether a completed job's measured run time is close: it was expected, and its end was seen
 * while the checks came a tenth of its age apart (between its first check and its overrun).
 */
export function measuredClosely(
  job: { state: string; trackedAt: number; changedAt: number } & Expectation,
): boolean {
  const measured = measuredDurationMs(job);
  const expected = usableExpectedMs(job.expectedMs);
  return (
    measured !== undefined &&
    expected !== undefined &&
    measured >= expected * firstCheck(job) &&
    measured <= expected * EXPECTED_OVERRUN
  );
}

/**
 * How long a job ran, from its creation to its completion being seen (TrackedJob.changedAt of a
 * completed job); undefined when it has not completed.
 */
export function measuredDurationMs(job: {
  state: string;
  trackedAt: number;
  changedAt: number;
}): number | undefined {
  return job.state === 'completed' ? usableExpectedMs(job.changedAt - job.trackedAt) : undefined;
}

/** The least gap between two status calls of one account: spreads its ceiling evenly over a minute. */
export function accountGapMs(settings: PollSettings): number {
  return MINUTE_MS / settings.maxChecksPerMinute;
}

/**
 * A job whose status we do not know (jobs/model.ts 'unknown': neither running, completed nor
 * failed) is still checked, at the slowest pace, until it reports one we know or this long after it
 * was tracked (Zoho keeps a job and its result 24 hours): it may be a running job under a name we
 * have not met, and stopping would strand it.
 */
export const UNKNOWN_STATUS_WATCH_MS = 24 * 3_600_000;

/** Whether a job of unknown status tracked at `trackedAt` is still checked automatically. */
export function watchesUnknownStatus(trackedAt: number, now: number): boolean {
  return now - trackedAt < UNKNOWN_STATUS_WATCH_MS;
}

/**
 * The start time to give the scheduler for a job checked at the slowest pace: old enough that a
 * quarter of its age reaches maxIntervalMs, so pollDelayMs always answers the cap.
 */
export function slowestPaceStartedAt(now: number, settings: PollSettings): number {
  return now - normalisePollSettings(settings).maxIntervalMs / AGE_FRACTION;
}

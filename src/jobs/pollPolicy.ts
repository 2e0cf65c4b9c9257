// The poll budget: when a running job is checked next, and how many status calls an account may
// spend a minute. One place for these rules; the scheduler only applies them.
//
// Why age-based: a bulk read job says nothing about its progress, so the only thing a check buys is
// noticing completion sooner. Waiting a quarter of the job's age keeps the detection delay under
// 25% of the job's run time while the number of calls grows with the logarithm of that time, not
// linearly (a 2-hour job costs about 27 calls instead of about 120). The allowance this protects is
// 250-1000 calls a day per user, shared with the user's production integrations (docs/zoho-bulk-read-api.md, "Limits and throttles").
import type { PollSettings } from './serviceApi';

/** The wait between two checks is this fraction of the job's age. */
export const AGE_FRACTION = 0.25;
/**
 * After the first check, waits are never shorter than this (unless the cap is lower): a delay of
 * 30 s is never worth a call, and it keeps a 10-minute job at about 13 calls.
 */
export const STEADY_MIN_INTERVAL_MS = 30_000;
const MINUTE_MS = 60_000;

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
  const floor = Math.min(
    settings.maxIntervalMs,
    Math.max(settings.initialIntervalMs, STEADY_MIN_INTERVAL_MS),
  );
  return Math.min(settings.maxIntervalMs, Math.max(floor, Math.max(0, ageMs) * AGE_FRACTION));
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

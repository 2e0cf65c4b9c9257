// Poll intervals: bounded exponential back-off while a job does not change.
import type { PollSettings } from './serviceApi';

/** Settings made safe to schedule with (no zero intervals, at least one poll in flight). */
export function normalisePollSettings(settings: PollSettings): PollSettings {
  const initialIntervalMs = Math.max(1, settings.initialIntervalMs || 0);
  return {
    initialIntervalMs,
    maxIntervalMs: Math.max(initialIntervalMs, settings.maxIntervalMs || 0),
    unfocusedMultiplier: Math.max(1, settings.unfocusedMultiplier || 1),
    maxConcurrent: Math.max(1, Math.floor(settings.maxConcurrent || 1)),
  };
}

/** Keeps an interval inside [initialIntervalMs, maxIntervalMs]. */
export function clampIntervalMs(intervalMs: number, settings: PollSettings): number {
  return Math.min(settings.maxIntervalMs, Math.max(settings.initialIntervalMs, intervalMs));
}

/** The wait after a poll: back to the start when something changed, else doubled up to the cap. */
export function nextIntervalMs(currentMs: number, changed: boolean, settings: PollSettings): number {
  return changed ? settings.initialIntervalMs : clampIntervalMs(currentMs * 2, settings);
}

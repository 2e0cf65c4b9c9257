// Poll settings as the job service wants them: seconds to ms, clamped to package.json's limits
// (a hand-edited settings.json can hold anything). No vscode import, so it is unit-tested.
import type { PollSettings } from '../jobs/serviceApi';
import { DEFAULT_IDLE_TIMEOUT_MS } from '../zoho/limits';

function clamp(value: unknown, fallback: number, min: number, max: number): number {
  const number = typeof value === 'number' && Number.isFinite(value) ? value : fallback;
  return Math.min(max, Math.max(min, number));
}

export function toPollSettings(values: {
  pollIntervalSeconds?: unknown;
  maxPollIntervalSeconds?: unknown;
  unfocusedPollMultiplier?: unknown;
  maxConcurrentRequests?: unknown;
  maxStatusChecksPerMinute?: unknown;
}): PollSettings {
  const initialSeconds = clamp(values.pollIntervalSeconds, 5, 1, 300);
  const maxSeconds = Math.max(initialSeconds, clamp(values.maxPollIntervalSeconds, 600, 5, 3600));
  return {
    initialIntervalMs: Math.round(initialSeconds * 1000),
    maxIntervalMs: Math.round(maxSeconds * 1000),
    unfocusedMultiplier: clamp(values.unfocusedPollMultiplier, 3, 1, 20),
    maxConcurrent: Math.floor(clamp(values.maxConcurrentRequests, 3, 1, 10)),
    maxChecksPerMinute: clamp(values.maxStatusChecksPerMinute, 20, 1, 50),
  };
}

/** `downloadIdleTimeoutSeconds` in milliseconds, clamped to package.json's 5..3600 s. */
export function toDownloadIdleTimeoutMs(seconds: unknown): number {
  return Math.round(clamp(seconds, DEFAULT_IDLE_TIMEOUT_MS / 1000, 5, 3600) * 1000);
}

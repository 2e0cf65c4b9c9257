// The poll settings the job and export unit tests run with: quick waits, and no per-account spacing
// (these tests are about what one poll does; the ceiling has tests of its own).
import type { PollSettings } from '../../../src/jobs/serviceApi';

export const TEST_POLL_SETTINGS: PollSettings = {
  initialIntervalMs: 1000,
  maxIntervalMs: 4000,
  unfocusedMultiplier: 1,
  maxConcurrent: 2,
  maxChecksPerMinute: Infinity,
};

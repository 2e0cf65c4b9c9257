import * as assert from 'node:assert/strict';
import { toDownloadIdleTimeoutMs, toPollSettings } from '../../../src/host/pollSettings';

describe('toPollSettings', () => {
  it('converts seconds to milliseconds', () => {
    assert.deepEqual(
      toPollSettings({
        pollIntervalSeconds: 2,
        maxPollIntervalSeconds: 30,
        unfocusedPollMultiplier: 4,
        maxConcurrentRequests: 5,
        maxStatusChecksPerMinute: 12,
      }),
      {
        initialIntervalMs: 2000,
        maxIntervalMs: 30000,
        unfocusedMultiplier: 4,
        maxConcurrent: 5,
        maxChecksPerMinute: 12,
      },
    );
  });

  it('uses the defaults for missing or nonsense values', () => {
    assert.deepEqual(toPollSettings({ pollIntervalSeconds: 'fast', maxConcurrentRequests: Number.NaN }), {
      initialIntervalMs: 5000,
      maxIntervalMs: 600_000,
      unfocusedMultiplier: 3,
      maxConcurrent: 3,
      maxChecksPerMinute: 20,
    });
  });

  it('clamps to the minimums so a hand-edited 0 cannot hammer the server', () => {
    const settings = toPollSettings({
      pollIntervalSeconds: 0,
      maxPollIntervalSeconds: 0,
      unfocusedPollMultiplier: 0,
      maxConcurrentRequests: 0,
      maxStatusChecksPerMinute: 0,
    });
    assert.deepEqual(settings, {
      initialIntervalMs: 1000,
      maxIntervalMs: 5000,
      unfocusedMultiplier: 1,
      maxConcurrent: 1,
      maxChecksPerMinute: 1,
    });
  });

  it("keeps the per-account ceiling under Zoho's 50 requests a minute per IP", () => {
    assert.equal(toPollSettings({ maxStatusChecksPerMinute: 500 }).maxChecksPerMinute, 50);
  });

  it('never lets the longest interval fall below the first one', () => {
    const settings = toPollSettings({ pollIntervalSeconds: 120, maxPollIntervalSeconds: 10 });
    assert.equal(settings.maxIntervalMs, 120000);
  });
});

describe('toDownloadIdleTimeoutMs', () => {
  it('converts seconds to milliseconds within 5..3600 s, and 60 s for anything else', () => {
    assert.deepEqual(
      [30, 1, 99_999, undefined, 'soon', Number.NaN, 7.5].map(toDownloadIdleTimeoutMs),
      [30_000, 5_000, 3_600_000, 60_000, 60_000, 60_000, 7_500],
    );
  });
});

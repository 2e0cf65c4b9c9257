import * as assert from 'node:assert/strict';
import { MAX_TIMER_MS, systemClock } from '../../../src/core/ports';

describe('systemClock timers', () => {
  it('does not fire a wait longer than 2^31-1 ms at once (Node would), and can still cancel it', async () => {
    let fired = 0;
    const long = systemClock.setTimeout(() => fired++, MAX_TIMER_MS + 1);
    const huge = systemClock.setTimeout(() => fired++, 10 * 365 * 24 * 3600 * 1000);
    const infinite = systemClock.setTimeout(() => fired++, Number.POSITIVE_INFINITY);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(fired, 0, 'an overflowing timer fired immediately');
    for (const handle of [long, huge, infinite]) {
      systemClock.clearTimeout(handle);
    }
  });

  it('fires ordinary waits as before', async () => {
    let fired = 0;
    systemClock.setTimeout(() => fired++, 5);
    const cancelled = systemClock.setTimeout(() => fired++, 5);
    systemClock.clearTimeout(cancelled);
    await new Promise((resolve) => setTimeout(resolve, 30));
    assert.equal(fired, 1);
  });
});

import * as assert from 'node:assert/strict';
import { PollScheduler } from '../../../src/jobs/pollScheduler';
import type { PollOutcome } from '../../../src/jobs/pollScheduler';
import type { PollSettings } from '../../../src/jobs/serviceApi';
import { FakeClock, settle } from '../helpers/fakeClock';
import { RecordingLogger } from './recordingLogger';

const SETTINGS: PollSettings = {
  initialIntervalMs: 1000,
  maxIntervalMs: 8000,
  unfocusedMultiplier: 3,
  maxConcurrent: 2,
};

/** A scheduler on a fake clock (starting at 0) whose poll function the test scripts. */
class Harness {
  readonly clock = new FakeClock(0);
  readonly logger = new RecordingLogger();
  readonly calls: Array<{ key: string; at: number }> = [];
  /** Outcomes each key's next polls return, in order; 'unchanged' once the script runs out. */
  private readonly scripts = new Map<string, Array<PollOutcome | Error>>();
  /** Keys whose polls hang until release(). */
  private readonly held = new Set<string>();
  private readonly hanging = new Map<string, (outcome: PollOutcome) => void>();
  readonly scheduler: PollScheduler;

  constructor(settings: Partial<PollSettings> = {}) {
    this.scheduler = new PollScheduler({
      clock: this.clock,
      settings: { ...SETTINGS, ...settings },
      logger: this.logger,
      poll: (key) => this.poll(key),
    });
  }

  script(key: string, ...outcomes: Array<PollOutcome | Error>): void {
    this.scripts.set(key, outcomes);
  }

  hold(key: string): void {
    this.held.add(key);
  }

  /** Finishes the hanging poll of `key` and stops holding it. */
  async release(key: string, outcome: PollOutcome = 'unchanged'): Promise<void> {
    this.held.delete(key);
    const finish = this.hanging.get(key);
    assert.ok(finish, `no poll of ${key} is hanging`);
    this.hanging.delete(key);
    finish(outcome);
    await settle();
  }

  inFlight(): string[] {
    return [...this.hanging.keys()];
  }

  times(key: string): number[] {
    return this.calls.filter((call) => call.key === key).map((call) => call.at);
  }

  keysPolled(): string[] {
    return this.calls.map((call) => call.key);
  }

  private poll(key: string): Promise<PollOutcome> {
    this.calls.push({ key, at: this.clock.now() });
    if (this.held.has(key)) {
      return new Promise((resolve) => this.hanging.set(key, resolve));
    }
    const next = this.scripts.get(key)?.shift() ?? 'unchanged';
    return next instanceof Error ? Promise.reject(next) : Promise.resolve(next);
  }
}

describe('PollScheduler', () => {
  let h: Harness;
  beforeEach(() => {
    h = new Harness();
  });
  afterEach(() => h.scheduler.dispose());

  it('polls an added key first after initialIntervalMs, or at once with immediate', async () => {
    h.scheduler.add('a', 'acct');
    h.scheduler.add('b', 'acct', { immediate: true });
    await h.clock.tickAsync(0);
    assert.deepEqual(h.keysPolled(), ['b']);

    await h.clock.tickAsync(999);
    assert.deepEqual(h.times('a'), []);
    await h.clock.tickAsync(1);
    assert.deepEqual(h.times('a'), [1000]);
  });

  it('backs off by doubling after unchanged and failed, capped at maxIntervalMs', async () => {
    h.script('a', 'unchanged', 'failed', 'unchanged', 'unchanged', 'unchanged');
    h.scheduler.add('a', 'acct');
    await h.clock.tickAsync(40_000);
    // Waits: 1000, then 2000, 4000, 8000, 8000 (cap), 8000...
    assert.deepEqual(h.times('a'), [1000, 3000, 7000, 15_000, 23_000, 31_000, 39_000]);
  });

  it("resets the interval to initialIntervalMs after 'changed'", async () => {
    h.script('a', 'unchanged', 'unchanged', 'changed', 'unchanged');
    h.scheduler.add('a', 'acct');
    await h.clock.tickAsync(12_000);
    // 1000, +2000, +4000 (changed there), then +1000 again, then +2000.
    assert.deepEqual(h.times('a'), [1000, 3000, 7000, 8000, 10_000]);
  });

  it("stops polling a key whose poll reports 'finished', and drops the timer", async () => {
    h.script('a', 'unchanged', 'finished');
    h.scheduler.add('a', 'acct');
    await h.clock.tickAsync(3000);
    assert.deepEqual(h.times('a'), [1000, 3000]);
    assert.equal(h.scheduler.has('a'), false);
    assert.deepEqual(h.scheduler.pendingKeys(), []);
    assert.equal(h.scheduler.hasTimer, false);
    await h.clock.tickAsync(60_000);
    assert.equal(h.calls.length, 2);
  });

  it('never polls a key that was not added, or was removed', async () => {
    h.scheduler.add('a', 'acct');
    h.scheduler.add('b', 'acct');
    h.scheduler.remove('b');
    await h.scheduler.pollNow('ghost');
    await h.clock.tickAsync(10_000);
    assert.deepEqual([...new Set(h.keysPolled())], ['a']);
  });

  it('keeps one timer, armed for the soonest due poll, and none while nothing is pending', async () => {
    assert.equal(h.scheduler.hasTimer, false);
    h.scheduler.add('a', 'acct');
    await h.clock.tickAsync(300);
    h.scheduler.add('b', 'other');
    h.scheduler.add('c', 'acct');
    assert.deepEqual(h.clock.pendingTimers(), [1000]);
    assert.equal(h.scheduler.hasTimer, true);

    await h.clock.tickAsync(700); // a polls, unchanged: next at 3000; b and c due at 1300
    assert.deepEqual(h.clock.pendingTimers(), [1300]);

    for (const key of ['a', 'b', 'c']) {
      h.scheduler.remove(key);
    }
    assert.equal(h.scheduler.hasTimer, false);
    assert.deepEqual(h.clock.pendingTimers(), []);
  });

  it('multiplies intervals while unfocused, and polls an overdue key promptly on regaining focus', async () => {
    h.scheduler.setFocused(false);
    h.scheduler.add('a', 'acct');
    assert.deepEqual(h.clock.pendingTimers(), [3000]);
    await h.clock.tickAsync(3000);
    assert.deepEqual(h.times('a'), [3000]); // next wait 2000 x 3 = 6000 -> 9000

    await h.clock.tickAsync(4000); // t = 7000: overdue under the focused wait (5000)
    assert.deepEqual(h.times('a'), [3000]);
    h.scheduler.setFocused(true);
    await h.clock.tickAsync(0);
    assert.deepEqual(h.times('a'), [3000, 7000]);
    assert.deepEqual(h.clock.pendingTimers(), [11_000]); // back to focused: 4000 after 7000
  });

  it('never runs two polls of the same key; pollNow during a poll awaits that poll', async () => {
    h.hold('a');
    h.scheduler.add('a', 'acct', { immediate: true });
    await h.clock.tickAsync(0);
    let done = false;
    const now = h.scheduler.pollNow('a').then(() => (done = true));
    await h.clock.tickAsync(30_000);
    assert.equal(h.calls.length, 1);
    assert.equal(done, false);

    await h.release('a');
    await now;
    assert.equal(h.calls.length, 1);
  });

  it('does not poll a re-added key again while its earlier poll is still in flight', async () => {
    h.hold('a');
    h.scheduler.add('a', 'acct', { immediate: true });
    await h.clock.tickAsync(0);
    h.scheduler.remove('a');
    h.scheduler.add('a', 'acct', { immediate: true });
    await h.clock.tickAsync(0);
    assert.equal(h.calls.length, 1);

    await h.release('a', 'finished'); // the removed entry's outcome: ignored
    await h.clock.tickAsync(0);
    assert.equal(h.scheduler.has('a'), true);
    assert.deepEqual(h.times('a'), [0, 0]);
  });

  it('keeps at most maxConcurrent polls in flight; the rest start as slots free up', async () => {
    for (const key of ['a', 'b', 'c', 'd']) {
      h.hold(key);
      h.scheduler.add(key, key === 'd' ? 'other' : 'acct', { immediate: true });
    }
    await h.clock.tickAsync(0);
    assert.deepEqual(h.inFlight(), ['a', 'b']);
    assert.equal(h.scheduler.hasTimer, false); // all slots busy: a finishing poll reschedules

    await h.clock.tickAsync(5000);
    assert.equal(h.calls.length, 2);
    await h.release('b');
    assert.deepEqual(h.inFlight(), ['a', 'c']);
    await h.release('a');
    assert.deepEqual(h.inFlight(), ['c', 'd']);
  });

  it('lets waiting polls go oldest due first, not in the order keys were added', async () => {
    h = new Harness({ maxConcurrent: 1 });
    h.script('first', 'unchanged'); // next due 1000 + 2000 = 3000
    h.script('second', 'changed'); // next due 1000 + 1000 = 2000
    h.scheduler.add('first', 'acct');
    h.scheduler.add('second', 'acct');
    await h.clock.tickAsync(1500);
    h.hold('blocker');
    h.scheduler.add('blocker', 'acct', { immediate: true });
    await h.clock.tickAsync(2000); // t = 3500: both overdue, the slot is taken
    assert.deepEqual(h.keysPolled(), ['first', 'second', 'blocker']);

    await h.release('blocker');
    await h.clock.tickAsync(0);
    assert.deepEqual(h.keysPolled().slice(3), ['second', 'first']);
  });

  it('does not poll a paused group until the pause ends, then resumes by itself', async () => {
    h.scheduler.add('a', 'acct');
    h.scheduler.add('b', 'other');
    h.scheduler.pauseGroup('acct', 5000);
    assert.equal(h.scheduler.isPaused('acct'), true);

    await h.clock.tickAsync(4999);
    assert.deepEqual(h.times('a'), []);
    assert.deepEqual(h.times('b'), [1000, 3000]);
    await h.clock.tickAsync(1);
    assert.deepEqual(h.times('a'), [5000]);
    assert.equal(h.scheduler.isPaused('acct'), false);
  });

  it('while every pending key is paused, arms only the timer that wakes at the pause end', async () => {
    h.scheduler.pauseGroup('acct', 60_000);
    h.scheduler.add('a', 'acct');
    h.scheduler.add('b', 'acct', { immediate: true });
    assert.deepEqual(h.clock.pendingTimers(), [60_000]);
    assert.equal(h.scheduler.hasTimer, true);
    await h.clock.tickAsync(59_999);
    assert.equal(h.calls.length, 0);
    await h.clock.tickAsync(1);
    assert.deepEqual(h.keysPolled(), ['b', 'a']); // oldest due first: b was due at once
  });

  it('resumeGroup polls overdue keys promptly; pollNow during a pause does not poll', async () => {
    h.scheduler.add('a', 'acct');
    h.scheduler.pauseGroup('acct', 60_000);
    await h.clock.tickAsync(2000);
    await h.scheduler.pollNow('a');
    assert.equal(h.calls.length, 0);

    h.scheduler.resumeGroup('acct');
    await h.clock.tickAsync(0);
    assert.deepEqual(h.times('a'), [2000]);
  });

  it('pollNow bypasses the wait and resolves after the poll; without a key it polls every pending key', async () => {
    h.scheduler.add('a', 'acct');
    h.scheduler.add('b', 'acct');
    h.scheduler.add('c', 'other');
    await h.scheduler.pollNow('a');
    assert.deepEqual(h.keysPolled(), ['a']);
    assert.deepEqual(h.clock.pendingTimers(), [1000]); // b and c still wait; a now waits 2000

    await h.scheduler.pollNow();
    assert.deepEqual(h.keysPolled().sort(), ['a', 'a', 'b', 'c']);
    assert.equal(h.clock.now(), 0);
  });

  it('dispose clears the timer and stops everything; polls finishing later change nothing', async () => {
    h.hold('a');
    h.scheduler.add('a', 'acct', { immediate: true });
    h.scheduler.add('b', 'acct');
    await h.clock.tickAsync(0);
    assert.equal(h.scheduler.hasTimer, true);

    h.scheduler.dispose();
    assert.equal(h.scheduler.hasTimer, false);
    assert.deepEqual(h.clock.pendingTimers(), []);
    await h.release('a', 'changed');
    h.scheduler.add('c', 'acct', { immediate: true });
    await h.scheduler.pollNow();
    await h.clock.tickAsync(60_000);
    assert.deepEqual(h.keysPolled(), ['a']);
    assert.equal(h.scheduler.hasTimer, false);
    assert.deepEqual(h.scheduler.pendingKeys(), []);
  });

  it('survives poll functions that throw or reject: logged, treated as failed', async () => {
    h = new Harness();
    const logger = new RecordingLogger();
    const clock = new FakeClock(0);
    const calls: number[] = [];
    const scheduler = new PollScheduler({
      clock,
      settings: SETTINGS,
      logger,
      poll: (key) => {
        calls.push(clock.now());
        if (calls.length === 1) {
          throw new Error(`sync boom ${key}`);
        }
        return Promise.reject(new Error('async boom'));
      },
    });
    scheduler.add('a', 'acct');
    await clock.tickAsync(7000);
    scheduler.dispose();

    assert.deepEqual(calls, [1000, 3000, 7000]); // backed off like 'failed'
    assert.match(logger.problems().join('\n'), /sync boom a[\s\S]*async boom/);
  });

  it('applies new settings to pending keys: a lower cap shortens long waits, more slots start more polls', async () => {
    h = new Harness({ maxConcurrent: 1 });
    h.scheduler.add('a', 'acct');
    await h.clock.tickAsync(15_000); // polls at 1000, 3000, 7000, 15000: next wait 8000
    h.scheduler.updateSettings({ ...SETTINGS, maxIntervalMs: 2000, maxConcurrent: 1 });
    await h.clock.tickAsync(2000);
    assert.deepEqual(h.times('a'), [1000, 3000, 7000, 15_000, 17_000]);

    for (const key of ['x', 'y', 'z']) {
      h.hold(key);
      h.scheduler.add(key, 'acct', { immediate: true });
    }
    await h.clock.tickAsync(0);
    assert.deepEqual(h.inFlight(), ['x']);
    h.scheduler.updateSettings({ ...SETTINGS, maxConcurrent: 3 });
    await settle();
    assert.deepEqual(h.inFlight(), ['x', 'y', 'z']);
  });
});

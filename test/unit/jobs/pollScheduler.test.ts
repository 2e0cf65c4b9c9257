import * as assert from 'node:assert/strict';
import { PollScheduler } from '../../../src/jobs/pollScheduler';
import type { PollOutcome } from '../../../src/jobs/pollScheduler';
import type { PollSettings } from '../../../src/jobs/serviceApi';
import { FakeClock, settle } from '../helpers/fakeClock';
import { RecordingLogger } from './recordingLogger';

const SETTINGS: PollSettings = {
  initialIntervalMs: 1000,
  maxIntervalMs: 2000,
  unfocusedMultiplier: 3,
  maxConcurrent: 2,
  maxChecksPerMinute: Infinity,
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

  it("waits a quarter of the job's age after the first check, between the floor and the cap", async () => {
    // Defaults in minutes and seconds: first check after 5 s, then max(30 s, age / 4) up to 10 min.
    h = new Harness({ initialIntervalMs: 5000, maxIntervalMs: 600_000 });
    h.script('a', 'unchanged', 'failed', 'changed'); // the outcome does not matter, only the age
    h.scheduler.add('a', 'acct');
    await h.clock.tickAsync(2 * 3600_000);
    const times = h.times('a');
    assert.deepEqual(times.slice(0, 5), [5000, 35_000, 65_000, 95_000, 125_000]);
    const waits = times.slice(1).map((at, i) => at - times[i]);
    for (const [i, wait] of waits.entries()) {
      const age = times[i];
      assert.equal(wait, Math.min(600_000, Math.max(30_000, age / 4)), `wait after the check at ${age}`);
    }
    assert.equal(Math.max(...waits), 600_000);
    assert.ok(times.length <= 30, `${times.length} checks in two hours`);
  });

  it('counts the age from startedAt, so a job tracked late is not polled like a new one', async () => {
    h = new Harness({ initialIntervalMs: 5000, maxIntervalMs: 600_000 });
    h.clock.tick(3600_000);
    h.scheduler.add('old', 'acct', { startedAt: 0 });
    await h.clock.tickAsync(3600_000);
    const times = h.times('old');
    assert.equal(times[0], 3605_000); // the first check still comes soon
    assert.equal(times[1] - times[0], 600_000); // then a quarter of an hour's age, capped at 10 min
  });

  it('starts the first wait of a never-checked job when it began waiting, not when it was added', async () => {
    h = new Harness({ initialIntervalMs: 5000, maxIntervalMs: 600_000 });
    h.clock.tick(3000);
    // Created (not checked) 3 s ago in another window: checked 5 s after its creation.
    h.scheduler.add('fresh', 'acct', { startedAt: 0, waitingSince: 0 });
    await h.clock.tickAsync(10_000);
    assert.deepEqual(h.times('fresh'), [5000]);
  });

  it('resumes a job checked before where its wait left off, and spreads overdue ones', async () => {
    h = new Harness({ initialIntervalMs: 5000, maxIntervalMs: 600_000 });
    h.clock.tick(1000_000);
    // Checked 100 s ago; at its age of 1000 s the wait is 250 s, so 150 s are left.
    h.scheduler.add('mid', 'acct', { startedAt: 0, lastCheckedAt: 900_000 });
    for (let i = 0; i < 10; i++) {
      h.scheduler.add(`stale-${i}`, 'acct', { startedAt: 0, lastCheckedAt: 0 });
    }
    await h.clock.tickAsync(200_000);
    assert.deepEqual(h.times('mid'), [1150_000]);
    const first = Array.from({ length: 10 }, (_, i) => h.times(`stale-${i}`)[0] - 1000_000);
    assert.equal(new Set(first).size, 10, `spread: ${first.join(', ')}`);
    assert.ok(Math.min(...first) >= 5000 && Math.max(...first) <= 5000 + 125_000);
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
    assert.deepEqual(h.clock.pendingTimers(), [9000]); // back to focused: 2000 after 7000
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
    h.scheduler.add('first', 'acct');
    h.clock.tick(500);
    h.scheduler.add('second', 'acct', { immediate: true }); // polled at 500, due again at 2500
    await h.clock.tickAsync(1000); // first polled at 1000, due again at 3000
    h.hold('blocker');
    h.scheduler.add('blocker', 'acct', { immediate: true });
    await h.clock.tickAsync(2000); // t = 3500: both overdue, the slot is taken
    assert.deepEqual(h.keysPolled(), ['second', 'first', 'blocker']);

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
    await clock.tickAsync(5000);
    scheduler.dispose();

    assert.deepEqual(calls, [1000, 3000, 5000]); // polled on, like 'failed'
    assert.match(logger.problems().join('\n'), /sync boom a[\s\S]*async boom/);
  });

  it('applies new settings to pending keys: a lower cap shortens long waits, more slots start more polls', async () => {
    h = new Harness({ maxConcurrent: 1, maxIntervalMs: 600_000 });
    h.scheduler.add('a', 'acct');
    await h.clock.tickAsync(31_000); // polls at 1000 and 31000: next wait 30 s
    h.scheduler.updateSettings({ ...SETTINGS, maxIntervalMs: 2000, maxConcurrent: 1 });
    await h.clock.tickAsync(2000);
    assert.deepEqual(h.times('a'), [1000, 31_000, 33_000]);

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

  it('keeps each account under its ceiling of checks a minute, shared fairly by its jobs', async () => {
    h = new Harness({
      maxConcurrent: 10,
      maxChecksPerMinute: 20,
      initialIntervalMs: 1000,
      maxIntervalMs: 60_000,
    });
    for (let i = 0; i < 100; i++) {
      h.scheduler.add(`a-${i}`, 'busy');
    }
    h.scheduler.add('other', 'quiet');
    await h.clock.tickAsync(10 * 60_000);
    const busy = h.calls.filter((call) => call.key.startsWith('a-')).map((call) => call.at);
    for (let from = 0; from < 9 * 60_000; from += 1000) {
      const inMinute = busy.filter((at) => at >= from && at < from + 60_000).length;
      assert.ok(inMinute <= 20, `${inMinute} checks in the minute from ${from}`);
    }
    assert.equal(busy.length, 200, 'the ceiling is used, evenly: one check every 3 s');
    const perJob = Array.from({ length: 100 }, (_, i) => h.times(`a-${i}`).length);
    assert.ok(Math.max(...perJob) - Math.min(...perJob) <= 1, `fair: ${perJob.join(',')}`);
    assert.ok(h.times('other').length > 10, 'another account is not held back by the busy one');
    assert.equal(h.scheduler.nextPollAt('a-0')! > h.clock.now() - 1, true);
  });
});

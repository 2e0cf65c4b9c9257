// Polling that learns (issue 20.5): a job expected to run a known time is first checked shortly
// before its expected end, then often enough to see the end within 10% of its run time, and as
// before once it overruns; a next batch that may be the short last one is also checked early. The
// real scheduler on a fake clock with the editor's default settings.
import * as assert from 'node:assert/strict';
import { toPollSettings } from '../../../src/host/pollSettings';
import type { Expectation } from '../../../src/jobs/model';
import { measuredClosely, pollDelayMs, pollWait, usableExpectedMs } from '../../../src/jobs/pollPolicy';
import { PollScheduler } from '../../../src/jobs/pollScheduler';
import { FakeClock } from '../helpers/fakeClock';

const MINUTE = 60_000;
/** The editor's defaults: first check after 5 s, waits up to 10 min, 20 calls a minute per account. */
const DEFAULTS = toPollSettings({});

/** One scheduler whose jobs end at the moments a test gives; records every check. */
class Jobs {
  readonly clock = new FakeClock(0);
  readonly checks: Array<{ key: string; at: number }> = [];
  private readonly endsAt = new Map<string, number>();
  readonly scheduler: PollScheduler;

  constructor(settings = DEFAULTS) {
    this.scheduler = new PollScheduler({
      clock: this.clock,
      settings,
      poll: async (key) => {
        this.checks.push({ key, at: this.clock.now() });
        return this.clock.now() >= (this.endsAt.get(key) ?? Infinity) ? 'finished' : 'unchanged';
      },
    });
  }

  /** A job created now that ends `durationMs` later, expected to run `expectedMs` (and as `more` says). */
  start(
    key: string,
    durationMs: number,
    expectedMs?: number,
    group = 'account',
    more: Expectation = {},
  ): void {
    this.endsAt.set(key, this.clock.now() + durationMs);
    this.scheduler.add(key, group, { expected: { expectedMs, ...more } });
  }

  times(key: string): number[] {
    return this.checks.filter((check) => check.key === key).map((check) => check.at);
  }

  /** How long after its end the job was seen to end. */
  lateMs(key: string): number {
    assert.equal(this.scheduler.has(key), false, `${key} was seen to end`);
    const times = this.times(key);
    return times[times.length - 1] - (this.endsAt.get(key) ?? 0);
  }
}

describe('Polling that learns (expected durations)', () => {
  let jobs: Jobs;
  beforeEach(() => {
    jobs = new Jobs();
  });
  afterEach(() => jobs.scheduler.dispose());

  it('without an expected duration, waits exactly as before (pollDelayMs), stretched when unfocused', () => {
    for (const age of [0, 1000, 60_000, 7 * MINUTE, 45 * MINUTE, 5 * 60 * MINUTE]) {
      for (const checked of [false, true]) {
        assert.deepEqual(pollWait(age, checked, DEFAULTS), {
          ms: pollDelayMs(age, checked, DEFAULTS),
          unfocusedSlower: true,
        });
        // A stored value that is no usable duration is no hint.
        for (const junk of [0, -5, Number.NaN, Infinity, 48 * 60 * MINUTE]) {
          for (const more of [{}, { mayEndSooner: true as const, measuredClosely: true as const }]) {
            const wait = pollWait(age, checked, DEFAULTS, { expectedMs: junk, ...more });
            assert.deepEqual(wait, pollWait(age, checked, DEFAULTS));
          }
        }
      }
    }
    assert.equal(usableExpectedMs('20'), undefined);
  });

  it('a 20-minute batch expected to run 20 minutes is checked at 18 min and seen within 10%', async () => {
    jobs.start('batch', 20 * MINUTE, 20 * MINUTE);
    await jobs.clock.tickAsync(60 * MINUTE);
    const times = jobs.times('batch');
    assert.equal(times[0], 18 * MINUTE, 'nothing before 90% of the expected duration');
    assert.equal(times[1] - times[0], 1.8 * MINUTE, 'then a tenth of its age');
    assert.equal(times.length, 3);
    assert.ok(jobs.lateMs('batch') <= 0.1 * 20 * MINUTE, `seen ${jobs.lateMs('batch')} ms late`);
  });

  it('without a hint the same batch costs 16 checks; with one, 3', async () => {
    jobs.start('plain', 20 * MINUTE);
    jobs.start('learnt', 20 * MINUTE, 20 * MINUTE, 'other account');
    await jobs.clock.tickAsync(60 * MINUTE);
    assert.equal(jobs.times('plain').length, 16);
    assert.equal(jobs.times('plain')[0], 5000);
    assert.equal(jobs.times('learnt').length, 3);
  });

  it('a job running longer than expected is checked every tenth of its age, then backs off as before', async () => {
    jobs.start('long', 5 * 60 * MINUTE, 20 * MINUTE);
    await jobs.clock.tickAsync(6 * 60 * MINUTE);
    const times = jobs.times('long');
    const waits = times.slice(1).map((at, i) => ({ age: times[i], wait: at - times[i] }));
    for (const { age, wait } of waits) {
      const expected =
        age < 30 * MINUTE
          ? Math.max(30_000, age / 10) // up to 1.5x the expected 20 minutes
          : Math.min(10 * MINUTE, Math.max(30_000, age / 4)); // as without a hint
      assert.ok(Math.abs(wait - expected) < 1e-6, `the wait after the check at ${age / MINUTE} min: ${wait}`);
      assert.ok(wait <= DEFAULTS.maxIntervalMs, 'never slower than maxIntervalMs');
    }
    assert.ok(waits.some(({ age }) => age >= 30 * MINUTE && age < 40 * MINUTE));
    assert.ok(jobs.lateMs('long') <= DEFAULTS.maxIntervalMs);
  });

  it('a job ending sooner than expected is seen at the first check, 90% of the expected duration', async () => {
    jobs.start('short', 5 * MINUTE, 20 * MINUTE);
    await jobs.clock.tickAsync(60 * MINUTE);
    assert.deepEqual(jobs.times('short'), [18 * MINUTE]);
  });

  it('a Refresh before the expected end keeps the appointment instead of restarting the waits', async () => {
    jobs.start('batch', 20 * MINUTE, 20 * MINUTE);
    await jobs.clock.tickAsync(2 * MINUTE);
    await jobs.scheduler.pollNow('batch');
    await jobs.clock.tickAsync(58 * MINUTE);
    assert.deepEqual(jobs.times('batch').slice(0, 2), [2 * MINUTE, 18 * MINUTE]);
  });

  it('an unfocused window keeps the appointment at the expected end and stretches only the waits after it', async () => {
    jobs.scheduler.setFocused(false);
    jobs.start('batch', 21 * MINUTE, 20 * MINUTE);
    await jobs.clock.tickAsync(60 * MINUTE);
    const times = jobs.times('batch');
    assert.equal(times[0], 18 * MINUTE, 'not three times later');
    assert.equal(times[1] - times[0], 3 * 1.8 * MINUTE, 'the next wait is stretched by unfocusedMultiplier');
  });

  it("never faster than the account's budget: jobs due together are spread by its ceiling", async () => {
    for (let i = 0; i < 3; i++) {
      jobs.start(`batch-${i}`, 20 * MINUTE, 10 * MINUTE);
    }
    await jobs.clock.tickAsync(9 * MINUTE + 10_000);
    const firsts = [0, 1, 2].map((i) => jobs.times(`batch-${i}`)[0]);
    assert.deepEqual(firsts, [9 * MINUTE, 9 * MINUTE + 3000, 9 * MINUTE + 6000], '20 a minute: 3 s apart');
  });

  it('a poller taking over a job checked before keeps the timing its expected duration gives', async () => {
    // Created at 0, expected to run 20 minutes, checked at 2 min (a Refresh) in the window that closed.
    jobs.clock.tick(5 * MINUTE);
    const taken = { startedAt: 0, lastCheckedAt: 2 * MINUTE, expected: { expectedMs: 20 * MINUTE } };
    jobs.scheduler.add('taken', 'account', taken);
    await jobs.clock.tickAsync(20 * MINUTE);
    assert.equal(jobs.times('taken')[0], 18 * MINUTE);
    // Taken over after its appointment passed: checked soon, not a whole appointment later.
    jobs.scheduler.add('overdue', 'account', taken);
    await jobs.clock.tickAsync(10 * MINUTE);
    const first = jobs.times('overdue')[0] - 25 * MINUTE;
    assert.ok(first >= 5000 && first < 5 * MINUTE, `checked ${first} ms after the takeover`);
  });

  it('a next batch that may be the short last one is also checked at a tenth of its expected duration', async () => {
    // The last batch of 50 records of a 1,000,050-record export runs 10 s, where a full batch ran 20 min.
    jobs.start('last', 10_000, 20 * MINUTE, 'account', { mayEndSooner: true });
    await jobs.clock.tickAsync(60 * MINUTE);
    assert.deepEqual(jobs.times('last'), [2 * MINUTE], 'seen at 2 min, not at 18 min');
    // A full one is still seen within 10% of its run time, for one call more than without the early check.
    jobs.start('full', 20 * MINUTE, 20 * MINUTE, 'account', { mayEndSooner: true });
    const createdAt = jobs.clock.now();
    await jobs.clock.tickAsync(60 * MINUTE);
    const times = jobs.times('full').map((at) => at - createdAt);
    assert.deepEqual(times.slice(0, 2), [2 * MINUTE, 18 * MINUTE], 'the early check keeps the appointment');
    assert.equal(times.length, 4);
    assert.ok(jobs.lateMs('full') <= 0.1 * 20 * MINUTE, `seen ${jobs.lateMs('full')} ms late`);
  });

  it('the early check comes no sooner than the first check of any job, and only before the appointment', () => {
    const small = pollWait(0, false, DEFAULTS, { expectedMs: 20_000, mayEndSooner: true });
    assert.equal(small.ms, DEFAULTS.initialIntervalMs, 'a tenth of 20 s is under the 5 s first check');
    const batch = pollWait(0, false, DEFAULTS, { expectedMs: 100_000, mayEndSooner: true });
    assert.equal(batch.ms, 10_000);
    assert.equal(pollWait(10_000, true, DEFAULTS, { expectedMs: 100_000, mayEndSooner: true }).ms, 80_000);
    assert.equal(pollWait(0, false, DEFAULTS, { expectedMs: 5000, mayEndSooner: true }).ms, 5000);
  });

  it('a duration measured closely is first checked at 97% of it: one call for a batch as long as the one before', async () => {
    // The previous batch ran 20 min and was seen at 21 min by checks a tenth of its age apart.
    jobs.start('close', 20 * MINUTE, 21 * MINUTE, 'account', { measuredClosely: true });
    await jobs.clock.tickAsync(60 * MINUTE);
    assert.deepEqual(jobs.times('close'), [0.97 * 21 * MINUTE]);
    assert.ok(jobs.lateMs('close') <= 0.1 * 20 * MINUTE);
    // Measured closely: expected, and seen between the first check and the overrun.
    const job = { state: 'completed', trackedAt: 0, expectedMs: 20 * MINUTE };
    assert.equal(measuredClosely({ ...job, changedAt: 21 * MINUTE }), true);
    assert.equal(measuredClosely({ ...job, changedAt: 2 * MINUTE }), false, 'seen at the early check');
    assert.equal(
      measuredClosely({ ...job, changedAt: 40 * MINUTE }),
      false,
      'overran: checked by a quarter of its age',
    );
    assert.equal(measuredClosely({ ...job, expectedMs: undefined, changedAt: 21 * MINUTE }), false);
    assert.equal(measuredClosely({ ...job, state: 'running', changedAt: 21 * MINUTE }), false);
  });

  it('a job expected from an earlier run is first checked at 80% of it: ending 20% sooner (a report that shrank) is seen within 10%', async () => {
    // The history says 2 h; the report shrank and the job runs 1.6 h.
    jobs.start('repeat', 96 * MINUTE, 120 * MINUTE, 'account', { fromEarlierRun: true });
    await jobs.clock.tickAsync(4 * 60 * MINUTE);
    assert.deepEqual(jobs.times('repeat'), [96 * MINUTE]);
    // As long as its history: checks a tenth of the age apart from 80% on.
    jobs.start('same', 120 * MINUTE, 120 * MINUTE, 'account', { fromEarlierRun: true });
    const createdAt = jobs.clock.now();
    await jobs.clock.tickAsync(4 * 60 * MINUTE);
    const times = jobs.times('same').map((at) => at - createdAt);
    assert.equal(times[0], 96 * MINUTE);
    assert.ok(times.length <= 4, `${times.length} checks`);
    assert.ok(jobs.lateMs('same') <= 12 * MINUTE, `seen ${jobs.lateMs('same')} ms late`);
    // Its end seen from 80% on was measured closely.
    const job = { state: 'completed', trackedAt: 0, expectedMs: 20 * MINUTE, fromEarlierRun: true as const };
    assert.equal(measuredClosely({ ...job, changedAt: 17 * MINUTE }), true);
    assert.equal(measuredClosely({ ...job, fromEarlierRun: undefined, changedAt: 17 * MINUTE }), false);
  });
});

// When a window counts its UI as gone (src/host/presenceRule.ts), on a fake clock: a slow but live
// UI keeps the poller lease, a UI that never answers gives it up after several probes, a lost reply
// does not leave the window absent for good, and nothing is probed while nothing is tracked.
import * as assert from 'node:assert/strict';
import { Emitter } from '../../../src/core/lifecycle';
import type { ExportChange } from '../../../src/exports/exportStore';
import type { ExportRun } from '../../../src/exports/model';
import {
  PRESENCE_CHECK_MS,
  PRESENCE_MISSES_TO_ABSENT,
  PresenceRule,
  probeWhileTracking,
  type PresenceVerdict,
} from '../../../src/host/presenceRule';
import type { TrackedJob } from '../../../src/jobs/model';
import type { JobChange } from '../../../src/jobs/serviceApi';
import { FakeClock } from '../helpers/fakeClock';

/** A UI that answers `answerAfterMs` after each question (undefined: never). */
function ui(clock: FakeClock, answerAfter: () => number | undefined): () => Promise<void> {
  return () =>
    new Promise<void>((resolve) => {
      const ms = answerAfter();
      if (ms !== undefined) {
        clock.setTimeout(resolve, ms);
      }
    });
}

describe('PresenceRule (is this window’s UI still there?)', () => {
  let clock: FakeClock;
  let verdicts: PresenceVerdict[];
  let rule: PresenceRule;

  function start(ask: () => Promise<void>): void {
    rule = new PresenceRule(ask, clock, (verdict) => verdicts.push(verdict));
    rule.setActive(true);
  }

  beforeEach(() => {
    clock = new FakeClock();
    verdicts = [];
  });
  afterEach(() => rule.dispose());

  it('a slow but live UI (every answer 7 s late) never gives up the lease', async () => {
    start(ui(clock, () => 7_000));
    await clock.tickAsync(10 * PRESENCE_CHECK_MS);
    assert.equal(rule.present, true);
    assert.ok(
      verdicts.every((verdict) => verdict.present),
      `the lease was given up: ${JSON.stringify(verdicts)}`,
    );
    // The quick rule saw the late answers (no toast goes to a window that answers late).
    assert.ok(verdicts.some((verdict) => !verdict.answering));
  });

  it('a UI that misses one probe, then answers, keeps the lease', async () => {
    let asked = 0;
    start(ui(clock, () => (++asked === 1 ? 15_000 : 100)));
    await clock.tickAsync(6 * PRESENCE_CHECK_MS);
    assert.ok(verdicts.every((verdict) => verdict.present));
    assert.equal(rule.answering, true);
  });

  it('a UI that never answers gives the lease up after several probes in a row, not one', async () => {
    start(ui(clock, () => undefined));
    await clock.tickAsync(PRESENCE_MISSES_TO_ABSENT * PRESENCE_CHECK_MS);
    assert.equal(rule.present, true, 'given up too early');
    await clock.tickAsync(PRESENCE_CHECK_MS);
    assert.equal(rule.present, false);
    assert.equal(rule.answering, false);
  });

  it('a reply lost for good (a reconnect) does not leave the window absent for good', async () => {
    let asked = 0;
    start(ui(clock, () => (++asked === 1 ? undefined : 100)));
    await clock.tickAsync((PRESENCE_MISSES_TO_ABSENT + 1) * PRESENCE_CHECK_MS);
    assert.equal(rule.present, false);
    await clock.tickAsync(2 * PRESENCE_CHECK_MS);
    assert.equal(rule.present, true, 'the window never asked again');
    assert.equal(rule.answering, true);
  });
});

describe('probeWhileTracking (an unused window does no periodic work)', () => {
  it('arms no timer while nothing is tracked; arms one for a job, disarms when it goes', async () => {
    const clock = new FakeClock();
    const rule = new PresenceRule(
      () => Promise.resolve(),
      clock,
      () => undefined,
    );
    const jobChanges = new Emitter<JobChange>();
    const exportChanges = new Emitter<ExportChange>();
    let jobs: TrackedJob[] = [];
    let runs: ExportRun[] = [];
    const watching = probeWhileTracking(
      rule,
      { jobs: () => jobs, onDidChangeJob: jobChanges.event },
      { exports: () => runs, onDidChangeExport: exportChanges.event },
    );
    assert.deepEqual(clock.pendingTimers(), [], 'a timer with nothing tracked');
    await clock.tickAsync(5 * PRESENCE_CHECK_MS);
    assert.deepEqual(clock.pendingTimers(), []);

    const job = { key: 'acc|1' } as TrackedJob;
    jobs = [job];
    jobChanges.fire({ kind: 'added', job });
    assert.equal(clock.pendingTimers().length, 1, 'no probe while a job is tracked');
    jobs = [];
    jobChanges.fire({ kind: 'removed', job });
    assert.deepEqual(clock.pendingTimers(), [], 'still probing after the last job went');

    const run = { id: 'e1', state: 'running' } as ExportRun;
    runs = [run];
    exportChanges.fire({ kind: 'added', run } as ExportChange);
    assert.equal(clock.pendingTimers().length, 1, 'no probe while an export runs');
    runs = [{ ...run, state: 'completed' }];
    exportChanges.fire({ kind: 'updated', run: runs[0] } as ExportChange);
    assert.deepEqual(clock.pendingTimers(), []);
    watching.dispose();
    rule.dispose();
  });
});

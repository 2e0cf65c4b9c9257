// The merge rules of the shared stores: small pure functions that turn an item as stored now
// (by whichever window wrote last) into what this window's change stores. Each rule is what keeps
// one window from undoing another's change.
import * as assert from 'node:assert/strict';
import {
  addRun,
  claimRun,
  patchRun,
  patchRunAs,
  removeRun,
  requestRunCancel,
} from '../../../src/exports/exportStore';
import type { ExportRun } from '../../../src/exports/model';
import type { TrackedJob } from '../../../src/jobs/model';
import { changeHolds, type StoredHolds } from '../../../src/jobs/sharedAccountHolds';
import { addJob, patchJob, removeJob } from '../../../src/jobs/storedJobs';

const job = (extra: Partial<TrackedJob> = {}): TrackedJob =>
  ({
    key: 'k',
    accountId: 'a',
    jobId: '1',
    ref: { owner: 'o', app: 'p', report: 'r' },
    state: 'running',
    download: 'none',
    batch: 1,
    trackedAt: 1,
    changedAt: 1,
    ...extra,
  }) as TrackedJob;

const run = (extra: Partial<ExportRun> = {}): ExportRun =>
  ({
    id: 'run',
    accountId: 'a',
    ref: { owner: 'o', app: 'p', report: 'r' },
    destination: '/x.csv',
    state: 'running',
    batches: [],
    bytesWritten: 0,
    records: 0,
    startedAt: 1,
    writer: 'w1',
    ...extra,
  }) as ExportRun;

describe('merge rules of the shared stores', () => {
  describe('jobs', () => {
    it('add: a job another window tracked first wins (nothing is doubled)', () => {
      const theirs = job({ batch: 2 });
      assert.equal(addJob(job())(theirs), theirs);
      assert.deepEqual(addJob(job())(undefined), job());
    });

    it('update: patches land on the job as stored; other fields survive; undefined clears', () => {
      const stored = job({
        state: 'completed',
        nextBatchKey: 'n',
        lastError: { kind: 'network', message: 'x', at: 1 },
      });
      const next = patchJob({ download: 'ready', lastError: undefined })(stored);
      assert.equal(next?.state, 'completed', "another window's change survives");
      assert.equal(next?.nextBatchKey, 'n');
      assert.equal(next?.download, 'ready');
      assert.equal('lastError' in next!, false);
      assert.equal(stored.download, 'none', 'the stored job is not changed in place');
    });

    it('update: a job another window stopped tracking stays gone; remove removes', () => {
      assert.equal(patchJob({ state: 'failed' })(undefined), undefined);
      assert.equal(removeJob(job()), undefined);
    });
  });

  describe('exports', () => {
    it('a cancel request survives progress, and progress survives a cancel request', () => {
      const requested = requestRunCancel(true)(run());
      const progressed = patchRun('run', { records: 10, bytesWritten: 99 })(requested);
      assert.deepEqual(progressed?.cancelRequest, { keepRecords: true });
      assert.equal(requestRunCancel(true)(patchRun('run', { records: 10 })(run()))?.records, 10);
    });

    it('a cancel is asked only of a running run, and only once (the first request wins)', () => {
      const done = run({ state: 'completed' });
      assert.equal(requestRunCancel(true)(done), done);
      const asked = run({ cancelRequest: { keepRecords: false } });
      assert.equal(requestRunCancel(true)(asked), asked);
      assert.equal(requestRunCancel(true)(undefined), undefined);
    });

    it("a writer that lost the run changes nothing (fencing); the run's writer does", () => {
      const claimed = run({ writer: 'w2', records: 200 });
      assert.equal(patchRunAs('run', 'w1', { records: 100 })(claimed), claimed);
      assert.equal(patchRunAs('run', 'w2', { records: 300 })(claimed)?.records, 300);
      assert.equal(patchRunAs('run', 'w1', { records: 1 })(undefined), undefined);
    });

    it('a claim succeeds only if nothing moved since the claiming window looked', () => {
      const stored = run({ writer: 'w1', bytesWritten: 5 });
      assert.equal(claimRun('run', 'w2', { writer: 'w1', bytesWritten: 4 }, {})(stored), stored);
      assert.equal(claimRun('run', 'w2', { writer: 'w0', bytesWritten: 5 }, {})(stored), stored);
      assert.equal(
        claimRun('run', 'w2', { writer: 'w1', bytesWritten: 5 }, {})(run({ ...stored, state: 'failed' }))
          ?.writer,
        'w1',
      );
      assert.equal(
        claimRun('run', 'w2', { writer: 'w1', bytesWritten: 5 }, { records: 7 })(stored)?.writer,
        'w2',
      );
    });

    it('a run another window removed stays removed; a new run is stored unless one is', () => {
      assert.equal(patchRun('run', { seenAt: 5 })(undefined), undefined);
      assert.equal(removeRun(run()), undefined);
      const theirs = run({ records: 3 });
      assert.equal(addRun(run())(theirs), theirs);
    });
  });

  describe('account holds', () => {
    const now = 1_000_000;
    const throttle = (until: number): StoredHolds['throttle'] => ({
      reason: 'rateLimited',
      until,
      message: 'm',
    });
    const auth: StoredHolds['auth'] = { kind: 'authExpired', message: 'rejected', until: now + 5 };

    it('a throttle only lengthens: two windows meeting one limit keep the later end', () => {
      const stored: StoredHolds = { throttle: throttle(now + 60_000) };
      assert.equal(
        changeHolds({ throttle: throttle(now + 1_000) }, now)(stored)?.throttle?.until,
        now + 60_000,
      );
      assert.equal(
        changeHolds({ throttle: throttle(now + 90_000) }, now)(stored)?.throttle?.until,
        now + 90_000,
      );
    });

    it('a throttle already over does not count, a cleared part is removed, the rest kept', () => {
      assert.equal(
        changeHolds({ throttle: throttle(now + 10) }, now)({ throttle: throttle(now - 1) })?.throttle?.until,
        now + 10,
      );
      assert.deepEqual(changeHolds({ auth: null }, now)({ auth, throttle: throttle(now + 9) }), {
        throttle: throttle(now + 9),
      });
      assert.deepEqual(changeHolds({ throttle: null }, now)({ auth, throttle: throttle(now + 9) }), { auth });
    });

    it('nothing left, or forget: the account has no holds stored', () => {
      assert.equal(changeHolds({ auth: null }, now)({ auth }), undefined);
      assert.equal(changeHolds('forget', now)({ auth, throttle: throttle(now + 9) }), undefined);
      assert.deepEqual(changeHolds({ auth }, now)(undefined), { auth });
    });
  });
});

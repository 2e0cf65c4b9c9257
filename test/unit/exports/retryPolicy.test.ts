// RetryPolicy with a fake clock: a step failing with a network or server error is tried
// TRANSIENT_TRIES times in all after growing waits (each try is one of the user's API calls), a
// wait holds its step so no event tries it sooner, and stopping a run ends its waits only.
import * as assert from 'node:assert/strict';
import type { TrackedJob } from '../../../src/jobs/model';
import {
  RetryPolicy,
  TRANSIENT_RETRY_BASE_MS,
  TRANSIENT_TRIES,
  createStep,
  downloadStep,
} from '../../../src/exports/retryPolicy';
import { ZohoError } from '../../../src/zoho/errors';
import { FakeClock } from '../helpers/fakeClock';

const network = (): ZohoError => new ZohoError({ kind: 'network', message: 'socket hang up' });

describe('RetryPolicy', () => {
  let clock: FakeClock;
  let retries: RetryPolicy;
  let tried: string[];

  beforeEach(() => {
    clock = new FakeClock();
    retries = new RetryPolicy(clock);
    tried = [];
  });

  it(`tries a transiently failing step ${TRANSIENT_TRIES} times in all, after growing waits, and holds it meanwhile`, () => {
    const step = downloadStep('run-1', 'job-1');
    const waits: number[] = [];
    for (;;) {
      const started = clock.now();
      if (!retries.retryTransient(step, step, network(), () => tried.push(step))) {
        break;
      }
      assert.ok(retries.waiting(step), 'no event tries it sooner');
      clock.tick(clock.pendingTimers()[0] - clock.now());
      waits.push(clock.now() - started);
      assert.equal(retries.waiting(step), false);
    }
    assert.deepEqual(waits, [TRANSIENT_RETRY_BASE_MS, 2 * TRANSIENT_RETRY_BASE_MS]);
    assert.equal(tried.length, TRANSIENT_TRIES - 1, 'the first try was the one that failed first');
    assert.ok(retries.exhausted(step), 'tried no more, not even while stopping');
  });

  it('does not retry what a retry cannot fix, and a success starts the count again', () => {
    const step = createStep('run-1', 'job-1');
    const refused = new ZohoError({ kind: 'badRequest', message: 'no' });
    assert.equal(
      retries.retryTransient('run-1', step, refused, () => tried.push('x')),
      false,
    );
    assert.equal(
      retries.retryTransient('run-1', step, new Error('plain'), () => tried.push('x')),
      false,
    );
    assert.equal(retries.exhausted(step), false);

    assert.ok(retries.retryTransient('run-1', step, network(), () => tried.push('1')));
    retries.succeeded(step);
    assert.ok(retries.retryTransient('run-1', step, network(), () => tried.push('2')));
    assert.ok(retries.retryTransient('run-1', step, network(), () => tried.push('3')));
    assert.equal(clock.pendingTimers().length, 1, 'one wait per key: a later one replaces it');
    clock.tick(10 * TRANSIENT_RETRY_BASE_MS);
    assert.deepEqual(tried, ['3']);
  });

  it("counts the job service's own failed download as the first try, once", () => {
    const step = downloadStep('run-1', 'job-1');
    const failed = {
      download: 'failed',
      lastError: { kind: 'server', message: '503', at: 0 },
    } as TrackedJob;
    assert.ok(retries.countedJobServiceTry(step, failed, () => tried.push('again')));
    assert.equal(
      retries.countedJobServiceTry(step, failed, () => tried.push('twice')),
      false,
    );
    const cancelled = { ...failed, lastError: { kind: 'cancelled', message: 'x', at: 0 } } as TrackedJob;
    assert.equal(
      retries.countedJobServiceTry(downloadStep('run-1', 'job-2'), cancelled, () => undefined),
      false,
    );
    clock.tick(TRANSIENT_RETRY_BASE_MS);
    assert.deepEqual(tried, ['again']);
  });

  it("stopping a run ends its waits and forgets its tries, and leaves another run's alone", () => {
    retries.later('run-1', 60_000, () => tried.push('create 1'));
    const one = downloadStep('run-1', 'job-1');
    const two = downloadStep('run-2', 'job-9');
    retries.retryTransient(one, one, network(), () => tried.push('download 1'));
    retries.retryTransient(two, two, network(), () => tried.push('download 2'));
    retries.cancelWaits('run-1');
    retries.forgetRun('run-1');
    clock.tick(60_000);
    assert.deepEqual(tried, ['download 2']);
    assert.ok(
      retries.retryTransient(one, one, network(), () => undefined),
      'counted from the start again',
    );

    retries.dispose();
    assert.deepEqual(clock.pendingTimers(), [], 'no timer outlives the runner');
  });
});

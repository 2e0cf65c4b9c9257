// JobService against the simulator over real HTTP, with a real JobStore and temp dir. The service
// runs on a fake clock (polls happen only when a test ticks it); the simulator's own clock decides
// when jobs complete and cursors expire.
import * as assert from 'node:assert/strict';
import { access } from 'node:fs/promises';
import * as path from 'node:path';
import type { Event, IDisposable } from '../../../src/core/lifecycle';
import { silentLogger } from '../../../src/core/ports';
import { LocalRefusal } from '../../../src/core/refusal';
import type { Lease } from '../../../src/core/lease';
import { JobService, type JobServiceOptions } from '../../../src/jobs/jobService';
import { JobNotSavedError, type TrackedJob } from '../../../src/jobs/model';
import type { AccountPause, AccountProblem } from '../../../src/jobs/serviceApi';
import { countCsvRecords } from '../../../src/results/countCsvRecords';
import type { BulkReadApi } from '../../../src/zoho/api';
import { isZohoError, type ZohoError } from '../../../src/zoho/errors';
import { startSimulator, type Simulator } from '../../simulator';
import { FakeClock, settle } from '../helpers/fakeClock';
import { clientFor, ref, tempDir } from '../results/helpers';
import type { JobStore } from '../../../src/jobs/jobStore';
import { SharedStorage } from './sharedStorage';
import { TEST_POLL_SETTINGS } from '../helpers/pollSettings';

const SETTINGS = TEST_POLL_SETTINGS;
const MINUTE = 60_000;
const ACCOUNT = 'acc-1';

/** Resolves with the first value the event fires that matches. */
function next<T>(event: Event<T>, matches: (value: T) => boolean = () => true): Promise<T> {
  return new Promise((resolve) => {
    const subscription: IDisposable = event((value) => {
      if (matches(value)) {
        subscription.dispose();
        resolve(value);
      }
    });
  });
}

function collect<T>(event: Event<T>): T[] {
  const values: T[] = [];
  event((value) => values.push(value));
  return values;
}

/** The real client, counting status calls at the moment they are made (no timing involved). */
function counting(api: BulkReadApi): BulkReadApi & { statusCalls: number } {
  const counted = Object.create(api) as BulkReadApi & { statusCalls: number };
  counted.statusCalls = 0;
  counted.getJob = (r, id) => {
    counted.statusCalls++;
    return api.getJob(r, id);
  };
  return counted;
}

async function rejectsWith(promise: Promise<unknown>, kind: ZohoError['kind']): Promise<ZohoError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(isZohoError(error), `expected a ZohoError, got ${String(error)}`);
    assert.equal(error.kind, kind, error.message);
    return error;
  }
  assert.fail(`expected a ${kind} ZohoError`);
}

/** Rejects with the error of a request refused before asking Zoho (no API call spent). */
async function refuses(promise: Promise<unknown>): Promise<LocalRefusal> {
  const error = await promise.then(
    () => assert.fail('expected a LocalRefusal'),
    (reason: unknown) => reason,
  );
  assert.ok(error instanceof LocalRefusal, `expected a LocalRefusal, got ${String(error)}`);
  return error;
}

describe('JobService (simulator over HTTP)', () => {
  let sim: Simulator;
  let temp: Awaited<ReturnType<typeof tempDir>>;
  let clock: FakeClock;
  let storage: SharedStorage;
  let api: ReturnType<typeof counting>;
  let autoDownload: boolean;
  const services: JobService[] = [];

  const stores: JobStore[] = [];

  /** Lets polls that are writing to the shared file (real I/O, not the fake clock) finish. */
  async function quiesce(): Promise<void> {
    for (let round = 0; round < 5; round++) {
      await Promise.all(stores.map((store) => store.flushed()));
      await settle();
    }
  }

  function newService(overrides: Partial<JobServiceOptions> = {}): JobService {
    const store = storage.store();
    stores.push(store);
    const service = new JobService({
      store,
      clients: async () => api,
      clock,
      logger: silentLogger,
      resultsDir: temp.dir,
      settings: SETTINGS,
      autoDownload: () => autoDownload,
      ...overrides,
    });
    services.push(service);
    return service;
  }

  /** Completes running jobs on the simulator, then lets the service's next poll see it. */
  async function completeAndPoll(service: JobService, key: string): Promise<TrackedJob> {
    const finished = next(service.onDidFinishJob, (job) => job.key === key);
    sim.clock.advance(10_000);
    await clock.tickAsync(SETTINGS.maxIntervalMs);
    // A poll sent before the advance may still answer 'running': poll again until it is seen.
    while (service.get(key)?.state === 'running') {
      await service.refresh(key);
    }
    return finished;
  }

  beforeEach(async () => {
    sim = await startSimulator({ jobDurationMs: 10_000, throttles: false });
    temp = await tempDir();
    clock = new FakeClock();
    storage = await SharedStorage.create();
    api = counting(clientFor(sim));
    autoDownload = true;
  });

  afterEach(async () => {
    for (const service of services.splice(0)) {
      service.dispose();
    }
    stores.length = 0;
    await sim.close();
    await temp.remove();
    await storage.dispose();
  });

  it('creates, polls to completion, announces it, then downloads the CSV', async () => {
    const service = newService();
    const job = await service.createJob(ACCOUNT, ref('All_Customers'), {});
    assert.equal(job.state, 'running');
    assert.equal(job.batch, 1);
    assert.equal(job.download, 'none');
    assert.deepEqual(
      service.jobs().map((j) => j.key),
      [job.key],
    );

    const ready = next(service.onDidChangeJob, (change) => change.job.download === 'ready');
    const finished = await completeAndPoll(service, job.key);
    assert.equal(finished.state, 'completed');
    assert.equal(service.get(job.key)?.state, 'completed', 'the store is updated before the event');
    assert.equal(finished.details?.result?.count, 1000);

    const { job: done } = await ready;
    assert.ok(done.result);
    assert.equal(await countCsvRecords(done.result.path), 1000);
    assert.deepEqual(await service.ensureResult(job.key), service.get(job.key)?.result);
    assert.deepEqual(await temp.files(), [path.relative(temp.dir, done.result.path)]);
    assert.match(
      path.relative(temp.dir, done.result.path),
      new RegExp(`^demo_zylker-store_[0-9a-f]{12}/All_Customers_${job.jobId}\\.csv$`),
    );
    assert.equal(done.result.records, 1000);
    assert.equal(
      await service.ensureResult(job.key),
      service.get(job.key)?.result,
      'present: no new download',
    );
  });

  it('names the job created at Zoho when it cannot be saved, so the user can track it', async () => {
    const service = newService();
    await storage.blockWrites(); // the job cannot be stored

    const error = await service.createJob(ACCOUNT, ref('All_Customers'), {}).then(
      () => assert.fail('expected the create to fail'),
      (caught: unknown) => caught,
    );

    assert.ok(error instanceof JobNotSavedError, String(error));
    const created = sim.requests.filter((r) => r.method === 'POST');
    assert.equal(created.length, 1);
    assert.match(error.jobId, /^\d+$/);
    assert.match(error.message, new RegExp(`${error.jobId}.*Track Existing Job`));
    assert.deepEqual(service.jobs(), []);
  });

  it('keeps polling a job after a poll that found the lease lapsed for a moment (a late heartbeat)', async () => {
    let held = true;
    const lease: Lease = {
      get held() {
        return held;
      },
      onDidChange: () => ({ dispose: () => undefined }),
      someWindowFocused: false,
      onDidChangeSomeWindowFocused: () => ({ dispose: () => undefined }),
      setFocused: () => undefined,
    };
    autoDownload = false;
    const service = newService({ lease });
    const job = await service.createJob(ACCOUNT, ref('All_Customers'), {});

    held = false; // the next poll finds the lease lapsed; the heartbeat then renews it, no change
    await clock.tickAsync(SETTINGS.maxIntervalMs);
    await quiesce();
    held = true;
    const calls = api.statusCalls;
    await clock.tickAsync(2 * SETTINGS.maxIntervalMs);
    await quiesce();

    assert.ok(api.statusCalls > calls, 'still polled');
    assert.ok(service.checkTimes(job.key).next !== undefined, 'still scheduled');
  });

  it('runs one download per job however many callers ask', async () => {
    autoDownload = false;
    const service = newService();
    const job = await service.createJob(ACCOUNT, ref('All_Customers'), {});
    await completeAndPoll(service, job.key);

    const [a, b] = await Promise.all([service.ensureResult(job.key), service.ensureResult(job.key)]);

    assert.deepEqual(a, b);
    assert.equal(sim.requests.filter((r) => r.path.endsWith('/result')).length, 1);
    assert.equal(service.get(job.key)?.download, 'ready');
  });

  it('refuses to download a result Zoho no longer keeps (24 h), without asking the server', async () => {
    autoDownload = false;
    const service = newService();
    const job = await service.createJob(ACCOUNT, ref('All_Customers'), {});
    await completeAndPoll(service, job.key);
    await clock.tickAsync(24 * 60 * MINUTE);
    const downloads = sim.requests.filter((r) => r.path.endsWith('/result')).length;

    const error = await refuses(service.ensureResult(job.key));

    assert.match(error.message, /has expired: Zoho keeps results for 24 hours/);
    assert.equal(sim.requests.filter((r) => r.path.endsWith('/result')).length, downloads);
  });

  it('fails trackJob for an unknown id and tracks nothing', async () => {
    const service = newService();
    await rejectsWith(service.trackJob(ACCOUNT, ref('All_Customers'), '999999'), 'notFound');
    assert.deepEqual(service.jobs(), []);
    assert.deepEqual(storage.store().all(), []);
  });

  it('tracks an existing job once, and a finished one without polling it', async () => {
    const service = newService();
    autoDownload = false;
    const created = await api.createJob(ref('All_Customers'), {});
    sim.clock.advance(10_000);

    const tracked = await service.trackJob(ACCOUNT, ref('All_Customers'), created.id);
    const again = await service.trackJob(ACCOUNT, ref('All_Customers'), created.id);

    assert.equal(tracked.state, 'completed');
    assert.equal(again.key, tracked.key);
    assert.equal(service.jobs().length, 1);
    const calls = api.statusCalls;
    await clock.tickAsync(10 * SETTINGS.maxIntervalMs);
    assert.equal(api.statusCalls, calls, 'a finished job is not polled');
  });

  it('resumes polling an unfinished job after a reload (same storage)', async () => {
    const first = newService();
    const job = await first.createJob(ACCOUNT, ref('All_Customers'), {});
    first.dispose();
    assert.deepEqual(clock.pendingTimers(), [], 'the old service left no timer');

    autoDownload = false;
    sim.clock.advance(10_000);
    const second = newService();
    assert.equal(second.get(job.key)?.state, 'running');
    const finished = next(second.onDidFinishJob);
    // refresh() without a key polls only what the scheduler holds: the resumed job.
    await second.refresh();
    assert.equal(second.get(job.key)?.state, 'completed');
    assert.equal((await finished).key, job.key);
  });

  it('follows the record cursor batch by batch, checking counts and cursors by status only', async () => {
    autoDownload = false;
    const service = newService();
    const first = await service.createJob(ACCOUNT, ref('All_Orders'), {});
    const one = await completeAndPoll(service, first.key);
    assert.equal(one.details?.result?.count, 100_000);
    assert.ok(one.details?.result?.record_cursor);
    assert.equal(one.cursorSeenAt, clock.now());

    const second = await service.fetchNextBatch(first.key);
    assert.equal(second.batch, 2);
    assert.equal(second.parentKey, first.key);
    assert.equal(service.get(first.key)?.nextBatchKey, second.key);
    const createBody = JSON.parse(sim.requests.filter((r) => r.method === 'POST').at(-1)?.body ?? '{}');
    assert.deepEqual(createBody, { query: { record_cursor: one.details.result.record_cursor } });
    await refuses(service.fetchNextBatch(first.key)); // its cursor is used up

    const two = await completeAndPoll(service, second.key);
    assert.equal(two.details?.result?.count, 100_000);
    const third = await service.fetchNextBatch(second.key);
    const three = await completeAndPoll(service, third.key);
    assert.equal(three.batch, 3);
    assert.equal(three.details?.result?.count, 50_000);
    assert.equal(three.details?.result?.record_cursor, undefined);

    const error = await refuses(service.fetchNextBatch(third.key));
    assert.match(error.message, /last batch/);
    assert.equal(sim.requests.filter((r) => r.path.endsWith('/result')).length, 0, 'nothing downloaded');
  });

  it('refuses an expired cursor with a clear error (15 minutes)', async () => {
    autoDownload = false;
    const service = newService();
    const first = await service.createJob(ACCOUNT, ref('All_Orders'), {});
    await completeAndPoll(service, first.key);

    // Only the server's clock moved: the server refuses, the error reaches the caller.
    sim.clock.advance(15 * MINUTE);
    await rejectsWith(service.fetchNextBatch(first.key), 'badRequest');
    assert.equal(service.jobs().length, 1, 'no follow-up job tracked');

    // Both clocks moved: refused locally, saying why, without a request.
    await clock.tickAsync(15 * MINUTE);
    const posts = sim.requests.filter((r) => r.method === 'POST').length;
    const error = await refuses(service.fetchNextBatch(first.key));
    assert.match(error.message, /expired/);
    assert.match(error.message, /15 minutes/);
    assert.equal(sim.requests.filter((r) => r.method === 'POST').length, posts);
  });

  it('pauses the account on 429 and sends nothing until the pause ends', async () => {
    const service = newService();
    const pauses = collect<AccountPause>(service.onDidChangePause);
    const a = await service.createJob(ACCOUNT, ref('All_Customers'), {});
    const b = await service.createJob(ACCOUNT, ref('All_Orders'), {});
    sim.inject({ route: 'status', httpStatus: 429, code: 2955, retryAfterSeconds: 120, times: 2 });

    const paused = next(service.onDidChangePause);
    await clock.tickAsync(SETTINGS.initialIntervalMs);
    const pause = await paused;
    await service.refresh(); // awaits the other job's poll, in flight at the same moment
    assert.equal(pause.reason, 'rateLimited');
    assert.equal(pause.accountId, ACCOUNT);
    assert.equal(pause.until, clock.now() + 120_000);
    assert.match(pause.message, /paused until \d\d:\d\d/);
    assert.deepEqual(service.pauses(), [pause]);

    const calls = api.statusCalls;
    await clock.tickAsync(110_000);
    assert.equal(api.statusCalls, calls, 'no request while paused');
    assert.equal(pauses.length, 1, 'one pause event, however many jobs met the 429');

    const ended = next(service.onDidChangePause, (p) => p.until <= clock.now());
    await clock.tickAsync(10_000 + SETTINGS.maxIntervalMs);
    await ended;
    await service.refresh(a.key);
    await service.refresh(b.key);
    assert.ok(api.statusCalls > calls, 'polling resumed');
    assert.deepEqual(service.pauses(), []);
  });

  it('pauses the account for an hour on the daily limit (200/4000)', async () => {
    const service = newService();
    await service.createJob(ACCOUNT, ref('All_Customers'), {});
    sim.inject({ route: 'status', httpStatus: 200, code: 4000 });

    const paused = next(service.onDidChangePause);
    await clock.tickAsync(SETTINGS.initialIntervalMs);
    const pause = await paused;
    assert.equal(pause.reason, 'dailyLimit');
    assert.equal(pause.until, clock.now() + 60 * MINUTE);
  });

  it('ends an account pause, with an event, when the account is forgotten (sign-out)', async () => {
    const service = newService();
    await service.createJob(ACCOUNT, ref('All_Customers'), {});
    sim.inject({ route: 'status', httpStatus: 200, code: 4000 });
    const paused = next(service.onDidChangePause);
    await clock.tickAsync(SETTINGS.initialIntervalMs);
    await paused;

    const ended = next(service.onDidChangePause, (p) => p.until <= clock.now());
    await service.forgetAccount(ACCOUNT);
    assert.equal((await ended).accountId, ACCOUNT);
    assert.deepEqual(service.pauses(), []);
    assert.deepEqual(service.jobs(), []);
  });

  it('reports a missing scope once, holds the account, and recovers on refresh', async () => {
    const service = newService();
    const problems = collect<AccountProblem>(service.onDidHitAccountProblem);
    const a = await service.createJob(ACCOUNT, ref('All_Customers'), {});
    await service.createJob(ACCOUNT, ref('All_Orders'), {});
    sim.inject({ route: 'status', httpStatus: 401, code: 2945, text: 'Invalid OAuth scope', times: 2 });

    const first = next(service.onDidHitAccountProblem);
    await clock.tickAsync(SETTINGS.initialIntervalMs);
    await first;
    await quiesce();
    const calls = api.statusCalls;
    await clock.tickAsync(10 * MINUTE);
    assert.equal(problems.length, 1, 'one problem, not a stream');
    assert.equal(problems[0].error.kind, 'missingScope');
    assert.equal(api.statusCalls, calls, 'the account is held');
    assert.equal(service.pauses().length, 0, 'not a throttle pause');

    await service.refresh(a.key);
    assert.ok(api.statusCalls > calls, 'refresh polls again');
    assert.equal(service.get(a.key)?.lastError, undefined, 'recovered');
    assert.equal(problems.length, 1);
  });

  it("resumeAccount ends only that account's auth hold and polls its jobs at once", async () => {
    const service = newService();
    const problems = collect<AccountProblem>(service.onDidHitAccountProblem);
    const a = await service.createJob(ACCOUNT, ref('All_Customers'), {});
    const b = await service.createJob('acc-2', ref('All_Orders'), {});
    sim.inject({ route: 'status', httpStatus: 401, code: 2945, text: 'Invalid OAuth scope', times: 2 });

    const bothHeld = new Promise<void>((resolve) => {
      const subscription = service.onDidHitAccountProblem(() => {
        if (problems.length === 2) {
          subscription.dispose();
          resolve();
        }
      });
    });
    await clock.tickAsync(SETTINGS.initialIntervalMs);
    await bothHeld;
    await quiesce();
    assert.deepEqual(problems.map((p) => p.accountId).sort(), [ACCOUNT, 'acc-2']);
    const calls = api.statusCalls;

    await service.resumeAccount(ACCOUNT);
    assert.equal(api.statusCalls, calls + 1, 'only the resumed account is polled');
    assert.equal(service.get(a.key)?.lastError, undefined, 'recovered');
    await clock.tickAsync(10 * MINUTE);
    assert.equal(service.get(b.key)?.lastError?.kind, 'missingScope', 'the other account stays held');
    assert.equal(problems.length, 2);
  });

  it('marks a job the server no longer knows as failed', async () => {
    const service = newService();
    const job = await service.createJob(ACCOUNT, ref('All_Customers'), {});
    sim.inject({ route: 'status', httpStatus: 404, code: 7120, text: 'Invalid job id' });

    const finished = next(service.onDidFinishJob);
    await clock.tickAsync(SETTINGS.initialIntervalMs);
    const failed = await finished;
    assert.equal(failed.key, job.key);
    assert.equal(failed.state, 'failed');
    assert.equal(failed.lastError?.kind, 'notFound');
  });

  it('stopTracking forgets the job and deletes its CSV', async () => {
    const service = newService();
    const job = await service.createJob(ACCOUNT, ref('All_Customers'), {});
    const ready = next(service.onDidChangeJob, (change) => change.job.download === 'ready');
    await completeAndPoll(service, job.key);
    const { job: done } = await ready;
    assert.ok(done.result);
    await access(done.result.path);

    await service.stopTracking(job.key);

    assert.deepEqual(service.jobs(), []);
    assert.deepEqual(await temp.files(), []);
  });

  it('dispose leaves no timer, even with running jobs and a pause', async () => {
    const service = newService();
    await service.createJob(ACCOUNT, ref('All_Customers'), {});
    sim.inject({ route: 'status', httpStatus: 429, code: 2955, retryAfterSeconds: 60 });
    const paused = next(service.onDidChangePause);
    await clock.tickAsync(SETTINGS.initialIntervalMs);
    await paused;
    assert.notDeepEqual(clock.pendingTimers(), []);

    service.dispose();

    assert.deepEqual(clock.pendingTimers(), []);
  });
});

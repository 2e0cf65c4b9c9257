// Three windows: three JobServices, each with its own store and lease, over one global storage
// folder and one results folder, against the simulator over HTTP. They share a fake clock (polls
// and heartbeats happen only when a test moves it); file I/O is real.
import * as assert from 'node:assert/strict';
import { access, mkdir, utimes, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { tryLock } from '../../../src/core/fileLock';
import { FileLease, LEASE_HEARTBEAT_MS, LEASE_TTL_MS, POLLER_LEASE_FILE_NAME } from '../../../src/core/lease';
import { silentLogger } from '../../../src/core/ports';
import { JobService } from '../../../src/jobs/jobService';
import type { JobStore } from '../../../src/jobs/jobStore';
import { ACCOUNT_HOLDS_FILE_NAME, SharedAccountHolds } from '../../../src/jobs/sharedAccountHolds';
import type { TrackedJob } from '../../../src/jobs/model';
import type { PollSettings } from '../../../src/jobs/serviceApi';
import { resultPaths } from '../../../src/results/resultPaths';
import type { BulkReadApi } from '../../../src/zoho/api';
import { startSimulator, type Simulator } from '../../simulator';
import { FakeClock, settle } from '../helpers/fakeClock';
import { clientFor, ref, tempDir } from '../results/helpers';
import { SharedStorage } from './sharedStorage';

const SETTINGS: PollSettings = {
  initialIntervalMs: 1000,
  maxIntervalMs: 4000,
  unfocusedMultiplier: 1,
  maxConcurrent: 2,
  maxChecksPerMinute: 20,
};
const ACCOUNT = 'acc-1';

interface Window {
  name: string;
  service: JobService;
  store: JobStore;
  lease: FileLease;
  /** The shared account holds (synced here as the folder's watcher does in the editor). */
  holds: SharedAccountHolds;
  statusCalls: number;
  finished: TrackedJob[];
  /** What this window's notifications were told to show. */
  announced: TrackedJob[];
}

describe('Many windows over one storage folder', function () {
  // A guard against a hang, not a time limit on the behaviour: each case runs three windows over
  // real files and HTTP on a stepped fake clock, and took up to 31 s on a 2-core machine at load 13.
  this.timeout(60_000);
  let sim: Simulator;
  let shared: SharedStorage;
  let results: Awaited<ReturnType<typeof tempDir>>;
  let clock: FakeClock;
  let autoDownload: boolean;
  const windows: Window[] = [];

  function open(name: string): Window {
    const store = shared.store();
    const lease = new FileLease(shared.file(POLLER_LEASE_FILE_NAME), clock);
    const client = clientFor(sim);
    const holds = new SharedAccountHolds(shared.file(ACCOUNT_HOLDS_FILE_NAME, clock), silentLogger);
    const window: Window = {
      name,
      store,
      lease,
      holds,
      statusCalls: 0,
      finished: [],
      announced: [],
      service: undefined as never,
    };
    const counted = Object.create(client) as BulkReadApi;
    counted.getJob = (r, id) => {
      window.statusCalls++;
      return client.getJob(r, id);
    };
    window.service = new JobService({
      store,
      clients: async () => counted,
      clock,
      logger: silentLogger,
      resultsDir: results.dir,
      settings: SETTINGS,
      autoDownload: () => autoDownload,
      lease,
      accountHolds: holds,
    });
    window.service.onDidFinishJob((job) => window.finished.push(job));
    window.service.onDidAnnounceJob((job) => window.announced.push(job));
    windows.push(window);
    return window;
  }

  /** Closes a window as deactivate does: resolves once its lease release and its writes are done. */
  async function close(window: Window): Promise<void> {
    windows.splice(windows.indexOf(window), 1);
    const released = window.lease.close();
    await Promise.all([released, window.service.dispose(), window.store.dispose(), window.holds.dispose()]);
  }

  /** Lets heartbeats, polls and their writes (real I/O) finish, and every window re-read the list. */
  async function quiesce(): Promise<void> {
    for (let round = 0; round < 6; round++) {
      await Promise.all(windows.flatMap((w) => [w.lease.beat(), w.store.flushed()]));
      await settle();
    }
    for (const w of windows) {
      w.store.sync(); // what the file watcher does in the editor
    }
    await Promise.all(windows.map((w) => w.service.accountStates.flushed()));
    await Promise.all(windows.map((w) => w.service.abandonedDownloadsReleased()));
    windows.forEach((w) => w.holds.sync());
    await settle();
  }

  /** Moves the shared clock on in steps, letting I/O finish at each. */
  async function run(ms: number, step = 500): Promise<void> {
    for (let done = 0; done < ms; done += step) {
      await clock.tickAsync(step);
      await quiesce();
    }
  }

  /**
   * Moves the shared clock on a second at a time until `promise` settles: between steps the real
   * I/O (HTTP, files) goes on and every window catches up. No real-time sleep: the promise says
   * when the work is done.
   */
  async function runUntil<T>(promise: Promise<T>): Promise<T> {
    let settled = false;
    promise.then(
      () => (settled = true),
      () => (settled = true),
    );
    while (!settled) {
      await clock.tickAsync(1000);
      await quiesce();
    }
    return promise;
  }

  function pollers(): string[] {
    return windows.filter((w) => w.service.polling.held).map((w) => w.name);
  }

  async function openThree(): Promise<[Window, Window, Window]> {
    const three = [open('A'), open('B'), open('C')] as [Window, Window, Window];
    for (const w of three) {
      await w.lease.start();
    }
    await quiesce();
    return three;
  }

  /** A job created in `window` and polled to completion by the poller. */
  async function completedJob(window: Window): Promise<TrackedJob> {
    const job = await window.service.createJob(ACCOUNT, ref('All_Customers'), {});
    sim.clock.advance(10_000);
    await run(5000);
    return job;
  }

  /** A completed job whose result another window (a process this test plays) is half-way through. */
  async function halfDownloadedElsewhere() {
    autoDownload = false;
    const [a, b] = await openThree();
    const job = await completedJob(a);
    const paths = resultPaths(results.dir, job);
    await mkdir(paths.folder, { recursive: true });
    const theirs = await tryLock(paths.lock);
    assert.ok(theirs);
    await writeFile(paths.downloadPart, 'PK partial');
    return { a, b, job, paths, theirs };
  }

  beforeEach(async () => {
    sim = await startSimulator({ jobDurationMs: 10_000, throttles: false });
    shared = await SharedStorage.create();
    results = await tempDir();
    clock = new FakeClock();
    autoDownload = true;
  });

  afterEach(async () => {
    for (const w of [...windows]) {
      await close(w);
    }
    await sim.close();
    await shared.dispose();
    await results.remove();
  });

  it('one window polls, notifies and downloads; the others show the same jobs and spend nothing', async () => {
    const [a, b, c] = await openThree();
    assert.deepEqual(pollers(), ['A']);

    // Created in a window that does not poll: the poller picks it up from the shared list.
    const job = await b.service.createJob(ACCOUNT, ref('All_Customers'), {});
    await quiesce();
    assert.ok(a.service.get(job.key) && c.service.get(job.key));
    sim.clock.advance(10_000);
    await run(5000);

    assert.equal(a.service.get(job.key)?.state, 'completed');
    await a.service.ensureResult(job.key);
    await quiesce();
    for (const w of [a, b, c]) {
      assert.equal(w.service.get(job.key)?.state, 'completed', `${w.name} shows it completed`);
      assert.equal(w.service.get(job.key)?.download, 'ready', `${w.name} shows it downloaded`);
    }
    assert.deepEqual(
      [a, b, c].map((w) => [w.name, w.finished.length]),
      [
        ['A', 1],
        ['B', 0],
        ['C', 0],
      ],
      'one notification',
    );
    assert.equal(b.statusCalls + c.statusCalls, 0, 'only the poller checks status');
    assert.equal(sim.requests.filter((r) => r.path.endsWith('/result')).length, 1, 'one download');
    assert.deepEqual(await results.files(), [path.relative(results.dir, resultPaths(results.dir, job).csv)]);
  });

  it('a job created in a window that does not poll is first checked on the normal schedule', async () => {
    const [a, b] = await openThree();
    const job = await b.service.createJob(ACCOUNT, ref('All_Customers'), {});
    await quiesce();
    assert.equal(a.statusCalls, 0, 'not checked at once');
    // initialIntervalMs after its creation, as the creating window would have checked it (it used
    // to wait a steady interval, 4 s here and 30 s in the editor).
    await run(1000, 250);
    assert.equal(a.statusCalls, 1, 'checked after initialIntervalMs');
    assert.equal(b.statusCalls, 0);
    assert.ok(a.service.checkTimes(job.key).last! > job.trackedAt);
  });

  it('a finished job is announced once, in the window the user works in, not only where the poller runs', async () => {
    const [a, b, c] = await openThree();
    for (const w of [a, b, c]) {
      w.service.setFocused(w === b);
    }
    const job = await b.service.createJob(ACCOUNT, ref('All_Customers'), {});
    sim.clock.advance(10_000);
    await run(3000);
    assert.equal(a.service.get(job.key)?.state, 'completed');
    assert.deepEqual(
      [a, b, c].map((w) => [w.name, w.announced.map((each) => each.key)]),
      [
        ['A', []],
        ['B', [job.key]],
        ['C', []],
      ],
    );
    assert.equal(a.finished.length, 1, 'the poller still saw the end (exports follow it)');

    // The user moves to C: the next job is announced there, and B's is not announced again.
    b.service.setFocused(false);
    c.service.setFocused(true);
    await quiesce();
    const next = await b.service.createJob(ACCOUNT, ref('All_Orders'), {});
    sim.clock.advance(10_000);
    await run(5000);
    assert.deepEqual(
      [a, b, c].map((w) => [w.name, w.announced.map((each) => each.key)]),
      [
        ['A', []],
        ['B', [job.key]],
        ['C', [next.key]],
      ],
    );
  });

  it('with no window focused, the poller announces a finished job, and only it', async () => {
    const [a, b, c] = await openThree();
    for (const w of [a, b, c]) {
      w.service.setFocused(false);
    }
    await run(LEASE_TTL_MS + LEASE_HEARTBEAT_MS); // the last focus stamp lapses
    const job = await completedJob(b);
    await quiesce();
    assert.deepEqual(
      [a, b, c].map((w) => [w.name, w.announced.length]),
      [
        ['A', 1],
        ['B', 0],
        ['C', 0],
      ],
    );
    assert.equal(a.announced[0].key, job.key);
  });

  it('a job ending just after the focused window closed is announced in a window that is still there', async () => {
    const [a, b, c] = await openThree();
    for (const w of [a, b, c]) {
      w.service.setFocused(w === b);
    }
    await quiesce();
    const job = await b.service.createJob(ACCOUNT, ref('All_Customers'), {});
    await run(1000);
    // The job ends on the server; the user closes the window they worked in; the poller sees the
    // end within the closed window's focus stamp's life (LEASE_TTL_MS).
    sim.clock.advance(10_000);
    await close(b);
    await run(4000);
    assert.equal(a.service.get(job.key)?.state, 'completed');
    assert.deepEqual(
      [a, c].map((w) => [w.name, w.announced.map((each) => each.key)]),
      [
        ['A', [job.key]],
        ['C', []],
      ],
      'announced once, by the poller (no window is focused now), not sent to the closed window',
    );
  });

  it("a poller whose UI is gone hands polling and the user's notifications to a window that is there", async () => {
    const [a, b, c] = await openThree();
    // A's tab died: its extension host runs on, still "focused" as far as it was told.
    a.lease.setPresent(false);
    await run(LEASE_HEARTBEAT_MS);
    assert.equal(pollers().length, 1);
    assert.notEqual(pollers()[0], 'A');
    b.service.setFocused(false);
    c.service.setFocused(false);
    const job = await completedJob(b);
    await quiesce();
    assert.equal(b.service.get(job.key)?.state, 'completed');
    assert.equal(a.statusCalls, 0, 'the window without a UI checks nothing');
    assert.deepEqual(
      [a, b, c].map((w) => w.announced.length),
      pollers()[0] === 'B' ? [0, 1, 0] : [0, 0, 1],
    );
    // Its UI answers again: it counts as a window again (but does not take the lease back).
    a.lease.setPresent(true);
    await run(LEASE_HEARTBEAT_MS);
    assert.equal(pollers().length, 1);
  });

  it('when the polling window closes, another takes over within seconds and finishes the job once', async () => {
    const [a, b, c] = await openThree();
    const job = await a.service.createJob(ACCOUNT, ref('All_Customers'), {});
    await run(2000);
    assert.ok(a.statusCalls > 0);
    await close(a);
    await run(LEASE_HEARTBEAT_MS);
    assert.equal(pollers().length, 1, `one new poller: ${pollers().join(', ')}`);

    sim.clock.advance(10_000);
    await run(10_000);
    const [poller] = windows.filter((w) => w.service.polling.held);
    assert.equal(poller.service.get(job.key)?.state, 'completed');
    assert.equal(b.finished.length + c.finished.length, 1, 'notified once');
    assert.equal(b.statusCalls + c.statusCalls, poller.statusCalls);
  });

  it("a job's expected duration is stored with it: the window taking over polling keeps its first check at 90% of it", async () => {
    const [a, b, c] = await openThree();
    // Expected to run 30 s: nothing buys a check before 27 s (the simulator's job runs 10 s of its own clock).
    const job = await a.service.createJob(ACCOUNT, ref('All_Customers'), {}, undefined, {
      expectedMs: 30_000,
    });
    await quiesce();
    assert.equal(b.service.get(job.key)?.expectedMs, 30_000, 'other windows read it from the shared list');
    await run(2000);
    await close(a);
    await run(LEASE_HEARTBEAT_MS);
    const [poller] = windows.filter((w) => w.service.polling.held);
    assert.ok(poller, 'a window took over');
    assert.equal(poller.service.checkTimes(job.key).next, job.trackedAt + 27_000);
    await run(job.trackedAt + 26_000 - clock.now());
    assert.equal(a.statusCalls + b.statusCalls + c.statusCalls, 0, 'no check before 27 s');
    sim.clock.advance(10_000);
    await run(2000);
    assert.equal(poller.statusCalls, 1, 'one check, which sees the end');
    assert.equal(poller.service.get(job.key)?.state, 'completed');
  });

  it('a window that takes over polling keeps the daily-limit hold the closed one met: no call is spent on it', async () => {
    const [a, b, c] = await openThree();
    const job = await a.service.createJob(ACCOUNT, ref('All_Customers'), {});
    sim.inject({ route: 'status', httpStatus: 200, code: 4000 });
    await run(2000);
    assert.equal(a.service.accountStates.get(ACCOUNT).kind, 'dailyLimit');
    for (const other of [b, c]) {
      assert.equal(
        other.service.accountStates.get(ACCOUNT).kind,
        'dailyLimit',
        `${other.name} shows the hold too`,
      );
    }
    const until = a.service.accountStates.get(ACCOUNT).until ?? 0;
    await close(a);
    await run(LEASE_HEARTBEAT_MS + 10_000);
    assert.equal(pollers().length, 1);
    assert.equal(
      b.statusCalls + c.statusCalls,
      0,
      'the new poller waits for the hour instead of asking Zoho again',
    );

    sim.clock.advance(10_000);
    await clock.tickAsync(until - clock.now());
    await run(10_000);
    const [poller] = windows.filter((w) => w.service.polling.held);
    assert.ok(poller.statusCalls > 0, 'it probes once the hold ends');
    assert.equal(poller.service.get(job.key)?.state, 'completed');
  });

  it('a rejected token met by the poller shows in every window; signing in again in another window lifts it everywhere', async () => {
    const [a, b] = await openThree();
    await a.service.createJob(ACCOUNT, ref('All_Customers'), {});
    const problems: string[] = [];
    for (const w of windows) {
      w.service.onDidHitAccountProblem(() => problems.push(w.name));
    }
    sim.inject({ route: 'status', httpStatus: 401, code: 2945, text: 'Invalid OAuth scope' });
    await run(2000);
    assert.deepEqual(problems, ['A'], 'only the window that met it announces it');
    assert.equal(b.service.accountStates.get(ACCOUNT).kind, 'missingScope');

    await b.service.resumeAccount(ACCOUNT); // what Sign In Again does
    await run(1000);
    for (const w of windows) {
      assert.equal(w.service.accountStates.get(ACCOUNT).kind, 'ok', `${w.name} no longer holds the account`);
    }
  });

  it('when the polling window hangs, another takes over after the lease lapses', async () => {
    const [a, b] = await openThree();
    await a.service.createJob(ACCOUNT, ref('All_Customers'), {});
    // A hangs: its heartbeats stop (its lease is no longer renewed), the others go on.
    a.lease.dispose = () => Promise.resolve();
    (a.lease as unknown as { disposed: boolean }).disposed = true;
    await run(LEASE_TTL_MS + 2 * LEASE_HEARTBEAT_MS);
    assert.equal(a.service.polling.held, false, 'A no longer counts itself the poller');
    assert.equal(pollers().length, 1);
    const callsOfA = a.statusCalls;
    await run(10_000);
    assert.equal(a.statusCalls, callsOfA, 'A polls no more');
    assert.ok(b.statusCalls + windows[2].statusCalls > 0, 'the new poller polls');
  });

  it('a refresh in another window and the poller seeing the end together notify once', async () => {
    autoDownload = false;
    const [a, b, c] = await openThree();
    const job = await a.service.createJob(ACCOUNT, ref('All_Customers'), {});
    await quiesce();
    sim.clock.advance(10_000);
    await Promise.all([a.service.refresh(job.key), b.service.refresh(job.key), c.service.refresh(job.key)]);
    await quiesce();
    assert.equal(a.finished.length + b.finished.length + c.finished.length, 1);
    assert.equal(b.service.get(job.key)?.state, 'completed');
  });

  it('Refresh All in a window that does not poll checks every running job, under the ceiling', async () => {
    const [a, b] = await openThree();
    for (const report of ['All_Customers', 'All_Orders', 'All_Customers']) {
      await a.service.createJob(ACCOUNT, ref(report), {});
    }
    await quiesce();
    const pollerCalls = a.statusCalls;
    let done = false;
    const refreshed = b.service.refresh().then(() => (done = true));
    await quiesce();
    assert.equal(b.statusCalls, 1, 'the first at once');
    await run(2500);
    assert.equal(b.statusCalls, 1, 'the next one 3 s later (20 a minute)');
    await run(7000);
    await refreshed;
    assert.equal(b.statusCalls, 3);
    assert.ok(done);
    assert.ok(a.statusCalls - pollerCalls <= 3, 'the poller kept its own pace');
  });

  it('two windows asking for the same result download it once and share the file', async () => {
    autoDownload = false;
    const [a, b] = await openThree();
    const job = await completedJob(a);
    assert.equal(b.service.get(job.key)?.state, 'completed');

    const [fromA, fromB] = await runUntil(
      Promise.all([a.service.ensureResult(job.key), b.service.ensureResult(job.key)]),
    );
    assert.equal(fromA.path, fromB.path);
    assert.equal(sim.requests.filter((r) => r.path.endsWith('/result')).length, 1);
    assert.deepEqual(await results.files(), [path.relative(results.dir, resultPaths(results.dir, job).csv)]);
  });

  it("never deletes another window's partial download, and waits for it instead of writing the same file", async () => {
    const { a, b, job, paths, theirs } = await halfDownloadedElsewhere();

    let resolved = false;
    const waiting = b.service.ensureResult(job.key).then((result) => {
      resolved = true;
      return result;
    });
    waiting.catch(() => undefined); // asserted below
    await run(3000);
    await a.service.stopTracking(job.key).catch(() => undefined);
    await access(paths.downloadPart); // still there: not ours to delete
    assert.equal(resolved, false);
    assert.equal(sim.requests.filter((r) => r.path.endsWith('/result')).length, 0, 'no second writer');

    await theirs.release();
    await run(3000);
    await assert.rejects(waiting, /cancelled|no longer tracked/i);
  });

  it("a download left 'downloading' by a window that closed shows as not downloaded again", async () => {
    autoDownload = false;
    const [a, b, c] = await openThree();
    const job = await completedJob(a);
    // C was downloading and closed half-way: its lock is gone, its row state stayed in the file.
    await c.store.update(job.key, { download: 'downloading' });
    await close(c);
    await quiesce();
    assert.equal(b.service.get(job.key)?.download, 'downloading');

    await b.service.setFocused(true); // the user comes back to a window that does not poll
    await quiesce();
    assert.deepEqual(
      windows.map((w) => [w.name, w.service.get(job.key)?.download]),
      [
        ['A', 'none'],
        ['B', 'none'],
      ],
    );

    // The same when the poller closes: the window that takes over resets it.
    await b.store.update(job.key, { download: 'downloading' });
    await close(a);
    await run(LEASE_HEARTBEAT_MS);
    assert.deepEqual(pollers(), ['B']);
    assert.equal(b.service.get(job.key)?.download, 'none');
    await b.service.ensureResult(job.key);
    assert.equal(b.service.get(job.key)?.download, 'ready', 'and it can be fetched again');
  });

  it('takes over the download of a window that died half-way (its lock went stale)', async () => {
    const { a, b, job, paths } = await halfDownloadedElsewhere();
    await a.store.update(job.key, { download: 'downloading' });
    await quiesce();

    const waiting = b.service.ensureResult(job.key);
    waiting.catch(() => undefined); // asserted below
    await run(3000);
    assert.equal(sim.requests.filter((r) => r.path.endsWith('/result')).length, 0);

    // That window is gone: its lock stops being touched and goes stale.
    const longAgo = new Date(Date.now() - 60_000);
    await utimes(paths.lock, longAgo, longAgo);
    const result = await runUntil(waiting);
    assert.equal(result.path, paths.csv);
    assert.equal(sim.requests.filter((r) => r.path.endsWith('/result')).length, 1);
    assert.deepEqual(await results.files(), [path.relative(results.dir, resultPaths(results.dir, job).csv)]);
  });
});

// An unused window costs nothing (src/core/whileInUse.ts), and a closing one hands over at once:
// windows over one real storage folder, each with its own fake clock (so its own folder watcher),
// stores and lease, wired as extension.ts wires them (../helpers/windowStores.ts). Timers are the
// fake clocks' armed ones; watchers are Node's FSEventWrap handles of this process.
import * as assert from 'node:assert/strict';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { FileLease, LEASE_HEARTBEAT_MS, POLLER_LEASE_FILE_NAME } from '../../../src/core/lease';
import { closeWindow, disposeAll, type IDisposable } from '../../../src/core/lifecycle';
import { WhileInUse } from '../../../src/core/whileInUse';
import { jobKey, type TrackedJob } from '../../../src/jobs/model';
import { JOBS_FILE_NAME, JOBS_FOLDER_NAME, JobStore } from '../../../src/jobs/jobStore';
import { EXPORTS_FOLDER_NAME } from '../../../src/exports/exportStore';
import type { ExportRun } from '../../../src/exports/model';
import { HISTORY_FOLDER_NAME, type RunRecord } from '../../../src/exports/runHistory';
import { ACCOUNT_HOLDS_FOLDER_NAME } from '../../../src/jobs/sharedAccountHolds';
import type { JobChange } from '../../../src/jobs/serviceApi';
import { FakeClock } from '../helpers/fakeClock';
import { SharedStorage } from '../jobs/sharedStorage';
import { openWindowStores } from '../helpers/windowStores';

const REF = { owner: 'acme', app: 'crm', report: 'All_Leads' };
const RECORD: RunRecord = {
  id: 'run-0',
  definition: 'Nightly',
  accountId: 'acct-1',
  report: 'crm / All_Leads',
  state: 'completed',
  mode: 'full',
  startedAt: 1000,
  finishedAt: 2000,
  durationMs: 1000,
  records: 10,
  bytes: 100,
  statusCalls: 1,
  creates: 1,
};

function job(jobId: string): TrackedJob {
  return {
    key: jobKey('acct-1', REF, jobId),
    accountId: 'acct-1',
    ref: REF,
    jobId,
    state: 'completed',
    batch: 1,
    trackedAt: 1000,
    changedAt: 1000,
    download: 'none',
  };
}

/** File-system watchers open in this process. */
function watchers(): number {
  return process.getActiveResourcesInfo().filter((name) => name === 'FSEventWrap').length;
}

interface Window {
  clock: FakeClock;
  store: JobStore;
  lease: FileLease;
  use: WhileInUse;
}

describe('An unused window does no periodic work (WhileInUse)', () => {
  let shared: SharedStorage;
  let owned: IDisposable[];
  beforeEach(async () => {
    shared = await SharedStorage.create();
    owned = [];
  });
  afterEach(async () => {
    await disposeAll(owned.splice(0).reverse());
    await shared.dispose();
  });

  function own<T extends IDisposable>(value: T): T {
    owned.push(value);
    return value;
  }

  function open(): Window {
    const clock = new FakeClock();
    const jobsFile = shared.file(JOBS_FILE_NAME, clock);
    const store = own(new JobStore(jobsFile));
    const lease = own(new FileLease(shared.file(POLLER_LEASE_FILE_NAME, clock), clock));
    const use = own(
      new WhileInUse({
        inUse: () => store.all().length > 0,
        changes: [store.onDidChange],
        storageDir: shared.dir,
        clock,
        lease,
      }),
    );
    jobsFile.watch();
    return { clock, store, lease, use };
  }

  async function leaseHolder(): Promise<string | undefined> {
    const text = await readFile(path.join(shared.dir, POLLER_LEASE_FILE_NAME), 'utf8').catch(() => undefined);
    return text === undefined ? undefined : (JSON.parse(text) as { holder: string }).holder;
  }

  function nextChange(store: JobStore): Promise<JobChange> {
    return new Promise((resolve) => {
      const subscription = store.onDidChange((change) => {
        subscription.dispose();
        resolve(change);
      });
    });
  }

  it('starts no timer, writes nothing and opens one watcher', async () => {
    const before = watchers();
    const window = open();
    await window.clock.tickAsync(60_000);
    await window.use.settled();
    assert.deepEqual(window.clock.pendingTimers(), [], 'no stat timer, no lease heartbeat');
    assert.equal(watchers() - before, 1, 'one watcher, on the storage folder');
    assert.equal(await leaseHolder(), undefined, 'the lease file is never written');
    assert.equal(window.use.isActive, false);
  });

  it('starts the timers with the first job and stops them with the last', async () => {
    const before = watchers();
    const window = open();
    await window.store.add(job('1'));
    await window.use.settled();
    assert.equal(window.use.isActive, true);
    assert.equal(window.clock.pendingTimers().length, 2, 'the stat fallback and the lease heartbeat');
    assert.equal(window.lease.held, true);
    assert.equal(await leaseHolder(), window.lease.holderId);
    assert.ok(watchers() - before > 1, 'the collection folder is watched too');

    await window.store.add(job('2'));
    await window.store.remove(job('1').key);
    await window.use.settled();
    assert.equal(window.use.isActive, true, 'one job is left');

    await window.store.remove(job('2').key);
    await window.use.settled();
    assert.equal(window.use.isActive, false);
    assert.deepEqual(window.clock.pendingTimers(), []);
    assert.equal(window.lease.held, false);
    assert.equal(await leaseHolder(), '', 'the lease is given back');
    assert.equal(watchers() - before, 1);
  });

  it("notices another window's first job through its one watcher", async () => {
    // The jobs folder exists already (jobs came and went): only the storage folder's own
    // entries, the lease beat of the window that adds the job, can tell the resting window.
    await mkdir(path.join(shared.dir, JOBS_FOLDER_NAME), { recursive: true });
    const resting = open();
    const busy = open();
    const seen = nextChange(resting.store);
    await busy.store.add(job('1'));
    // The busy window's first beat may be written before the job's file: its next one tells.
    await busy.clock.tickAsync(LEASE_HEARTBEAT_MS);
    const change = await seen;
    assert.equal(change.kind, 'added');
    assert.equal(change.external, true);
    assert.equal(resting.use.isActive, true);
    await resting.use.settled();
    assert.equal(resting.clock.pendingTimers().length, 2);
  });

  it("notices another window's first job when the jobs folder is new", async () => {
    const resting = open();
    const busy = open();
    const seen = nextChange(resting.store);
    await busy.store.add(job('1'));
    await busy.clock.tickAsync(LEASE_HEARTBEAT_MS);
    assert.equal((await seen).kind, 'added');
    assert.equal(resting.use.isActive, true);
  });

  it('with every shared store open and in use, arms one stat timer and one watcher per folder', async () => {
    // Jobs, exports, account holds and run history (each a collection: core/sharedCollection.ts)
    // and the lease, on one clock over one folder as extension.ts opens them: a store that armed a
    // timer or a watcher of its own would show here.
    const before = watchers();
    const clock = new FakeClock();
    const window = openWindowStores(shared.dir, clock);
    owned.push(window.root);
    await window.use.settled();
    assert.deepEqual(clock.pendingTimers(), [], 'unused: no timer');
    assert.equal(watchers() - before, 1, 'unused: one watcher, on the storage folder');

    await window.jobs.add(job('1'));
    await window.exports.add({ id: 'run-1', batches: [] } as unknown as ExportRun);
    await window.holds.write(
      'acct-1',
      {
        throttle: { reason: 'rateLimited', until: clock.now() + 60_000, message: 'Zoho rate limit reached.' },
      },
      clock.now(),
    );
    await window.history.record(RECORD);
    await window.use.settled();
    for (const folder of [
      JOBS_FOLDER_NAME,
      EXPORTS_FOLDER_NAME,
      ACCOUNT_HOLDS_FOLDER_NAME,
      HISTORY_FOLDER_NAME,
    ]) {
      const names = await readdir(path.join(shared.dir, folder));
      assert.ok(
        names.some((name) => name.endsWith('.json')),
        `an item stored in ${folder}/`,
      );
    }
    assert.equal(clock.pendingTimers().length, 2, 'one stat timer for the folder and the lease heartbeat');
    assert.equal(
      watchers() - before,
      5,
      'the storage folder and the four collection folders (jobs, exports, account holds, run history), once each',
    );

    // The last job and export gone: back to resting, whatever the holds and history keep.
    await window.jobs.remove(job('1').key);
    await window.exports.remove('run-1');
    await window.use.settled();
    assert.deepEqual(clock.pendingTimers(), []);
    assert.equal(watchers() - before, 1);
  });

  it('a closing window (closeWindow, what deactivate returns) resolves with its last job on disk and the lease given back: another takes over at once', async () => {
    const clock = new FakeClock();
    const closing = openWindowStores(shared.dir, clock);
    owned.push(closing.root);
    await closing.jobs.add(job('1'));
    await closing.use.settled();
    assert.equal(await leaseHolder(), closing.lease.holderId);

    const added = closing.jobs.add(job('2')); // not awaited: the window closes with the write on its way
    await closeWindow(closing.root, closing.lease);
    assert.ok(await shared.readItem(job('2').key), "the last job's file is written");
    assert.equal(await leaseHolder(), '', 'the lease file names no holder');
    await added;

    // Another window at the same moment (no time passes) reads both jobs and takes the lease with
    // its first beat; had the lease not been given back, it would wait until it lapsed (8 s).
    const next = openWindowStores(shared.dir, new FakeClock(clock.now()));
    owned.push(next.root);
    assert.deepEqual(
      next.jobs.all().map((each) => each.jobId),
      ['1', '2'],
    );
    await next.use.settled();
    assert.equal(next.lease.held, true, 'the lease is taken at once');
    assert.equal(await leaseHolder(), next.lease.holderId);
  });
});

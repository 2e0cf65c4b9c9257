// An unused window costs nothing (src/core/whileInUse.ts): windows over one real storage folder,
// each with its own fake clock (so its own folder watcher), job store and lease, wired as
// extension.ts wires them. Timers are the fake clocks' armed ones; watchers are Node's FSEventWrap
// handles of this process.
import * as assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { FileLease, LEASE_HEARTBEAT_MS, POLLER_LEASE_FILE_NAME } from '../../../src/core/lease';
import { disposeAll, type IDisposable } from '../../../src/core/lifecycle';
import { WhileInUse } from '../../../src/core/whileInUse';
import { jobKey, type TrackedJob } from '../../../src/jobs/model';
import { JOBS_FILE_NAME, JOBS_FOLDER_NAME, JobStore } from '../../../src/jobs/jobStore';
import type { JobChange } from '../../../src/jobs/serviceApi';
import { FakeClock } from '../helpers/fakeClock';
import { SharedStorage } from '../jobs/sharedStorage';

const REF = { owner: 'acme', app: 'crm', report: 'All_Leads' };

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
});

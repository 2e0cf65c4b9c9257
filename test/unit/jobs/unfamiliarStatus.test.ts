// Statuses live clients report that the simulator does not speak ('Initiated'), and statuses nobody
// knows: the job keeps being checked (issue 16, item 7). The simulator runs the job; the client's
// answers are re-spelt on their way to the service, as a live Zoho would spell them.
import * as assert from 'node:assert/strict';
import { silentLogger } from '../../../src/core/ports';
import { JobService } from '../../../src/jobs/jobService';
import type { JobStore } from '../../../src/jobs/jobStore';
import type { TrackedJob } from '../../../src/jobs/model';
import { UNKNOWN_STATUS_WATCH_MS } from '../../../src/jobs/pollPolicy';
import { jobDescription } from '../../../src/views/jobDescription';
import type { BulkReadApi } from '../../../src/zoho/api';
import { normalizeStatus } from '../../../src/zoho/status';
import type { JobDetails } from '../../../src/zoho/types';
import { startSimulator, type Simulator } from '../../simulator';
import { FakeClock, settle } from '../helpers/fakeClock';
import { clientFor, ref, tempDir } from '../results/helpers';
import { SharedStorage } from './sharedStorage';
import { TEST_POLL_SETTINGS } from '../helpers/pollSettings';

const SETTINGS = TEST_POLL_SETTINGS;
const ACCOUNT = 'acc-1';

describe('Statuses other than In-progress/Completed/Failed', () => {
  let sim: Simulator;
  let temp: Awaited<ReturnType<typeof tempDir>>;
  let clock: FakeClock;
  let storage: SharedStorage;
  let store: JobStore;
  let service: JobService;
  /** The status word the "live" Zoho uses while the simulator's job is still running. */
  let runningWord: string;
  /** When set, every answer carries this status instead (a status nobody knows). */
  let override: string | undefined;
  /** Simulated times of the status calls. */
  let statusCalls: number[];
  let finished: TrackedJob[];

  function respell(details: JobDetails): JobDetails {
    const status = override ?? (details.state === 'running' ? runningWord : details.status);
    return { ...details, status, state: normalizeStatus(status) };
  }

  async function quiesce(): Promise<void> {
    for (let round = 0; round < 5; round++) {
      await store.flushed();
      await settle();
    }
  }

  /** Moves the fake clock on in 500 ms steps, letting every poll's I/O finish. */
  async function run(ms: number): Promise<void> {
    for (let done = 0; done < ms; done += 500) {
      await clock.tickAsync(500);
      await quiesce();
    }
  }

  /** The next checks (within `ms`) see the job completed: announced once, then its result fetched. */
  async function seenCompletedAndDownloaded(key: string, ms: number): Promise<void> {
    await run(ms);
    assert.equal(service.get(key)?.state, 'completed');
    assert.deepEqual(
      finished.map((each) => each.state),
      ['completed'],
    );
    await service.ensureResult(key);
    assert.equal(service.get(key)?.download, 'ready');
  }

  beforeEach(async () => {
    sim = await startSimulator({ jobDurationMs: 10_000, throttles: false });
    temp = await tempDir();
    clock = new FakeClock();
    storage = await SharedStorage.create();
    store = storage.store();
    runningWord = 'In-progress';
    override = undefined;
    statusCalls = [];
    finished = [];
    const client = clientFor(sim);
    const live = Object.create(client) as BulkReadApi;
    live.createJob = async (r, query) => respell(await client.createJob(r, query));
    live.getJob = async (r, id) => {
      statusCalls.push(clock.now());
      return respell(await client.getJob(r, id));
    };
    service = new JobService({
      store,
      clients: async () => live,
      clock,
      logger: silentLogger,
      resultsDir: temp.dir,
      settings: SETTINGS,
      autoDownload: () => true,
    });
    service.onDidFinishJob((job) => finished.push(job));
  });

  afterEach(async () => {
    service.dispose();
    await store.flushed();
    await sim.close();
    await temp.remove();
    await storage.dispose();
  });

  for (const word of ['Initiated', 'INITIATED', 'Queued', 'Scheduled', 'Submitted', 'processing']) {
    it(`a job Zoho reports as "${word}" is running: checked until it completes, then downloaded`, async () => {
      runningWord = word;
      const job = await service.createJob(ACCOUNT, ref('All_Customers'), {});
      assert.equal(job.state, 'running');
      assert.match(jobDescription(job, clock.now()), /^running/);
      await run(3000);
      assert.equal(service.get(job.key)?.state, 'running', 'still running after its first checks');
      const checksWhileRunning = statusCalls.length;
      assert.ok(checksWhileRunning >= 1);

      sim.clock.advance(10_000);
      await seenCompletedAndDownloaded(job.key, SETTINGS.maxIntervalMs * 2);
    });
  }

  it('a status nobody knows is shown as it is, checked at the slowest pace, never downloaded nor failed, until it completes', async () => {
    override = 'Paused for review';
    const job = await service.createJob(ACCOUNT, ref('All_Customers'), {});
    assert.equal(job.state, 'unknown');
    assert.match(jobDescription(job, clock.now()), /^Zoho status "Paused for review"/);
    const createdAt = clock.now();

    sim.clock.advance(10_000); // the job is complete on the server; Zoho still says the odd word
    await run(4 * SETTINGS.maxIntervalMs);
    assert.deepEqual(
      statusCalls.map((at) => at - createdAt),
      [1, 2, 3, 4].map((n) => n * SETTINGS.maxIntervalMs),
      'one check every maxIntervalMs: the slowest pace, not the first-check interval',
    );
    assert.equal(service.get(job.key)?.state, 'unknown');
    assert.equal(service.get(job.key)?.download, 'none', 'never downloaded');
    assert.equal(finished.length, 0, 'never announced as finished or failed');
    assert.notEqual(service.checkTimes(job.key).next, undefined, 'a next check is planned');

    override = undefined; // Zoho now says 'Completed'
    await seenCompletedAndDownloaded(job.key, SETTINGS.maxIntervalMs);
  });

  it('a status nobody knows that turns into a running one goes back to the running pace', async () => {
    override = 'Waiting for slot';
    const job = await service.createJob(ACCOUNT, ref('All_Customers'), {});
    await run(SETTINGS.maxIntervalMs);
    assert.equal(service.get(job.key)?.state, 'unknown');
    override = undefined;
    runningWord = 'Initiated';
    await run(SETTINGS.maxIntervalMs);
    assert.equal(service.get(job.key)?.state, 'running');
    sim.clock.advance(10_000);
    await seenCompletedAndDownloaded(job.key, 2 * SETTINGS.maxIntervalMs);
  });

  it('a status nobody knows stops being checked a day after the job was tracked; Refresh still asks', async () => {
    override = 'Archived';
    const job = await service.createJob(ACCOUNT, ref('All_Customers'), {});
    await clock.tickAsync(UNKNOWN_STATUS_WATCH_MS + SETTINGS.maxIntervalMs);
    await quiesce();
    const calls = statusCalls.length;
    assert.ok(calls > 0);
    await run(3 * SETTINGS.maxIntervalMs);
    assert.equal(statusCalls.length, calls, 'no automatic checks after 24 h');
    assert.equal(service.checkTimes(job.key).next, undefined);
    assert.equal(service.get(job.key)?.state, 'unknown', 'still not called failed');

    override = undefined;
    sim.clock.advance(10_000);
    await service.refresh(job.key);
    await seenCompletedAndDownloaded(job.key, 0);
  });
});

// ExportRunner on a real JobService against the simulator over HTTP, real files. The service and
// the runner share a fake clock (polls, waits and cursor ages move only when a test ticks it); the
// simulator's own clock decides when jobs complete.
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { access, readFile, readdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { silentLogger } from '../../../src/core/ports';
import { CreateBudget } from '../../../src/exports/createBudget';
import { Emitter } from '../../../src/core/lifecycle';
import { nextBatchExpectation } from '../../../src/exports/batchChain';
import { ExportRunner, type ExportLease, type LastRunOf } from '../../../src/exports/exportRunner';
import { EXPORTS_FILE_NAME, EXPORTS_FOLDER_NAME, ExportStore } from '../../../src/exports/exportStore';
import { partialPath, type ExportRun } from '../../../src/exports/model';
import { RunHistory } from '../../../src/exports/runHistory';
import { JobService } from '../../../src/jobs/jobService';
import type { JobStore } from '../../../src/jobs/jobStore';
import type { TrackedJob } from '../../../src/jobs/model';
import { countCsvRecords } from '../../../src/results/countCsvRecords';
import { startSimulator, type Simulator } from '../../simulator';
import { FakeClock } from '../helpers/fakeClock';
import { SharedStorage } from '../jobs/sharedStorage';
import { clientFor, ref, tempDir } from '../results/helpers';
import { TEST_POLL_SETTINGS } from '../helpers/pollSettings';

const SETTINGS = TEST_POLL_SETTINGS;
const JOB_MS = 10_000;
const MINUTE = 60_000;
const ACCOUNT = 'acc-1';
/** 110,000 orders read 100,000 at a time: two batches, the second one short. */
const ROWS = 110_000;
const QUERY = { max_records: 100_000 };
const HEADER =
  'ID,Order_No,Order_Date,Added_Time,Customer_Name.first_name,Customer_Name.last_name,Email,City,Status,Quantity,Unit_Price,Total,Notes,Line_Items';

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

/** Real-time wait for async work (HTTP, files) the fake clock does not drive. */
async function until(condition: () => boolean, what: string): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > 50_000) {
      assert.fail(`timed out waiting for ${what}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

interface Window {
  service: JobService;
  runner: ExportRunner;
  jobs: JobStore;
  exports: ExportStore;
}

describe('ExportRunner (simulator over HTTP)', function () {
  this.timeout(120_000);
  let sim: Simulator;
  let temp: Awaited<ReturnType<typeof tempDir>>;
  let clock: FakeClock;
  /** The jobs' shared file: each window's job store reads and writes it. */
  let shared: SharedStorage;
  const stores: JobStore[] = [];
  const exportStores: ExportStore[] = [];
  let destination: string;
  const disposables: { dispose(): void }[] = [];

  function newWindow(lease?: ExportLease, history?: RunHistory, lastRunOf?: LastRunOf): Window {
    const api = clientFor(sim);
    const store = shared.store();
    stores.push(store);
    const service = new JobService({
      store,
      clients: async () => api,
      clock,
      logger: silentLogger,
      resultsDir: path.join(temp.dir, 'results'),
      settings: SETTINGS,
      autoDownload: () => true,
    });
    const runner = new ExportRunner({
      jobs: service,
      store: exportStore(),
      clock,
      logger: silentLogger,
      lease,
      history,
      lastRunOf,
    });
    // The runner goes first on dispose, as in extension.ts.
    disposables.push(service, runner);
    return { service, runner, jobs: store, exports: exportStores[exportStores.length - 1] };
  }

  /** A window's export store over the shared folder. */
  function exportStore(): ExportStore {
    const store = new ExportStore(shared.file(EXPORTS_FILE_NAME));
    exportStores.push(store);
    return store;
  }

  /** Closes a window as a reload does, once its job store has written what it holds. */
  async function closeWindow(window: { service: JobService; runner: ExportRunner }): Promise<void> {
    await Promise.all([...stores, ...exportStores].map((store) => store.flushed()));
    window.runner.dispose();
    window.service.dispose();
  }

  /** The working files of the export (`….csv.<writer>.part`: each writer has its own). */
  async function workingFiles(): Promise<string[]> {
    const names = await readdir(path.dirname(destination)).catch(() => []);
    return names
      .filter((name) => name.startsWith(`${path.basename(destination)}.`) && name.endsWith('.part'))
      .map((name) => path.join(path.dirname(destination), name));
  }

  async function workingExists(): Promise<boolean> {
    return (await workingFiles()).length > 0;
  }

  /** The one working file of the running export. */
  async function workingFile(): Promise<string> {
    const files = await workingFiles();
    assert.equal(files.length, 1, `one working file: ${files.join(', ')}`);
    return files[0];
  }

  /** Starts the export of All_Orders into `destination`, 100,000 records a batch. */
  function startOrders(runner: ExportRunner): Promise<ExportRun> {
    return runner.start({ accountId: ACCOUNT, ref: ref('All_Orders'), query: QUERY, destination });
  }

  /** Completes the running batch on the simulator and lets the service see it. */
  async function completeRunningBatch(service: JobService): Promise<void> {
    const running = service.jobs().filter((job) => job.state === 'running');
    assert.equal(running.length, 1, 'one batch runs at a time');
    sim.clock.advance(JOB_MS);
    while (service.get(running[0].key)?.state === 'running') {
      await service.refresh(running[0].key);
    }
  }

  /** Drives an export until it stops: completes each batch as soon as the runner created it. */
  async function runToEnd(service: JobService, runner: ExportRunner, id: string): Promise<ExportRun> {
    while (runner.get(id)?.state === 'running') {
      if (service.jobs().some((job) => job.state === 'running')) {
        await completeRunningBatch(service);
      } else {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    }
    const run = runner.get(id);
    assert.ok(run);
    return run;
  }

  beforeEach(async function () {
    // The merge test reads three batches; the others need two (the smallest batch is 100,000).
    const rows = this.currentTest?.title.startsWith('runs every batch') ? 210_000 : ROWS;
    sim = await startSimulator({ jobDurationMs: JOB_MS, throttles: false, ordersRows: rows });
    temp = await tempDir();
    clock = new FakeClock();
    shared = await SharedStorage.create();
    destination = path.join(temp.dir, 'exports', 'All_Orders_2025-01-01.csv');
  });

  afterEach(async () => {
    for (const disposable of disposables.splice(0).reverse()) {
      disposable.dispose();
    }
    await Promise.all([...stores.splice(0), ...exportStores.splice(0)].map((store) => store.flushed()));
    await shared.dispose();
    await sim.close();
    await temp.remove();
  });

  it('runs every batch by itself and merges them into one CSV with the header once', async () => {
    const { service, runner } = newWindow();
    const finished: ExportRun[] = [];
    runner.onDidFinishExport((run) => finished.push(run));
    const started = await startOrders(runner);
    assert.equal(started.state, 'running');
    assert.equal(service.get(started.batches[0].key)?.expectedMs, undefined, 'no definition: no hint');
    assert.equal(await exists(destination), false, 'no file under the final name while it runs');
    assert.equal(await workingExists(), true);

    const run = await runToEnd(service, runner, started.id);

    assert.equal(run.state, 'completed', run.error);
    assert.deepEqual(
      run.batches.map((batch) => batch.count),
      [100_000, 100_000, 10_000],
    );
    assert.equal(run.records, 210_000);
    assert.equal(await countCsvRecords(destination), 210_000);
    const text = await readFile(destination, 'utf8');
    assert.equal(text.split(HEADER).length - 1, 1, 'the header appears exactly once');
    assert.ok(text.startsWith(`${HEADER}\r\n`) || text.startsWith(`${HEADER}\n`));
    // Batches in order: the last order number of the file is the report's last.
    assert.match(text.slice(-2000), /ORD-0210000/);
    assert.equal(await workingExists(), false);
    assert.deepEqual(
      finished.map((r) => r.id),
      [run.id],
    );
    // Every later batch came from the cursor alone, created as soon as the earlier one was seen complete.
    const creates = sim.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/read'));
    assert.equal(creates.length, 3);
    assert.match(creates[1].body ?? '', /^\{"query":\{"record_cursor":"[^"]+"\}\}$/);
    assert.deepEqual(
      run.batches.slice(0, 2).map((batch) => batch.nextCreatedAfterMs),
      [0, 0],
      'no fake-clock time passed between completion and the next creation',
    );
    // The merged file holds the records: the batches' own copies are gone.
    assert.deepEqual(
      (await readdir(path.join(temp.dir, 'results'))).filter((name) => name.endsWith('.csv')),
      [],
    );
  });

  /** Status calls the simulator answered so far. */
  function statusCalls(): number {
    return sim.requests.filter((r) => r.method === 'GET' && /\/read\/\d+$/.test(r.path)).length;
  }

  /** A definition's run whose first batch is seen complete `firstBatchMs` after its creation; batch 2 once created. */
  async function secondBatchOf(
    lastRunOf: LastRunOf,
    firstBatchMs: number,
  ): Promise<{ service: JobService; runner: ExportRunner; id: string; second: TrackedJob }> {
    const { service, runner } = newWindow(undefined, undefined, lastRunOf);
    const started = await runner.start({
      accountId: ACCOUNT,
      ref: ref('All_Orders'),
      query: QUERY,
      destination,
      definition: 'Nightly orders',
    });
    const first = service.get(started.batches[0].key);
    assert.ok(first?.expectedMs);
    // An earlier run's time: the report may have shrunk since, so the first check comes at 80% of it.
    assert.equal(service.checkTimes(first.key).next, first.trackedAt + 0.8 * first.expectedMs);
    clock.tick(firstBatchMs); // no check is due yet
    assert.equal(statusCalls(), 0);
    await completeRunningBatch(service);
    await until(() => runner.get(started.id)?.batches.length === 2, 'batch 2 to be created');
    const second = service.get(runner.get(started.id)?.batches[1].key ?? '');
    assert.ok(second);
    return { service, runner, id: started.id, second };
  }

  it("times a definition's first batch by its history, and its short last batch by the records the history expects", async () => {
    // The last run read this report's 110,000 records: batch 2 reads the 10,000 left, a tenth of batch 1.
    const history = { firstBatchMs: 90_000, records: ROWS };
    const { service, runner, id, second } = await secondBatchOf(
      (which) => (which.definition === 'Nightly orders' ? history : undefined),
      40_000,
    );
    const first = service.get(runner.get(id)?.batches[0].key ?? '');
    assert.equal(first?.expectedMs, 90_000, "the definition's history");
    assert.equal(first?.fromEarlierRun, true);
    assert.equal(service.checkTimes(first.key).next, undefined, 'seen complete');
    assert.equal(runner.get(id)?.expectedRecords, ROWS);
    assert.equal(second.expectedMs, 4000, 'a tenth of the 40 s the first batch ran');
    assert.equal(second.mayEndSooner, undefined);
    assert.equal(service.checkTimes(second.key).next, second.trackedAt + 3600, 'not at 36 s');
    const run = await runToEnd(service, runner, id);
    assert.equal(run.state, 'completed', run.error);
  });

  for (const [label, history] of [
    ['no records known', { firstBatchMs: 300_000 }],
    ['the report grew past the records the history knows', { firstBatchMs: 300_000, records: 100_000 }],
  ] as const) {
    it(`checks a next batch early when it may be the short last one (${label})`, async () => {
      const { service, runner, id, second } = await secondBatchOf(() => history, 200_000);
      assert.equal(second.expectedMs, 200_000, 'the first batch ran 200 s');
      assert.equal(second.mayEndSooner, true);
      assert.equal(service.checkTimes(second.key).next, second.trackedAt + 20_000, 'a tenth, not 90%');
      const run = await runToEnd(service, runner, id);
      assert.equal(run.state, 'completed', run.error);
    });
  }

  it('resumes after a reload: appends what is done, cuts a half-written append, and goes on', async () => {
    const first = newWindow();
    const started = await startOrders(first.runner);
    await completeRunningBatch(first.service);
    await until(() => first.runner.get(started.id)?.batches.length === 2, 'batch 2 to be created');
    await until(() => first.runner.get(started.id)?.batches[0].appended === true, 'batch 1 to be appended');
    await closeWindow(first);
    // A crash in the middle of an append leaves bytes nobody recorded.
    await writeFile(await workingFile(), '4071000000000999999,ORD-half', { flag: 'a' });

    sim.clock.advance(JOB_MS); // batch 2 completes while no window is open
    const second = newWindow();
    assert.equal(second.runner.get(started.id)?.state, 'running');
    const run = await runToEnd(second.service, second.runner, started.id);

    assert.equal(run.state, 'completed', run.error);
    assert.equal(await countCsvRecords(destination), ROWS);
    assert.doesNotMatch(await readFile(destination, 'utf8'), /ORD-half/);
  });

  /** An export run to its end whose stored state says running: its window closed just before saving the end. */
  async function exportClosedBeforeCompletion(stored: Partial<ExportRun> = {}): Promise<ExportRun> {
    const first = newWindow();
    const started = await startOrders(first.runner);
    const done = await runToEnd(first.service, first.runner, started.id);
    assert.equal(done.state, 'completed', done.error);
    await closeWindow(first);
    await shared.editItem<ExportRun>(started.id, EXPORTS_FOLDER_NAME, (run) => ({
      ...run,
      state: 'running',
      finishedAt: undefined,
      ...stored,
    }));
    return started;
  }

  it('finishes after a reload that came between the last append and the completion', async () => {
    // As if the window closed right after the rename, before the state was saved.
    const started = await exportClosedBeforeCompletion();
    const requests = sim.requests.length;

    const second = newWindow();
    await until(() => second.runner.get(started.id)?.state === 'completed', 'the export to complete');
    assert.equal(await countCsvRecords(destination), ROWS);
    assert.equal(sim.requests.length, requests, 'no call spent');
  });

  it('does not keep a merged file changed between the last append and the completion', async () => {
    // As if the window closed before completing, and the file then lost its last record.
    const started = await exportClosedBeforeCompletion();
    const text = await readFile(destination, 'utf8');
    await writeFile(destination, text.slice(0, text.trimEnd().lastIndexOf('\n') + 1));

    const second = newWindow();
    const stopped: ExportRun[] = [];
    second.runner.onDidStopExport((run) => stopped.push(run));
    await until(() => stopped.length > 0, 'the export to stop');
    assert.equal(second.runner.get(started.id)?.state, 'failed');
    assert.match(second.runner.get(started.id)?.error ?? '', /merged file was changed .*not kept/);
    assert.equal(await exists(destination), false, 'no file under the final name');
    assert.equal(await workingExists(), false, 'nor a partial one');
  });

  it("never takes a file under the final name that it did not rename for its own: the user's file stays", async () => {
    // As if the user's earlier file of the same name were there and this export's file were gone.
    const started = await exportClosedBeforeCompletion({ renamedAt: undefined });
    await writeFile(destination, 'ID,Earlier\n1,kept\n');

    const second = newWindow();
    const stopped: ExportRun[] = [];
    second.runner.onDidStopExport((run) => stopped.push(run));
    await until(() => stopped.length > 0, 'the export to stop');
    assert.equal(second.runner.get(started.id)?.state, 'failed');
    assert.match(second.runner.get(started.id)?.error ?? '', /is missing/);
    assert.equal(await readFile(destination, 'utf8'), 'ID,Earlier\n1,kept\n');
  });

  it('shows an export whose cursor expired as interrupted, keeps its records, and restarts it', async () => {
    const first = newWindow();
    const started = await startOrders(first.runner);
    first.runner.dispose(); // the window's runner is gone; its job service still sees batch 1 complete
    await completeRunningBatch(first.service);
    await until(() => first.service.jobs()[0].download === 'ready', 'batch 1 download');
    await closeWindow(first);
    await clock.tickAsync(16 * MINUTE); // past the cursor's 15 minutes
    sim.clock.advance(16 * MINUTE);

    const second = newWindow();
    const stopped: ExportRun[] = [];
    second.runner.onDidStopExport((run) => stopped.push(run));
    await until(() => second.runner.get(started.id)?.state !== 'running', 'the export to stop');
    await until(() => second.runner.get(started.id)?.keptPath !== undefined, 'the records to be kept');
    const run = second.runner.get(started.id);
    assert.ok(run);
    assert.equal(run.state, 'interrupted');
    assert.match(run.error ?? '', /record cursor of batch 1 .* expired/);
    // Counted after the kept batches were appended (issue 16.4: it said "The 0 records so far").
    assert.match(
      run.error ?? '',
      /The 100,000 records so far are kept in All_Orders_2025-01-01\.partial\.csv\./,
    );
    assert.equal(run.keptPath, partialPath(destination));
    assert.equal(await countCsvRecords(partialPath(destination)), 100_000);
    assert.equal(await exists(destination), false);
    assert.equal(await workingExists(), false);
    assert.equal(stopped.length, 1);
    const creates = sim.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/read')).length;
    assert.equal(creates, 1, 'no call was spent on a cursor known to be expired');

    const again = await second.runner.restart(started.id);
    assert.equal(second.runner.get(started.id), undefined, 'the interrupted export is replaced');
    const done = await runToEnd(second.service, second.runner, again.id);
    assert.equal(done.state, 'completed', done.error);
    assert.equal(await countCsvRecords(destination), ROWS);
    assert.equal(await exists(partialPath(destination)), true, 'the partial file of the first attempt stays');
  });

  it('cancel keeps the records so far as a partial file, and stops the running batch', async () => {
    const { service, runner } = newWindow();
    const started = await startOrders(runner);
    await completeRunningBatch(service);
    await until(() => runner.get(started.id)?.batches[0].appended === true, 'batch 1 to be appended');
    await until(() => runner.get(started.id)?.batches.length === 2, 'batch 2 to be created');
    const batchTwo = runner.get(started.id)?.batches[1].key ?? '';

    const run = await runner.cancel(started.id, true);

    assert.equal(run?.state, 'cancelled');
    assert.equal(run?.keptPath, partialPath(destination));
    assert.equal(await countCsvRecords(partialPath(destination)), 100_000);
    assert.equal(await exists(destination), false);
    assert.equal(await workingExists(), false);
    assert.equal(service.get(batchTwo), undefined, 'the running batch is no longer tracked');
    sim.clock.advance(JOB_MS);
    await clock.tickAsync(MINUTE);
    assert.equal(sim.requests.filter((r) => r.method === 'POST').length, 2, 'no batch created after cancel');
  });

  it("records each finished run of a definition in its history: the file's checksum, the calls spent, a cancel too", async () => {
    const history = new RunHistory(shared.dir, clock);
    disposables.push(history);
    const { service, runner } = newWindow(undefined, history);
    const start = (criteria?: string): Promise<ExportRun> =>
      runner.start({
        accountId: ACCOUNT,
        ref: ref('All_Orders'),
        query: { ...QUERY, criteria },
        destination,
        definition: 'Nightly',
      });
    const first = await runToEnd(service, runner, (await start('Status == "Open"')).id);
    assert.equal(first.state, 'completed', first.error);
    await history.flushed();

    const [done] = history.runsOf('Nightly');
    assert.equal(done.id, first.id);
    assert.equal(done.state, 'completed');
    assert.equal(done.mode, 'full');
    assert.equal(done.records, first.records);
    assert.equal(done.bytes, first.bytesWritten);
    assert.equal(done.file, destination);
    assert.equal(done.criteria, 'Status == "Open"');
    assert.equal(
      done.sha256,
      createHash('sha256')
        .update(await readFile(destination))
        .digest('hex'),
    );
    const creates = sim.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/read')).length;
    const statusCalls = sim.requests.filter((r) => r.method === 'GET' && /\/read\/\d+$/.test(r.path)).length;
    assert.equal(done.creates, creates);
    assert.ok(statusCalls > 0);
    assert.equal(done.statusCalls, statusCalls, 'every status call of its batches, none other');

    await runner.remove(first.id);
    await clock.tickAsync(MINUTE);
    const second = await start();
    await completeRunningBatch(service);
    await until(() => runner.get(second.id)?.batches[0].appended === true, 'batch 1 to be appended');
    await runner.cancel(second.id, true);
    await history.flushed();
    const runs = history.runsOf('Nightly');
    assert.deepEqual(
      runs.map((run) => [run.id, run.state]),
      [
        [second.id, 'cancelled'],
        [first.id, 'completed'],
      ],
    );
    assert.equal(runs[0].file, partialPath(destination));
    assert.equal(runs[0].sha256, undefined, 'a partial file is not verified, so no checksum is claimed');
    assert.equal(history.previousOf('Nightly', second.id)?.id, first.id);
  });

  it('cancel forgets a completed batch not yet appended: its download ends and no file of it stays', async () => {
    const { service, runner } = newWindow();
    const started = await startOrders(runner);
    await completeRunningBatch(service);
    await until(() => runner.get(started.id)?.batches[0].appended === true, 'batch 1 to be appended');
    await until(() => runner.get(started.id)?.batches.length === 2, 'batch 2 to be created');
    const batchTwo = runner.get(started.id)?.batches[1].key ?? '';
    sim.switches.downloadBehaviour = 'slow'; // batch 2 completes and is still downloading at the cancel
    sim.switches.slowBytesPerSecond = 64 * 1024;
    await completeRunningBatch(service);
    await until(() => service.get(batchTwo)?.download === 'downloading', 'batch 2 to be downloading');

    const run = await runner.cancel(started.id, false);

    assert.equal(run?.state, 'cancelled');
    assert.equal(service.get(batchTwo), undefined, 'the completed batch is no longer tracked');
    const left = await readdir(path.join(temp.dir, 'results'), { recursive: true, withFileTypes: true });
    assert.deepEqual(
      left.filter((entry) => entry.isFile()).map((entry) => entry.name),
      [],
      'no result, part or lock file of the cancelled export stays',
    );
    assert.deepEqual(await readdir(path.dirname(destination)), []);
  });

  it('refuses a second export into the same file; cancel can discard the records, leaving no file', async () => {
    const { service, runner } = newWindow();
    const started = await startOrders(runner);
    await completeRunningBatch(service);
    await until(() => runner.get(started.id)?.batches[0].appended === true, 'batch 1 to be appended');

    await until(() => runner.get(started.id)?.batches.length === 2, 'batch 2 to be created');
    await assert.rejects(startOrders(runner), /being written by the running export of All_Orders/);
    assert.equal(sim.requests.filter((r) => r.method === 'POST').length, 2, 'the second start sent nothing');

    const run = await runner.cancel(started.id, false);

    assert.equal(run?.state, 'cancelled');
    assert.equal(run?.keptPath, undefined);
    assert.deepEqual(await readdir(path.dirname(destination)), []);
  });

  it('two windows starting an export into one file at the same moment: one starts it, the other is told, one job is created', async () => {
    const first = newWindow();
    const second = newWindow();
    const results = await Promise.allSettled([startOrders(first.runner), startOrders(second.runner)]);
    const started = results.filter((result) => result.status === 'fulfilled');
    const refused = results.filter((result): result is PromiseRejectedResult => result.status === 'rejected');
    assert.equal(started.length, 1, 'one start');
    assert.equal(refused.length, 1, 'one refusal');
    assert.match(
      String(refused[0].reason),
      /An export into All_Orders_2025-01-01\.csv is being started|being written by the running export/,
    );
    assert.equal(sim.requests.filter((r) => r.method === 'POST').length, 1, 'one job created');
    // And a double click in one window: the same.
    await assert.rejects(startOrders(first.runner), /being written by the running export of All_Orders/);
    assert.equal(sim.requests.filter((r) => r.method === 'POST').length, 1);
    assert.deepEqual(
      (await readdir(path.dirname(destination))).filter((name) => name.endsWith('.lock')),
      [],
      'no lock left behind',
    );
  });

  /** `target` with `name` running `before` first (another window acting at that moment). */
  function interposed<T extends object>(target: T, name: string, before: () => Promise<void>): T {
    return new Proxy(target, {
      get(object, key) {
        const value: unknown = Reflect.get(object, key, object);
        if (typeof value !== 'function') {
          return value;
        }
        return key === name
          ? async (...args: unknown[]) => {
              await before();
              return (value as (...a: unknown[]) => unknown).apply(object, args);
            }
          : value.bind(object);
      },
    });
  }

  for (const moment of ['creating its first batch', 'listing its run'] as const) {
    it(`a start whose claim another window took while it was ${moment} (it had paused) gives up: no run, no job, no file`, async () => {
      const { service } = newWindow();
      // A window that found this start's claim stale (it paused past STALE_LOCK_MS) and took it.
      const takeClaim = (): Promise<void> => writeFile(`${destination}.start.lock`, 'another window');
      const store = exportStore();
      const runner = new ExportRunner({
        jobs: moment === 'creating its first batch' ? interposed(service, 'createJob', takeClaim) : service,
        store: moment === 'listing its run' ? interposed(store, 'add', takeClaim) : store,
        clock,
        logger: silentLogger,
      });
      disposables.push(runner);
      await assert.rejects(
        startOrders(runner),
        /Another window started an export into All_Orders_2025-01-01\.csv meanwhile/,
      );
      assert.deepEqual(runner.exports(), [], 'no run listed');
      assert.deepEqual(service.jobs(), [], 'its job is not tracked');
      assert.deepEqual(await workingFiles(), [], 'no working file');
    });
  }

  it('waits out a 429 on the next batch (Retry-After) and goes on within the cursor life', async () => {
    const { service, runner } = newWindow();
    const started = await startOrders(runner);
    sim.inject({ route: 'create', httpStatus: 429, code: 2955, retryAfterSeconds: 30 });
    await completeRunningBatch(service);
    await until(
      () => sim.requests.filter((r) => r.method === 'POST').length === 2 && clock.pendingTimers().length > 0,
      'the refused creation',
    );
    assert.equal(runner.get(started.id)?.batches.length, 1);
    assert.equal(runner.get(started.id)?.state, 'running');

    await clock.tickAsync(29_000);
    assert.equal(
      sim.requests.filter((r) => r.method === 'POST').length,
      2,
      'nothing sent before Retry-After',
    );
    await clock.tickAsync(1_000);
    await until(() => runner.get(started.id)?.batches.length === 2, 'batch 2 after the wait');

    const run = await runToEnd(service, runner, started.id);
    assert.equal(run.state, 'completed', run.error);
    assert.equal(await countCsvRecords(destination), ROWS);
  });

  it('acts only in the window holding the lease, and carries on when it gets it', async () => {
    const changes = new Emitter<boolean>();
    const lease = { held: false, onDidChange: changes.event };
    const { service, runner } = newWindow(lease);
    const started = await startOrders(runner);
    await completeRunningBatch(service);
    await clock.tickAsync(MINUTE);
    assert.equal(
      sim.requests.filter((r) => r.method === 'POST').length,
      1,
      'no batch created without the lease',
    );
    assert.equal(runner.get(started.id)?.batches[0].appended, false, 'nothing written without the lease');

    lease.held = true;
    changes.fire(true);
    const run = await runToEnd(service, runner, started.id);
    assert.equal(run.state, 'completed', run.error);
    assert.equal(await countCsvRecords(destination), ROWS);
  });

  it('an export started in a window without the lease is driven by the window that holds it', async () => {
    const other = newWindow({ held: false, onDidChange: () => ({ dispose: () => undefined }) });
    const holder = newWindow();
    const started = await startOrders(other.runner);
    await Promise.all([other.jobs.flushed(), other.exports.flushed()]);
    // What the file watchers do when the other window writes.
    holder.jobs.sync();
    holder.exports.sync();
    assert.equal(holder.runner.get(started.id)?.state, 'running');

    const run = await runToEnd(holder.service, holder.runner, started.id);
    assert.equal(run.state, 'completed', run.error);
    assert.equal(await countCsvRecords(destination), ROWS);
  });

  it('Cancel in a window without the lease is carried out by the window that appends: the kept file holds whole batches', async () => {
    const other = newWindow({ held: false, onDidChange: () => ({ dispose: () => undefined }) });
    const holder = newWindow();
    const started = await startOrders(holder.runner);
    await completeRunningBatch(holder.service);
    await until(() => holder.runner.get(started.id)?.batches[0].appended === true, 'batch 1 to be appended');
    await until(() => holder.runner.get(started.id)?.batches.length === 2, 'batch 2 to be created');
    await Promise.all([holder.jobs.flushed(), holder.exports.flushed()]);
    other.jobs.sync();
    other.exports.sync();

    const cancelling = other.runner.cancel(started.id, true);
    await until(() => other.runner.get(started.id)?.cancelRequest !== undefined, 'the request to be stored');
    await other.exports.flushed();
    assert.equal(await workingExists(), true, 'the window without the lease touches no file');
    assert.equal(await exists(partialPath(destination)), false);
    // What the file watchers do: the holder sees the request and stops the export itself.
    for (let round = 0; round < 200 && other.runner.get(started.id)?.state === 'running'; round++) {
      holder.exports.sync();
      await holder.exports.flushed();
      other.exports.sync();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    for (let round = 0; round < 200 && other.runner.get(started.id)?.cancelRequest; round++) {
      await holder.exports.flushed();
      other.exports.sync();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const run = await cancelling;
    assert.equal(run?.state, 'cancelled');
    assert.equal(run?.keptPath, partialPath(destination));
    assert.equal(await countCsvRecords(partialPath(destination)), 100_000);
    assert.equal(await workingExists(), false);
    sim.clock.advance(JOB_MS);
    await clock.tickAsync(MINUTE);
    assert.equal(sim.requests.filter((r) => r.method === 'POST').length, 2, 'no batch created after cancel');
  });

  it('fails the export plainly when a batch fails on Zoho, keeping no partial file', async () => {
    const { service, runner } = newWindow();
    const started = await startOrders(runner);
    await completeRunningBatch(service);
    await until(() => runner.get(started.id)?.batches.length === 2, 'batch 2 to be created');
    sim.inject({ route: 'status', httpStatus: 404, code: 7120, text: 'Invalid job id' });

    const stopped = new Promise<ExportRun>((resolve) => runner.onDidStopExport(resolve));
    await runToEnd(service, runner, started.id);
    const run = await stopped;

    assert.equal(run.state, 'failed');
    assert.match(run.error ?? '', /^Batch 2 \(job \d+\) failed: /);
    assert.deepEqual(await readdir(path.dirname(destination)), []);
  });
});

describe('CreateBudget', () => {
  it('allows 5 creations a minute per account, then says how long to wait', () => {
    const budget = new CreateBudget();
    const t0 = 1_000_000;
    for (let i = 0; i < 5; i++) {
      assert.equal(budget.waitMs('a', t0 + i * 1000), 0);
      budget.record('a', t0 + i * 1000);
    }
    assert.equal(budget.waitMs('a', t0 + 5000), 55_000);
    assert.equal(budget.waitMs('b', t0 + 5000), 0, 'per account');
    assert.equal(budget.waitMs('a', t0 + 60_000), 0);
  });
});

describe('nextBatchExpectation (the batch chain)', () => {
  const figures = { previousMs: 20 * MINUTE, batchSize: 200_000, recordsSoFar: 800_000 };
  it('scales the previous batch by the records the history expects are left', () => {
    assert.deepEqual(nextBatchExpectation({ ...figures, expectedRecords: 900_000 }), {
      expectedMs: 10 * MINUTE,
    });
    assert.deepEqual(nextBatchExpectation({ ...figures, expectedRecords: 800_050 }), { expectedMs: 300 });
    assert.deepEqual(nextBatchExpectation({ ...figures, expectedRecords: 1_000_000, previousClose: true }), {
      expectedMs: 20 * MINUTE,
      measuredClosely: true,
    });
  });
  it('expects a whole batch that may end sooner when nothing, or nothing left, is expected', () => {
    for (const expectedRecords of [undefined, 800_000, 700_000]) {
      assert.deepEqual(nextBatchExpectation({ ...figures, expectedRecords }), {
        expectedMs: 20 * MINUTE,
        mayEndSooner: true,
      });
    }
    assert.deepEqual(
      nextBatchExpectation({ ...figures, previousMs: undefined, expectedRecords: 900_000 }),
      {},
    );
  });
});

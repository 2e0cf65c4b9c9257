// Export Whole Report against a hostile server: a completed export is exact even when a window
// stalls mid-append, a cursor loops, a download answers 503 forever or the disk fills up.
//
// The runner gets a fake clock of its own (its waits and retries move only when a case ticks it);
// the job service under it polls the server on the real clock, as the other fault cases do.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFile, mkdir, open, readFile, readdir, rm, stat, truncate, writeFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import * as path from 'node:path';
import { ExportRunner, type ExportLease } from '../../src/exports/exportRunner';
import { EXPORTS_FILE_NAME, EXPORTS_FOLDER_NAME, ExportStore } from '../../src/exports/exportStore';
import { partialPath, type ExportRun } from '../../src/exports/model';
import type { JobServiceApi } from '../../src/jobs/serviceApi';
import { countCsvRecords } from '../../src/results/countCsvRecords';
import { DISK_RESERVE_BYTES } from '../../src/results/fetchResult';
import { FakeClock } from '../unit/helpers/fakeClock';
import { mountSmallDisk } from '../unit/helpers/smallDisk';
import { ACCOUNT, Harness, REF, hostile, sleep, startHarness, stopHarness, until } from './harness';
import { csvOf, json, zipOf } from './hostileServer';

const held = (): ExportLease => ({ held: true, onDidChange: () => ({ dispose: () => undefined }) });

/** One batch the server serves: its records, and the cursor its status hands on (none: the last). */
interface Batch {
  records: number;
  cursor?: string;
}

function jobIdOf(n: number): string {
  return String(2000000018000 + n);
}

/** Appends `chunk` to `file` until the disk is full. */
async function appendUntilFull(file: string, chunk: Buffer): Promise<void> {
  for (;;) {
    try {
      await appendFile(file, chunk);
    } catch {
      return;
    }
  }
}

describe('faults: exports', () => {
  let h: Harness;
  let clock: FakeClock;
  let folder: string;
  let destination: string;
  const runners: ExportRunner[] = [];
  const stores: ExportStore[] = [];
  let unmount: (() => void) | undefined;

  /** `retry`: the client's retry policy as in the extension (else one try per request). */
  async function start(
    retry: 'default' | 'none' = 'none',
    freeBytes?: (dir: string) => Promise<number>,
  ): Promise<void> {
    h = await startHarness({ ...(retry === 'default' ? { retry: 'default' } : { attempts: 1 }), freeBytes });
    clock = new FakeClock(Date.now());
    folder = path.join(h.dir, 'exports');
    destination = path.join(folder, 'All_Orders.csv');
  }

  afterEach(async () => {
    for (const runner of runners.splice(0)) {
      runner.dispose();
    }
    await Promise.all(stores.splice(0).map((store) => store.flushed()));
    unmount?.();
    unmount = undefined;
    // A runner that outlived its case (the old code's loops) may still write: a second try.
    await stopHarness().catch(() => sleep(100).then(stopHarness));
  });

  /**
   * start(), with the export folder on a 1 MB file system: deterministic ENOSPC without filling
   * the real disk. Needs root (a container's root may lack CAP_SYS_ADMIN); without it the case
   * cannot be honest: skipped.
   */
  async function startOnSmallDisk(test: Mocha.Context): Promise<void> {
    await start();
    await mkdir(folder, { recursive: true });
    unmount = mountSmallDisk(folder);
    if (!unmount) {
      test.skip();
    }
  }

  /** A window's runner over the harness's shared storage. */
  function window(lease: ExportLease = held(), jobs: JobServiceApi = h.service): ExportRunner {
    const store = new ExportStore(h.storage.file(EXPORTS_FILE_NAME), h.logger);
    stores.push(store);
    const runner = new ExportRunner({ jobs, store, clock, logger: h.logger, lease });
    runners.push(runner);
    return runner;
  }

  /**
   * Serves an export: creation n answers job n, whose status is batch n (or the last one) and
   * whose download is its CSV in a ZIP. `download` replaces the download answer.
   */
  function serve(
    batches: Batch[],
    download?: (res: ServerResponse, n: number) => void | Promise<void>,
  ): void {
    const batchOf = (jobId: string | undefined): Batch =>
      batches[Math.min(Number(jobId) - 2000000018001, batches.length - 1)];
    h.on('create', (_req, res, hit) =>
      json(res, 200, {
        code: 3000,
        details: { id: jobIdOf(hit.n), operation: 'read', status: 'In-progress' },
      }),
    );
    h.on('status', (_req, res, hit) => {
      const batch = batchOf(hit.jobId);
      json(res, 200, {
        code: 3000,
        details: {
          id: hit.jobId,
          operation: 'read',
          status: 'Completed',
          result: {
            count: batch.records,
            download_url: `/creator/v2.1/bulk/${REF.owner}/${REF.app}/report/${REF.report}/read/${hit.jobId}/result`,
            ...(batch.cursor ? { record_cursor: batch.cursor } : {}),
          },
        },
      });
    });
    h.on('download', async (_req, res, hit) => {
      const n = Number(hit.jobId) - 2000000018000;
      if (download) {
        await download(res, n);
        return;
      }
      await sendBatch(res, batchOf(hit.jobId).records);
    });
  }

  async function sendBatch(res: ServerResponse, records: number): Promise<void> {
    const zip = await zipOf([['All_Orders.csv', csvOf(records)]]);
    res.writeHead(200, { 'Content-Type': 'application/zip' });
    res.end(zip);
  }

  function startExport(runner: ExportRunner): Promise<ExportRun> {
    return runner.start({ accountId: ACCOUNT, ref: REF, query: {}, destination });
  }

  function creates(): number {
    return h.server.hits('create');
  }

  /**
   * Runs the runner's waits (its fake clock) as they come due until the export stops, and
   * resolves with the run it stopped as. No real-time deadline: between two waits the runner
   * waits on real I/O, after which it sets its next wait or stops.
   */
  async function runUntilStopped(runner: ExportRunner, id: string): Promise<ExportRun> {
    let stoppedRun: ExportRun | undefined;
    const stop = new Promise<void>((resolve) => {
      const subscription = runner.onDidStopExport((run) => {
        if (run.id === id) {
          stoppedRun = run;
          subscription.dispose();
          resolve();
        }
      });
    });
    while (!stoppedRun) {
      const [next] = clock.pendingTimers();
      if (next === undefined) {
        await Promise.race([stop, clock.nextArmed()]);
      } else {
        await clock.tickAsync(next - clock.now());
      }
    }
    return stoppedRun;
  }

  async function stopped(runner: ExportRunner, id: string): Promise<ExportRun> {
    await until(() => {
      const run = runner.get(id);
      return run !== undefined && run.state !== 'running' && run.error !== undefined;
    }, 'the export to stop');
    const run = runner.get(id);
    assert.ok(run);
    return run;
  }

  hostile(
    'a cursor Zoho hands on again ends the export, keeping the batches read before it exactly',
    async () => {
      await start();
      // Batch 2 answers with the cursor batch 1 gave: batch 3 would read batch 2's records again.
      serve([
        { records: 40, cursor: 'cursor-1' },
        { records: 30, cursor: 'cursor-1' },
      ]);
      const runner = window();
      const run = await stopped(runner, (await startExport(runner)).id);

      assert.equal(run.state, 'failed');
      assert.equal(creates(), 2, 'no batch was created from a cursor read already');
      assert.match(run.error ?? '', /record cursor .*already read from.* repeat records/);
      assert.match(run.error ?? '', /The 70 records so far are kept in All_Orders\.partial\.csv\./);
      assert.equal(run.keptPath, partialPath(destination));
      assert.equal(await countCsvRecords(partialPath(destination)), 70, 'the partial file is exact');
      assert.deepEqual(await readdir(folder), ['All_Orders.partial.csv']);
    },
  );

  hostile(
    'a download answering 503 forever is tried 3 times for the export, not 3 times per event',
    async () => {
      // The client's own retry policy as in the extension: its tries count against the export's 3.
      await start('default');
      // Batch 1's download always fails; batches 2 and 3 complete meanwhile, each an event.
      serve([{ records: 10, cursor: 'c1' }, { records: 10, cursor: 'c2' }, { records: 10 }], (res, n) =>
        n === 1 ? json(res, 503, { code: 500, message: 'Service Unavailable' }) : sendBatch(res, 10),
      );
      const runner = window();
      const started = await startExport(runner);
      const downloadsOf1 = (): number =>
        h.server.requests.filter((r) => r.route === 'download' && r.url.includes(`/${jobIdOf(1)}/`)).length;
      const run = await runUntilStopped(runner, started.id);

      assert.equal(run.state, 'interrupted');
      assert.equal(downloadsOf1(), 3, `three tries of the one failing step\n${h.logger.lines.join('\n')}`);
      assert.match(run.error ?? '', /Could not download batch 1 \(job \d+\) of All_Orders \(tried 3 times\)/);
      assert.match(run.error ?? '', /No records were read, so no file was kept\./);
    },
  );

  hostile(
    'the message of a cursor that would expire counts the records kept (appended after it)',
    async () => {
      await start();
      let answered!: () => void;
      const createRefused = new Promise<void>((resolve) => (answered = resolve));
      serve([{ records: 25, cursor: 'c1' }, { records: 5 }], async (res, n) => {
        await createRefused; // batch 1 arrives only after the refusal, as a slow download does
        await sendBatch(res, n === 1 ? 25 : 5);
      });
      h.on('create', (_req, res, hit) => {
        if (hit.n === 1) {
          json(res, 200, {
            code: 3000,
            details: { id: jobIdOf(1), operation: 'read', status: 'In-progress' },
          });
          return;
        }
        // An hour's Retry-After: longer than the cursor lives.
        json(res, 429, { code: 2955, message: 'Too many requests' }, { 'Retry-After': '3600' });
        answered();
      });
      const runner = window();
      const run = await stopped(runner, (await startExport(runner)).id);

      assert.equal(run.state, 'interrupted');
      assert.match(run.error ?? '', /record cursor of batch 1 .* would expire/);
      assert.match(run.error ?? '', /The 25 records so far are kept in All_Orders\.partial\.csv\./);
      assert.equal(await countCsvRecords(partialPath(destination)), 25);
    },
  );

  it('a full disk says so, where, how much is needed, and keeps the records so far', async function () {
    await startOnSmallDisk(this);
    // Batch 1 (~0.3 MB) fits; batch 2 (~1.5 MB) does not.
    serve([{ records: 20_000, cursor: 'c1' }, { records: 100_000 }]);
    const runner = window();
    const run = await stopped(runner, (await startExport(runner)).id);

    assert.equal(run.state, 'interrupted');
    assert.match(run.error ?? '', /^The disk is full: Batch 2 \(job \d+\) of All_Orders could not be added/);
    assert.ok(run.error?.includes(`in ${folder}.`), run.error);
    assert.match(run.error ?? '', /Free at least \d+ MB there \(the batch is [\d,]+ bytes/);
    assert.match(run.error ?? '', /The 20,000 records so far are kept in All_Orders\.partial\.csv\./);
    assert.equal(await countCsvRecords(partialPath(destination)), 20_000);
    assert.deepEqual(await readdir(folder), ['All_Orders.partial.csv']);
    await h.assertNothingLeaked();
  });

  hostile(
    'a disk that fills while a batch downloads says so, where and how much, keeps the records so far and does not try again',
    async () => {
      let free = 1e12;
      await start('default', async () => free);
      serve([{ records: 20_000, cursor: 'c1' }, { records: 100_000 }], async (res, n) => {
        if (n === 2) {
          free = DISK_RESERVE_BYTES + 100_000; // another program filled the disk meanwhile
        }
        await sendBatch(res, n === 1 ? 20_000 : 100_000);
      });
      const runner = window();
      const run = await stopped(runner, (await startExport(runner)).id);

      assert.equal(run.state, 'interrupted');
      assert.match(
        run.error ?? '',
        /^Could not download batch 2 \(job \d+\) of All_Orders\. The disk is full: the result of job \d+ could not be saved in .*; nothing of it was kept\. Free at least \d+ MB there, then try again\. The 20,000 records so far are kept in All_Orders\.partial\.csv\. Restart the export once there is room\.$/,
      );
      // The job service's automatic download, and at most the export's own if it began before that
      // failure was stored: a transient failure would be tried 3 times (TRANSIENT_TRIES).
      const downloads = h.server.requests.filter((r) => r.route === 'download').map((r) => r.url);
      const ofBatch2 = downloads.filter((url) => url.includes(`/${jobIdOf(2)}/`)).length;
      assert.ok(ofBatch2 <= 2, `a full disk is not tried again\n${downloads.join('\n')}`);
      assert.equal(await countCsvRecords(partialPath(destination)), 20_000);
      await h.assertNothingLeaked();
    },
  );

  it('a full disk when a window takes an export over keeps the only copy and says the disk is full', async function () {
    await startOnSmallDisk(this);
    // Batch 1 (~0.3 MB) is merged by window A; batch 2's download never ends while A holds it.
    let release!: () => void;
    const held2 = new Promise<void>((resolve) => (release = resolve));
    serve([{ records: 20_000, cursor: 'c1' }, { records: 10 }], async (res, n) => {
      if (n === 2) {
        await held2;
      }
      await sendBatch(res, n === 1 ? 20_000 : 10);
    });
    const leaseOfA = { held: true, onDidChange: () => ({ dispose: () => undefined }) };
    const a = window(leaseOfA);
    const started = await startExport(a);
    await until(() => (a.get(started.id)?.records ?? 0) === 20_000, 'window A to merge batch 1');
    const recorded = a.get(started.id);
    assert.ok(recorded);
    // Something else fills the disk, leaving less room than the merged file so far.
    const filler = path.join(folder, 'other-program.bin');
    const chunk = Buffer.alloc(64 * 1024, 1);
    await appendUntilFull(filler, chunk);
    await truncate(filler, (await stat(filler)).size - 2 * 64 * 1024);

    // A stalls past its lease; B takes the export over.
    leaseOfA.held = false;
    const b = window();
    // The stop is stored (fencing A) before the file is kept: the event says both are done.
    const stoppedByB = new Promise<ExportRun>((resolve) => b.onDidStopExport(resolve));
    const run = await stoppedByB;
    release();

    assert.equal(run.state, 'interrupted');
    assert.match(
      run.error ?? '',
      /^The disk is full: this window could not copy the merged file of All_Orders/,
    );
    assert.ok(run.error?.includes(`in ${folder} (`), run.error);
    assert.match(run.error ?? '', /Free at least 1 MB there \(the records so far are [\d,]+ bytes/);
    assert.match(run.error ?? '', /The 20,000 records so far are kept in All_Orders\.partial\.csv\./);
    assert.doesNotMatch(run.error ?? '', /was changed while the export ran/);
    assert.equal(await countCsvRecords(partialPath(destination)), 20_000, 'the only copy is kept');
    assert.equal((await stat(partialPath(destination))).size, recorded.bytesWritten);
    assert.deepEqual((await readdir(folder)).sort(), ['All_Orders.partial.csv', 'other-program.bin']);
  });

  hostile('a window paused mid-append writes nothing into the export another window completed', async () => {
    await start();
    serve([{ records: 2000, cursor: 'c1' }, { records: 3000 }]);
    // Window A's append of batch 2 reads from a pipe this case feeds: half, then (after window B
    // took over and completed the export) the rest, as a process resumed after SIGSTOP would.
    const pipe = path.join(h.dir, 'batch-2.pipe');
    execFileSync('mkfifo', [pipe]);
    let batchTwo = '';
    const jobsOfA: JobServiceApi = Object.create(h.service, {
      ensureResult: {
        value: async (key: string, progress: Parameters<JobServiceApi['ensureResult']>[1]) => {
          const result = await h.service.ensureResult(key, progress);
          if (h.service.get(key)?.jobId !== jobIdOf(2)) {
            return result;
          }
          batchTwo = await readFile(result.path, 'utf8');
          return { ...result, path: pipe };
        },
      },
    }) as JobServiceApi;
    const leaseOfA = { held: true, onDidChange: () => ({ dispose: () => undefined }) };
    const a = window(leaseOfA, jobsOfA);
    const started = await startExport(a);
    await until(() => batchTwo !== '', 'window A to start appending batch 2');
    const writer = await open(pipe, 'w');
    await writer.write(batchTwo.slice(0, 40_000));
    const partOfA = async (): Promise<number> => {
      const part = (await readdir(folder)).find((name) => name.endsWith('.part'));
      return part ? (await stat(path.join(folder, part))).size : 0;
    };
    const afterBatchOne = a.get(started.id)?.bytesWritten ?? 0;
    await until(async () => (await partOfA()) > afterBatchOne, 'window A to write part of batch 2');

    // A stalls past its lease; B takes over and completes the export.
    leaseOfA.held = false;
    const b = window();
    await until(() => b.get(started.id)?.state === 'completed', 'window B to complete the export');
    const completed = b.get(started.id);
    assert.ok(completed);

    // A wakes up and writes the rest of batch 2 through the handle it kept.
    await writer.write(batchTwo.slice(40_000));
    await writer.close();
    // Until A has written the rest: into the completed file (what went wrong) or its own (fenced).
    await until(
      async () =>
        h.logger.lines.some((line) => line.includes('this one stopped writing')) ||
        (await stat(destination)).size !== completed.bytesWritten,
      'window A to finish its append',
    );
    await Promise.all(stores.map((store) => store.flushed()));
    await until(
      async () => !(await readdir(folder)).some((name) => name.endsWith('.part')),
      'no working file',
    );

    assert.equal(completed.records, 5000);
    assert.equal(await countCsvRecords(destination), 5000, 'the completed file holds exactly the records');
    assert.equal((await stat(destination)).size, completed.bytesWritten, 'and exactly the bytes recorded');
    const stored = (await h.storage.readItem(completed.id, EXPORTS_FOLDER_NAME))?.value as ExportRun;
    assert.equal(stored.state, 'completed');
    assert.equal(stored.records, 5000);
    assert.equal(stored.bytesWritten, completed.bytesWritten);
    await rm(pipe, { force: true });
  });
  hostile('a completed export is checked against what was written whenever a window reads it', async () => {
    await start();
    serve([{ records: 30, cursor: 'c1' }, { records: 20 }]);
    const runner = window();
    const started = await startExport(runner);
    await until(() => runner.get(started.id)?.state === 'completed', 'the export to complete');
    assert.equal(await runner.verifyCompleted(started.id), undefined, 'exactly what was written');

    // Same size, one record more: a line break where a comma was.
    const text = await readFile(destination, 'utf8');
    await writeFile(destination, text.replace('7,"note 7"', '7\n"note 7"'));
    const problem = await runner.verifyCompleted(started.id);
    assert.match(
      problem ?? '',
      /^All_Orders\.csv is not the file this export wrote \(51 records where 50 were written\)/,
    );
    assert.equal(runner.get(started.id)?.error, problem, 'every window shows it');

    await rm(destination);
    assert.match((await runner.verifyCompleted(started.id)) ?? '', /it is no longer there/);
  });
  hostile('a file the user agreed to replace at the start is replaced by the checked export', async () => {
    await start();
    serve([{ records: 12 }]);
    await mkdir(folder, { recursive: true });
    await writeFile(destination, 'ID,Earlier\n1,replace me\n');
    const runner = window();
    const started = await startExport(runner);
    await until(() => runner.get(started.id)?.state !== 'running', 'the export to end');
    assert.equal(runner.get(started.id)?.state, 'completed', runner.get(started.id)?.error);
    assert.equal(await countCsvRecords(destination), 12);
    assert.deepEqual(await readdir(folder), ['All_Orders.csv']);
  });
});

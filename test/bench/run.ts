// `npm run bench`: prints speed and memory figures of the paths that matter for big exports.
// Figures only, no pass/fail: these machines are shared and noisy, so targets are read by people.
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BulkReadClient } from '../../src/zoho/client';
import { StaticTokenProvider } from '../../src/zoho/auth';
import { countCsvRecords, fetchResult } from '../../src/results';
import { PollScheduler } from '../../src/jobs/pollScheduler';
import { spawn, type ChildProcess } from 'node:child_process';
import { MemoryKeyValueStore, silentLogger, systemClock } from '../../src/core/ports';
import { ExportRunner } from '../../src/exports/exportRunner';
import { ExportStore } from '../../src/exports/exportStore';
import type { ExportRun } from '../../src/exports/model';
import { JobService } from '../../src/jobs/jobService';
import { JobStore } from '../../src/jobs/jobStore';
import { DEMO } from '../simulator';
import { FakeClock, settle } from '../unit/helpers/fakeClock';

const MB = 1024 * 1024;

function fmt(n: number, digits = 1): string {
  return n.toFixed(digits);
}

/** Samples RSS every 20 ms while `work` runs; returns the peak growth over the start. */
async function withPeakRss<T>(work: () => Promise<T>): Promise<{ value: T; peakGrowthMb: number }> {
  const start = process.memoryUsage().rss;
  let peak = start;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  try {
    const value = await work();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { value, peakGrowthMb: (peak - start) / MB };
  } finally {
    clearInterval(timer);
  }
}

/** The simulator in its own process, so its CSV generation and zipping do not share our CPU time. */
async function startSimulatorProcess(jobSeconds = 0): Promise<{ url: string; close: () => Promise<void> }> {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      '-r',
      'esbuild-register',
      path.join(__dirname, '../simulator/cli.ts'),
      '--port',
      '0',
      '--job-seconds',
      String(jobSeconds),
      '--no-throttles',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match) {
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => reject(new Error(`simulator exited with ${code}`)));
  });
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

async function benchDownload(batchSize: number): Promise<void> {
  const sim = await startSimulatorProcess();
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cbj-bench-'));
  try {
    const client = new BulkReadClient({
      target: { dataCentre: 'custom', customHost: sim.url, family: 'B', owner: DEMO.owner },
      tokens: new StaticTokenProvider(DEMO.accessToken),
    });
    const ref = { owner: DEMO.owner, app: DEMO.app, report: 'All_Orders' };
    const job = await client.createJob(ref, { max_records: batchSize });
    const started = process.hrtime.bigint();
    const { value: result, peakGrowthMb } = await withPeakRss(() => fetchResult(client, ref, job.id, dir));
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const countStart = process.hrtime.bigint();
    const records = await countCsvRecords(result.path);
    const countSeconds = Number(process.hrtime.bigint() - countStart) / 1e9;
    console.log(
      `download+unzip ${records.toLocaleString('en-US')} records: ${fmt(result.bytes / MB)} MB CSV in ` +
        `${fmt(seconds, 2)} s (${fmt(result.bytes / MB / seconds)} MB/s, simulator in another process), ` +
        `peak RSS growth ${fmt(peakGrowthMb)} MB`,
    );
    console.log(
      `count records (RFC 4180 aware): ${fmt(countSeconds, 2)} s (${fmt(result.bytes / MB / countSeconds)} MB/s)`,
    );
  } finally {
    await sim.close();
    await fs.rm(dir, { recursive: true, force: true });
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Export Whole Report of the simulator's 1,000,000-record Order_History (five batches of 200,000),
 * each job taking one second on the simulator: how fast the next batch follows a completed one,
 * and how the total compares with the batches' download-and-extract time.
 */
async function benchExport(): Promise<void> {
  const sim = await startSimulatorProcess(1);
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'cbj-bench-export-'));
  const storage = new MemoryKeyValueStore();
  const client = new BulkReadClient({
    target: { dataCentre: 'custom', customHost: sim.url, family: 'B', owner: DEMO.owner },
    tokens: new StaticTokenProvider(DEMO.accessToken),
  });
  const service = new JobService({
    store: new JobStore(storage),
    clients: async () => client,
    clock: systemClock,
    logger: silentLogger,
    resultsDir: path.join(dir, 'results'),
    settings: { initialIntervalMs: 250, maxIntervalMs: 1000, unfocusedMultiplier: 1, maxConcurrent: 3 },
    autoDownload: () => true,
  });
  const runner = new ExportRunner({
    jobs: service,
    store: new ExportStore(storage),
    clock: systemClock,
    logger: silentLogger,
  });
  try {
    const ended = new Promise<ExportRun>((resolve) => {
      runner.onDidFinishExport(resolve);
      runner.onDidStopExport(resolve);
    });
    const destination = path.join(dir, 'Order_History.csv');
    const { value: run, peakGrowthMb } = await withPeakRss(async () => {
      await runner.start({
        accountId: 'bench',
        ref: { owner: DEMO.owner, app: 'data-warehouse', report: 'Order_History' },
        query: { max_records: 200_000 },
        destination,
      });
      return ended;
    });
    if (run.state !== 'completed') {
      console.log(`export: ${run.state}: ${run.error ?? ''}`);
      return;
    }
    const gaps = run.batches.flatMap((batch) =>
      batch.nextCreatedAfterMs === undefined ? [] : [batch.nextCreatedAfterMs],
    );
    const fetchMs = run.batches.reduce((sum, batch) => sum + (batch.fetchMs ?? 0), 0);
    const totalMs = (run.finishedAt ?? 0) - run.startedAt;
    const { size } = await fs.stat(destination);
    console.log(
      `export 1,000,000 records (${run.batches.length} batches, ${fmt(size / MB)} MB merged, jobs take 1 s each): ` +
        `completion -> next batch created: median ${fmt(median(gaps), 0)} ms (max ${fmt(Math.max(...gaps), 0)} ms); ` +
        `total ${fmt(totalMs / 1000, 2)} s vs sum of download+extract ${fmt(fetchMs / 1000, 2)} s; ` +
        `records ${run.records.toLocaleString('en-US')}; peak RSS growth ${fmt(peakGrowthMb)} MB`,
    );
  } finally {
    runner.dispose();
    service.dispose();
    await sim.close();
    await fs.rm(dir, { recursive: true, force: true });
  }
}

async function benchScheduler(jobs: number): Promise<void> {
  const clock = new FakeClock();
  let polls = 0;
  const scheduler = new PollScheduler({
    clock,
    settings: { initialIntervalMs: 5000, maxIntervalMs: 60000, unfocusedMultiplier: 3, maxConcurrent: 3 },
    poll: async () => {
      polls++;
      return 'unchanged';
    },
  });
  for (let i = 0; i < jobs; i++) {
    scheduler.add(`job-${i}`, `account-${i % 3}`);
  }
  const started = process.hrtime.bigint();
  // One simulated hour in 1-second steps.
  for (let t = 0; t < 3600; t++) {
    clock.tick(1000);
    await settle();
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  scheduler.dispose();
  console.log(
    `scheduler: ${jobs} pending jobs over one simulated hour: ${polls} polls, ` +
      `${fmt((seconds * 1e6) / polls)} µs of CPU per poll, timer left after dispose: ${scheduler.hasTimer}`,
  );
}

async function main(): Promise<void> {
  console.log(`Node ${process.version}, ${os.cpus().length} cores`);
  await benchDownload(100_000);
  await benchDownload(200_000);
  await benchExport();
  await benchScheduler(1000);
  try {
    const bundle = await fs.stat(path.join(__dirname, '../../dist/extension.js'));
    console.log(
      `bundle dist/extension.js: ${fmt(bundle.size / 1024)} KiB (run npm run package first for the minified size)`,
    );
  } catch {
    console.log('bundle: not built (npm run compile)');
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

// `npm run bench`: prints speed and memory figures of the paths that matter for big exports.
// Figures only, no pass/fail: these machines are shared and noisy, so targets are read by people.
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BulkReadClient } from '../../src/zoho/client';
import { StaticTokenProvider } from '../../src/zoho/auth';
import { countCsvRecords, fetchResult } from '../../src/results';
import { toPollSettings } from '../../src/host/pollSettings';
import { PollScheduler } from '../../src/jobs/pollScheduler';
import type { PollSettings } from '../../src/jobs/serviceApi';
import { spawn, type ChildProcess } from 'node:child_process';
import { silentLogger, systemClock } from '../../src/core/ports';
import { ExportRunner } from '../../src/exports/exportRunner';
import { EXPORTS_FILE_NAME, ExportStore } from '../../src/exports/exportStore';
import type { ExportRun } from '../../src/exports/model';
import { JobService } from '../../src/jobs/jobService';
import { JOBS_FILE_NAME, JobStore } from '../../src/jobs/jobStore';
import { SharedJsonFile } from '../../src/core/sharedJsonFile';
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
    const { value: result, peakGrowthMb } = await withPeakRss(async () =>
      fetchResult(client, { accountId: 'bench', ref, jobId: job.id }, dir, {
        expectedRecords: (await client.getJob(ref, job.id)).result?.count,
      }),
    );
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
  const exportsFile = new SharedJsonFile(path.join(dir, EXPORTS_FILE_NAME), systemClock);
  const jobsFile = new SharedJsonFile(path.join(dir, JOBS_FILE_NAME), systemClock);
  const client = new BulkReadClient({
    target: { dataCentre: 'custom', customHost: sim.url, family: 'B', owner: DEMO.owner },
    tokens: new StaticTokenProvider(DEMO.accessToken),
  });
  const service = new JobService({
    store: new JobStore(jobsFile),
    clients: async () => client,
    clock: systemClock,
    logger: silentLogger,
    resultsDir: path.join(dir, 'results'),
    settings: {
      initialIntervalMs: 250,
      maxIntervalMs: 1000,
      unfocusedMultiplier: 1,
      maxConcurrent: 3,
      maxChecksPerMinute: Infinity,
    },
    autoDownload: () => true,
  });
  const runner = new ExportRunner({
    jobs: service,
    store: new ExportStore(exportsFile),
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
    jobsFile.dispose();
    exportsFile.dispose();
    await sim.close();
    await fs.rm(dir, { recursive: true, force: true });
  }
}

async function benchScheduler(jobs: number): Promise<void> {
  const clock = new FakeClock();
  let polls = 0;
  const scheduler = new PollScheduler({
    clock,
    settings: toPollSettings({}),
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

/**
 * The policy before the poll budget (0.1.0): first check after 5 s, the wait doubling up to 60 s
 * while nothing changes. A bulk read job reports no progress, so "nothing changes" until it ends.
 */
function beforeBudget(durationMs: number): { calls: number; latencyMs: number } {
  let at = 5000;
  let wait = 5000;
  let calls = 1;
  while (at < durationMs) {
    wait = Math.min(60_000, wait * 2);
    at += wait;
    calls++;
  }
  return { calls, latencyMs: at - durationMs };
}

/** One job that completes after `durationMs`, polled by the real scheduler with default settings. */
async function afterBudget(
  durationMs: number,
  settings: PollSettings,
): Promise<{ calls: number; latencyMs: number }> {
  const clock = new FakeClock(0);
  let calls = 0;
  let detectedAt = -1;
  const scheduler = new PollScheduler({
    clock,
    settings,
    poll: async () => {
      calls++;
      if (clock.now() >= durationMs) {
        detectedAt = clock.now();
        return 'finished';
      }
      return 'unchanged';
    },
  });
  scheduler.add('job', 'account');
  while (detectedAt < 0) {
    await clock.tickAsync(1000);
  }
  scheduler.dispose();
  return { calls, latencyMs: detectedAt - durationMs };
}

function seconds(ms: number): string {
  return ms < 60_000 ? `${Math.round(ms / 1000)} s` : `${fmt(ms / 60_000)} min`;
}

async function benchPollBudget(): Promise<void> {
  const settings = toPollSettings({});
  console.log(
    `\npoll budget, default settings (first check ${settings.initialIntervalMs / 1000} s, ` +
      `cap ${settings.maxIntervalMs / 60_000} min, ${settings.maxChecksPerMinute} checks/min per account), ` +
      'real scheduler, fake clock, focused window:',
  );
  console.log(
    '| job runs | status calls before | after | detection latency before | after | latency bound |',
  );
  console.log('|---|---|---|---|---|---|');
  for (const durationMs of [30_000, 120_000, 600_000, 1_800_000, 7_200_000]) {
    const before = beforeBudget(durationMs);
    const after = await afterBudget(durationMs, settings);
    const bound = Math.min(600_000, Math.max(30_000, durationMs / 4));
    console.log(
      `| ${seconds(durationMs)} | ${before.calls} | ${after.calls} | ${seconds(before.latencyMs)} | ` +
        `${seconds(after.latencyMs)} | ${seconds(bound)} |`,
    );
  }
  // Worst case over completion moments: the latency bound must hold for any duration, not only these.
  let worst = 0;
  for (let durationMs = 1000; durationMs <= 7_200_000; durationMs += 7_000) {
    const { latencyMs } = await afterBudget(durationMs, settings);
    worst = Math.max(worst, latencyMs / Math.min(600_000, Math.max(30_000, durationMs / 4)));
  }
  console.log(
    `worst detection latency over durations 1 s..2 h (every 7 s): ${fmt(worst * 100, 0)}% of its bound`,
  );
}

/** Many running jobs of one account: calls per minute stay under the ceiling, also right after a reload. */
async function benchCeiling(jobs: number): Promise<void> {
  const settings = toPollSettings({});
  const clock = new FakeClock(0);
  const starts: number[] = [];
  const scheduler = new PollScheduler({
    clock,
    settings,
    poll: async () => {
      starts.push(clock.now());
      return 'unchanged';
    },
  });
  // A reload 20 minutes into their run: every job was last checked well before.
  clock.tick(20 * 60_000);
  const reloadAt = clock.now();
  for (let i = 0; i < jobs; i++) {
    scheduler.add(`job-${i}`, 'account', { startedAt: 0, lastCheckedAt: 0 });
  }
  for (let t = 0; t < 60 * 60; t++) {
    await clock.tickAsync(1000);
  }
  scheduler.dispose();
  let worstMinute = 0;
  for (let from = reloadAt; from < clock.now() - 60_000; from += 1000) {
    worstMinute = Math.max(worstMinute, starts.filter((at) => at >= from && at < from + 60_000).length);
  }
  const firstTen = starts.filter((at) => at < reloadAt + 10_000).length;
  console.log(
    `${jobs} running jobs of one account, after a reload, over one hour: busiest minute ${worstMinute} ` +
      `status calls (ceiling ${settings.maxChecksPerMinute}), ${firstTen} in the first 10 s, ` +
      `${starts.length} in the hour (before: ${jobs} a minute, all ${jobs} at once on reload)`,
  );
}

async function main(): Promise<void> {
  console.log(`Node ${process.version}, ${os.cpus().length} cores`);
  await benchPollBudget();
  await benchCeiling(100);
  if (process.argv.includes('poll')) {
    return; // `npm run bench -- poll`: the poll budget only
  }
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

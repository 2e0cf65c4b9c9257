// Export Whole Report through the real job service and export runner against the simulator in
// its own process: how fast each next batch follows, and the total against the batches' fetches.
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { silentLogger, systemClock } from '../../src/core/ports';
import { SharedJsonFile } from '../../src/core/sharedJsonFile';
import { ExportRunner } from '../../src/exports/exportRunner';
import { EXPORTS_FILE_NAME, ExportStore } from '../../src/exports/exportStore';
import type { ExportRun } from '../../src/exports/model';
import { JobService } from '../../src/jobs/jobService';
import { JOBS_FILE_NAME, JobStore } from '../../src/jobs/jobStore';
import { StaticTokenProvider } from '../../src/zoho/auth';
import { BulkReadClient } from '../../src/zoho/client';
import { DEMO } from '../simulator';
import { MB, fmt, median, startServerProcess, withPeakRss } from './stats';

/**
 * Export Whole Report of the simulator's 1,000,000-record Order_History (five batches of 200,000),
 * each job taking one second on the simulator: how fast the next batch follows a completed one,
 * and how the total compares with the batches' download-and-extract time.
 */
export async function benchExport(): Promise<void> {
  const sim = await startServerProcess('simulator/cli.ts', [
    '--port',
    '0',
    '--job-seconds',
    '1',
    '--no-throttles',
  ]);
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

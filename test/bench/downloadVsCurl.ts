// Download + extract as the extension runs it (BulkReadClient + fetchResult, in this process)
// against `curl -o` + `unzip -p` on the same ZIP from the same static loopback server. Runs are
// interleaved in pairs (the order alternates) and the ratio is the median of the pairs' ratios,
// so load from other processes on a shared machine hits both sides alike. curl and unzip are
// started by a helper process (./curlRunner.ts): this one never forks between its runs.
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { getHeapStatistics } from 'node:v8';
import { countCsvRecords, fetchResult } from '../../src/results';
import { StaticTokenProvider } from '../../src/zoho/auth';
import { BulkReadClient } from '../../src/zoho/client';
import { DEMO } from '../simulator';
import {
  MB,
  fmt,
  median,
  ownCpuSeconds,
  sha256,
  startServerProcess,
  stopChild,
  timed,
  withPeakRss,
} from './stats';

/**
 * The used heap of the process our side runs in, as the extension host's: 42.4 MB in code-server
 * 4.100.3's extension host with this extension active (v8.getHeapStatistics() from a test run
 * there). It matters for the CPU time: V8 starts a full mark-compact once the external memory
 * allocated since the last one (here the inflater's 1 MiB output buffers, 55 MB per 200,000
 * records, freed young) nears the old generation's room, which grows with the heap. In a bare
 * 12 MB bench process that set off two or three full collections per download, in a heap of the
 * extension host's size one in twelve downloads (about 0.05 s of CPU per download).
 */
export const EXTENSION_HOST_HEAP_MB = 42;

/** Plain objects that bring this process's used heap to `mb` (kept alive by the caller). */
function heapOf(mb: number): unknown[] {
  const ballast: unknown[] = [];
  while (getHeapStatistics().used_heap_size < mb * MB) {
    for (let i = 0; i < 10_000; i++) {
      ballast.push({ i, text: `row ${i}`, pair: [i, i + 1] });
    }
  }
  return ballast;
}

const REF = { owner: DEMO.owner, app: DEMO.app, report: 'All_Orders' };
const JOB_ID = '1000000000000000001';

export interface DownloadFigures {
  label: string;
  csvMb: number;
  oursSeconds: number;
  curlSeconds?: number;
  ratio?: number;
  /** Median of the pairs' CPU-time ratios (Linux only): steadier than wall time on a busy machine. */
  cpuRatio?: number;
  peakGrowthMb: number;
  identical?: boolean;
  /** Records in our CSV, and how fast CsvRecordCounter reads them from a file (CPU MB/s). */
  records: number;
  countMbPerCpuSecond: number;
}

/** ./curlRunner.ts in its own Node process: `pair` runs curl + unzip there and resolves with its figures. */
function startCurlRunner(): {
  pair: (url: string, zip: string, csv: string) => Promise<{ seconds: number; cpu?: number }>;
  close: () => Promise<void>;
} {
  const child = spawn(process.execPath, ['-r', 'esbuild-register', path.join(__dirname, 'curlRunner.ts')], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const waiting: ((line: string) => void)[] = [];
  const lines = createInterface({ input: child.stdout });
  lines.on('line', (line) => waiting.shift()?.(line));
  // A runner that dies answers every question still open with an error, so the bench cannot hang.
  lines.on('close', () => waiting.splice(0).forEach((answer) => answer('{"error":"curlRunner.ts exited"}')));
  const next = (): Promise<string> => new Promise((resolve) => waiting.push(resolve));
  const ready = next();
  return {
    pair: async (url, zip, csv) => {
      if ((await ready) !== 'ready') {
        throw new Error('curlRunner.ts did not start');
      }
      const answer = next();
      child.stdin.write(`${JSON.stringify({ url, zip, csv })}\n`);
      const figures = JSON.parse(await answer) as { seconds: number; cpu?: number; error?: string };
      if (figures.error !== undefined) {
        throw new Error(`curl + unzip: ${figures.error}`);
      }
      return figures;
    },
    close: () => stopChild(child, () => child.stdin.end()),
  };
}

export async function benchDownloadVsCurl(
  label: string,
  zipPath: string,
  pairs: number,
  withCurl: boolean,
  expectedRecords: number,
  heapMb = EXTENSION_HOST_HEAP_MB,
): Promise<DownloadFigures> {
  const ballast = heapOf(heapMb);
  console.log(
    `  ${label}: ours runs in a ${fmt(getHeapStatistics().used_heap_size / MB)} MB heap ` +
      (heapMb > 0
        ? `(an extension host's, ${heapMb} MB: EXTENSION_HOST_HEAP_MB in test/bench/downloadVsCurl.ts)`
        : '(the bench process as it is)'),
  );
  const server = await startServerProcess('bench/staticServer.ts', [zipPath]);
  const work = await fs.mkdtemp(path.join(path.dirname(zipPath), 'run-'));
  const client = new BulkReadClient({
    target: { dataCentre: 'custom', customHost: server.url, family: 'B', owner: DEMO.owner },
    tokens: new StaticTokenProvider(DEMO.accessToken),
  });
  const ours = async (): Promise<{ seconds: number; cpu: number; peakGrowthMb: number; file: string }> => {
    const dir = path.join(work, 'ours');
    await fs.rm(dir, { recursive: true, force: true });
    const cpuBefore = ownCpuSeconds();
    const { value, seconds } = await timed(() =>
      withPeakRss(() =>
        // The record count is checked in the extraction pass, as in the extension.
        fetchResult(client, { accountId: 'bench', ref: REF, jobId: JOB_ID }, dir, { expectedRecords }),
      ),
    );
    const cpu = ownCpuSeconds() - cpuBefore;
    return { seconds, cpu, peakGrowthMb: value.peakGrowthMb, file: value.value.path };
  };
  const runner = withCurl ? startCurlRunner() : undefined;
  const curl = async (): Promise<{ seconds: number; cpu?: number; file: string }> => {
    const zip = path.join(work, 'curl.zip');
    const csv = path.join(work, 'curl.csv');
    await fs.rm(csv, { force: true });
    const { seconds, cpu } = await (runner as NonNullable<typeof runner>).pair(
      `${server.url}/result`,
      zip,
      csv,
    );
    await fs.rm(zip, { force: true });
    return { seconds, cpu, file: csv };
  };

  try {
    const oursTimes: number[] = [];
    const curlTimes: number[] = [];
    const ratios: number[] = [];
    const cpuRatios: number[] = [];
    let peakGrowthMb = 0;
    let identical: boolean | undefined;
    let csvMb = 0;
    let lastFile = '';
    // One run of ours first, not counted: whichever configuration runs first would otherwise pay
    // the loading and compiling of the code for the others.
    await ours();
    for (let pair = 0; pair < pairs; pair++) {
      let a: Awaited<ReturnType<typeof ours>>;
      let b: Awaited<ReturnType<typeof curl>> | undefined;
      if (withCurl && pair % 2 === 1) {
        b = await curl();
        a = await ours();
      } else {
        a = await ours();
        b = withCurl ? await curl() : undefined;
      }
      oursTimes.push(a.seconds);
      peakGrowthMb = Math.max(peakGrowthMb, a.peakGrowthMb);
      csvMb = (await fs.stat(a.file)).size / MB;
      lastFile = a.file;
      if (b) {
        curlTimes.push(b.seconds);
        ratios.push(a.seconds / b.seconds);
        if (b.cpu) {
          cpuRatios.push(a.cpu / b.cpu);
        }
        if (identical === undefined) {
          identical = (await sha256(a.file)) === (await sha256(b.file));
        }
      }
      const cpu = (seconds?: number): string => (seconds === undefined ? '' : ` (CPU ${fmt(seconds, 2)} s)`);
      console.log(
        `  ${label} pair ${pair + 1}/${pairs}: ours ${fmt(a.seconds, 2)} s${cpu(a.cpu)}` +
          (b
            ? `, curl+unzip ${fmt(b.seconds, 2)} s${cpu(b.cpu)}, ratio ${fmt(a.seconds / b.seconds, 2)}`
            : '') +
          `, peak RSS growth ${fmt(a.peakGrowthMb)} MB`,
      );
    }
    const cpuBefore = ownCpuSeconds();
    const records = await countCsvRecords(lastFile);
    const countMbPerCpuSecond = csvMb / (ownCpuSeconds() - cpuBefore);
    return {
      label,
      csvMb,
      records,
      countMbPerCpuSecond,
      oursSeconds: median(oursTimes),
      curlSeconds: withCurl ? median(curlTimes) : undefined,
      ratio: withCurl ? median(ratios) : undefined,
      cpuRatio: cpuRatios.length ? median(cpuRatios) : undefined,
      peakGrowthMb,
      identical,
    };
  } finally {
    ballast.length = 0;
    await runner?.close();
    await server.close();
    await fs.rm(work, { recursive: true, force: true });
  }
}

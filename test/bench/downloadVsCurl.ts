// Download + extract as the extension runs it (BulkReadClient + fetchResult, in this process)
// against `curl -o` + `unzip -p` on the same ZIP from the same static loopback server. Runs are
// interleaved in pairs (the order alternates) and the ratio is the median of the pairs' ratios,
// so load from other processes on a shared machine hits both sides alike.
import { closeSync, openSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { countCsvRecords, fetchResult } from '../../src/results';
import { StaticTokenProvider } from '../../src/zoho/auth';
import { BulkReadClient } from '../../src/zoho/client';
import { DEMO } from '../simulator';
import {
  MB,
  childrenCpuSeconds,
  fmt,
  median,
  ownCpuSeconds,
  run,
  sha256,
  startServerProcess,
  timed,
  withPeakRss,
} from './stats';

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

export async function benchDownloadVsCurl(
  label: string,
  zipPath: string,
  pairs: number,
  withCurl: boolean,
  expectedRecords: number,
): Promise<DownloadFigures> {
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
  const curl = async (): Promise<{ seconds: number; cpu?: number; file: string }> => {
    const zip = path.join(work, 'curl.zip');
    const csv = path.join(work, 'curl.csv');
    await fs.rm(csv, { force: true });
    const cpuBefore = childrenCpuSeconds();
    const { seconds } = await timed(async () => {
      await run('curl', ['-sS', '-f', '-o', zip, `${server.url}/result`]);
      const fd = openSync(csv, 'w');
      try {
        await run('unzip', ['-p', zip], fd);
      } finally {
        closeSync(fd);
      }
    });
    const cpuAfter = childrenCpuSeconds();
    await fs.rm(zip, { force: true });
    const cpu = cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore;
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
    await server.close();
    await fs.rm(work, { recursive: true, force: true });
  }
}

// Download + extract as the extension runs it (BulkReadClient + fetchResult, in this process)
// against `curl -o` + `unzip -p` on the same ZIP from the same static loopback server. Runs are
// interleaved in pairs (the order alternates) and the ratio is the median of the pairs' ratios,
// so load from other processes on a shared machine hits both sides alike.
import { closeSync, openSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { fetchResult } from '../../src/results';
import { StaticTokenProvider } from '../../src/zoho/auth';
import { BulkReadClient } from '../../src/zoho/client';
import { DEMO } from '../simulator';
import { MB, fmt, median, run, sha256, startServerProcess, timed, withPeakRss } from './stats';

const REF = { owner: DEMO.owner, app: DEMO.app, report: 'All_Orders' };
const JOB_ID = '1000000000000000001';

export interface DownloadFigures {
  label: string;
  csvMb: number;
  oursSeconds: number;
  curlSeconds?: number;
  ratio?: number;
  peakGrowthMb: number;
  identical?: boolean;
}

export async function benchDownloadVsCurl(
  label: string,
  zipPath: string,
  pairs: number,
  withCurl: boolean,
): Promise<DownloadFigures> {
  const server = await startServerProcess('bench/staticServer.ts', [zipPath]);
  const work = await fs.mkdtemp(path.join(path.dirname(zipPath), 'run-'));
  const client = new BulkReadClient({
    target: { dataCentre: 'custom', customHost: server.url, family: 'B', owner: DEMO.owner },
    tokens: new StaticTokenProvider(DEMO.accessToken),
  });
  const ours = async (): Promise<{ seconds: number; peakGrowthMb: number; file: string }> => {
    const dir = path.join(work, 'ours');
    await fs.rm(dir, { recursive: true, force: true });
    const { value, seconds } = await timed(() => withPeakRss(() => fetchResult(client, REF, JOB_ID, dir)));
    return { seconds, peakGrowthMb: value.peakGrowthMb, file: value.value.path };
  };
  const curl = async (): Promise<{ seconds: number; file: string }> => {
    const zip = path.join(work, 'curl.zip');
    const csv = path.join(work, 'curl.csv');
    await fs.rm(csv, { force: true });
    const { seconds } = await timed(async () => {
      await run('curl', ['-sS', '-f', '-o', zip, `${server.url}/result`]);
      const fd = openSync(csv, 'w');
      try {
        await run('unzip', ['-p', zip], fd);
      } finally {
        closeSync(fd);
      }
    });
    await fs.rm(zip, { force: true });
    return { seconds, file: csv };
  };

  try {
    const oursTimes: number[] = [];
    const curlTimes: number[] = [];
    const ratios: number[] = [];
    let peakGrowthMb = 0;
    let identical: boolean | undefined;
    let csvMb = 0;
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
      if (b) {
        curlTimes.push(b.seconds);
        ratios.push(a.seconds / b.seconds);
        if (identical === undefined) {
          identical = (await sha256(a.file)) === (await sha256(b.file));
        }
      }
      console.log(
        `  ${label} pair ${pair + 1}/${pairs}: ours ${fmt(a.seconds, 2)} s` +
          (b ? `, curl+unzip ${fmt(b.seconds, 2)} s, ratio ${fmt(a.seconds / b.seconds, 2)}` : '') +
          `, peak RSS growth ${fmt(a.peakGrowthMb)} MB`,
      );
    }
    return {
      label,
      csvMb,
      oursSeconds: median(oursTimes),
      curlSeconds: withCurl ? median(curlTimes) : undefined,
      ratio: withCurl ? median(ratios) : undefined,
      peakGrowthMb,
      identical,
    };
  } finally {
    await server.close();
    await fs.rm(work, { recursive: true, force: true });
  }
}

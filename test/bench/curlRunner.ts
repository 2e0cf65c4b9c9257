// Runs `curl -o` + `unzip -p` for the download benchmark (./downloadVsCurl.ts) in a process of its
// own, one pair per line read on stdin, answering one JSON line each. The measuring process then
// never forks between its runs: a fork write-protects every page of the forking process, and the
// next run there paid about 9,000 page faults (some 0.1 s of CPU on the development machine)
// that a download in the extension host does not pay.
//   {"url": "...", "zip": "...", "csv": "..."}  ->  {"seconds": 0.31, "cpu": 0.29}
import { closeSync, openSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { childrenCpuSeconds, run } from './stats';

async function curlAndUnzip(
  url: string,
  zip: string,
  csv: string,
): Promise<{ seconds: number; cpu?: number }> {
  const cpuBefore = childrenCpuSeconds();
  const started = process.hrtime.bigint();
  await run('curl', ['-sS', '-f', '-o', zip, url]);
  const fd = openSync(csv, 'w');
  try {
    await run('unzip', ['-p', zip], fd);
  } finally {
    closeSync(fd);
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpuAfter = childrenCpuSeconds();
  return {
    seconds,
    cpu: cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore,
  };
}

const lines = createInterface({ input: process.stdin });
let queue = Promise.resolve();
lines.on('line', (line) => {
  queue = queue.then(async () => {
    try {
      const { url, zip, csv } = JSON.parse(line) as { url: string; zip: string; csv: string };
      console.log(JSON.stringify(await curlAndUnzip(url, zip, csv)));
    } catch (error) {
      console.log(JSON.stringify({ error: String(error) }));
    }
  });
});
lines.on('close', () => void queue.then(() => process.exit(0)));
console.log('ready');

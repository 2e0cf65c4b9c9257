// The command-line tool's start, side by side with a bare `node -e 0` on the same machine (issue
// 19: the first output within 1.5x of it). Runs are interleaved so the machine's load hits both
// alike; the figure is the median time from spawn to the first byte of output (for `node -e 0`,
// to its exit: it prints nothing).
import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { build } from 'esbuild';
import { median } from './stats';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { cliBuilds, extensionBuilds } = require('../../esbuild.js') as {
  cliBuilds: (minified: boolean, outdir: string) => import('esbuild').BuildOptions[];
  extensionBuilds: (minified: boolean, outdir: string) => import('esbuild').BuildOptions[];
};

export const CLI_START_TARGET = 1.5;

export interface CliStartFigures {
  runs: number;
  bareMs: number;
  cases: Array<{ label: string; ms: number; ratio: number }>;
}

/** Milliseconds from spawn to the first output byte (or to the exit when there is none). */
function firstOutputMs(args: string[], cwd: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let done = false;
    const finish = (): void => {
      if (!done) {
        done = true;
        resolve(Number(process.hrtime.bigint() - started) / 1e6);
      }
    };
    child.stdout.once('data', finish);
    child.stderr.once('data', finish);
    child.on('exit', finish);
    child.on('error', reject);
  });
}

export async function benchCliStart(dir: string, runs: number): Promise<CliStartFigures> {
  const out = path.join(dir, 'cli');
  await Promise.all(
    [...cliBuilds(true, out), extensionBuilds(true, out)[1]].map((options) =>
      build({ ...options, logLevel: 'silent' }),
    ),
  );
  const project = path.join(dir, 'cli-project');
  await fs.mkdir(path.join(project, '.vscode'), { recursive: true });
  await fs.writeFile(
    path.join(project, '.vscode', 'zoho-exports.json'),
    JSON.stringify({ exports: [{ name: 'Orders', app: 'zylker-store', report: 'All_Orders' }] }),
  );
  const cli = path.join(out, 'cli.js');
  const cases = [
    { label: 'creator-bulk-jobs --version', args: [cli, '--version'] },
    { label: 'creator-bulk-jobs --help', args: [cli, '--help'] },
    { label: 'creator-bulk-jobs list (loads cli-run.js)', args: [cli, 'list'] },
  ];
  const bare: number[] = [];
  const times = cases.map(() => [] as number[]);
  await firstOutputMs(['-e', '0'], project); // warm the file cache
  for (let run = 0; run < runs; run++) {
    bare.push(await firstOutputMs(['-e', '0'], project));
    for (const [index, each] of cases.entries()) {
      times[index].push(await firstOutputMs(each.args, project));
    }
  }
  const bareMs = median(bare);
  return {
    runs,
    bareMs,
    cases: cases.map((each, index) => ({
      label: each.label,
      ms: median(times[index]),
      ratio: median(times[index]) / bareMs,
    })),
  };
}

// The production bundle's size, and a cold require(bundle) + activate() with an empty state,
// each in a fresh Node process against a stub `vscode` (activationProbe.js).
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import type { BuildOptions, BuildResult } from 'esbuild';
import { median } from './stats';

// esbuild.js is the build script itself (CommonJS): its production build is what ships.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { buildExtension } = require('../../esbuild.js') as {
  buildExtension(
    minified: boolean,
    outdir: string,
    entryPoint: string | undefined,
    extra: BuildOptions,
  ): Promise<{ start: BuildResult; later?: BuildResult; vendor: BuildResult }>;
};

export interface BundleFigures {
  path: string;
  /** dist/extension.js: what every window start loads. */
  bytes: number;
  /** later.js and the files under dist/vendor/, loaded on first use. */
  lazy: { name: string; bytes: number }[];
  /** Bytes in the start bundle per npm package (or "src"), largest first. */
  parts: [string, number][];
}

/** The JavaScript files a build wrote, with their sizes (no sourcemaps). */
function written(result: BuildResult | undefined, folder: string): { name: string; bytes: number }[] {
  return Object.entries(result?.metafile?.outputs ?? {})
    .filter(([file]) => file.endsWith('.js'))
    .map(([file, out]) => ({ name: `${folder}${path.basename(file)}`, bytes: out.bytes }));
}

export async function buildProductionBundle(dir: string): Promise<BundleFigures> {
  const { start, later, vendor } = await buildExtension(true, dir, undefined, {
    metafile: true,
    logLevel: 'silent',
  });
  const outfile = path.join(dir, 'extension.js');
  const outputs = start.metafile?.outputs ?? {};
  const output = outputs[path.relative(process.cwd(), outfile)] ?? Object.values(outputs)[0];
  const parts = new Map<string, number>();
  for (const [file, input] of Object.entries(output.inputs)) {
    const name = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)?.[1] ?? 'src';
    parts.set(name, (parts.get(name) ?? 0) + input.bytesInOutput);
  }
  return {
    path: outfile,
    bytes: output.bytes,
    lazy: [...written(later, ''), ...written(vendor, 'vendor/')],
    parts: [...parts].sort((a, b) => b[1] - a[1]),
  };
}

interface ProbeResult {
  requireMs: number;
  activateMs: number;
  totalMs: number;
  cpuMs: number;
  builtins: string[];
  fsCalls: string[];
  netCalls: string[];
}

export interface ActivationFigures {
  runs: number;
  requireMs: number;
  activateMs: number;
  totalMs: number;
  /** The fastest run: noise only ever adds. */
  minTotalMs: number;
  cpuMs: number;
  builtins: string[];
  fsCalls: string[];
  netCalls: string[];
  /** A bare `node -e 0` (spawn to exit), run just before each probe: the machine's yardstick. */
  bareMs: number;
  /** Median of each run's require + activate() over the bare start just before it. */
  ratio: number;
}

/**
 * require + activate() over a bare Node start, on the code before issue 21 (main 2caf0b4, its
 * production bundle), by this file: `npm run bench -- idle --baseline-bundle <that bundle>`.
 */
export const ACTIVATION_BASELINE = { ratio: 0.51, totalMs: 91.8, cpuMs: 63.6, bareMs: 158.2 };

/** The issue 21 target: require + activate() within this share of a bare `node -e 0`. */
export const ACTIVATION_TARGET = 0.25;

export async function benchActivation(bundlePath: string, runs: number): Promise<ActivationFigures> {
  const results: ProbeResult[] = [];
  const bare: number[] = [];
  const ratios: number[] = [];
  for (let i = 0; i < runs; i++) {
    // Side by side: whatever else loads the machine weighs on both.
    const started = performance.now();
    await promisify(execFile)(process.execPath, ['-e', '0']);
    bare.push(performance.now() - started);
    const { stdout } = await promisify(execFile)(process.execPath, [
      path.join(__dirname, 'activationProbe.js'),
      bundlePath,
    ]);
    const result = JSON.parse(stdout) as ProbeResult;
    results.push(result);
    ratios.push(result.totalMs / bare[bare.length - 1]);
  }
  const union = (pick: (r: ProbeResult) => string[]): string[] => [...new Set(results.flatMap(pick))].sort();
  return {
    runs,
    requireMs: median(results.map((r) => r.requireMs)),
    activateMs: median(results.map((r) => r.activateMs)),
    totalMs: median(results.map((r) => r.totalMs)),
    minTotalMs: Math.min(...results.map((r) => r.totalMs)),
    cpuMs: median(results.map((r) => r.cpuMs)),
    builtins: union((r) => r.builtins),
    fsCalls: union((r) => r.fsCalls),
    netCalls: union((r) => r.netCalls),
    bareMs: median(bare),
    ratio: median(ratios),
  };
}

// Small helpers shared by the benchmarks: medians, timing, peak memory, child processes.
import { spawn, type ChildProcess } from 'node:child_process';
import { createReadStream, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import * as path from 'node:path';

export const MB = 1024 * 1024;

export function fmt(n: number, digits = 1): string {
  return n.toFixed(digits);
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export async function timed<T>(work: () => Promise<T>): Promise<{ value: T; seconds: number }> {
  const started = process.hrtime.bigint();
  const value = await work();
  return { value, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

/** CPU seconds (user + system, every thread) of this process so far. */
export function ownCpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}

/**
 * CPU seconds of this process's finished children (curl, unzip), from /proc on Linux; undefined
 * elsewhere. CPU time hardly moves when other processes compete for the cores, wall time does.
 */
export function childrenCpuSeconds(): number | undefined {
  try {
    // Fields after the command name: cutime and cstime are the 14th and 15th, in 1/100 s.
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
    return (Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return undefined;
  }
}

/** Samples RSS every 20 ms while `work` runs; returns the peak growth over the start. */
export async function withPeakRss<T>(work: () => Promise<T>): Promise<{ value: T; peakGrowthMb: number }> {
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

export async function sha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: MB })) {
    hash.update(chunk as Buffer);
  }
  return hash.digest('hex');
}

/** A TypeScript file of test/ in its own Node process; resolves once it prints "listening on <url>". */
export async function startServerProcess(
  script: string,
  args: string[],
): Promise<{ url: string; close: () => Promise<void> }> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['-r', 'esbuild-register', path.join(__dirname, '..', script), ...args],
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
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
  return {
    url,
    close: () => stopChild(child, () => child.kill('SIGTERM')),
  };
}

/** Asks a child process to stop (`stop`) unless it has already exited; resolves once it has. */
export function stopChild(child: ChildProcess, stop: () => void): Promise<void> {
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null) {
      resolve();
      return;
    }
    child.once('exit', () => resolve());
    stop();
  });
}

/** Runs a command to completion; stdout goes to `stdoutFd` when given. Rejects on a non-zero exit. */
export function run(command: string, args: string[], stdoutFd?: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', stdoutFd ?? 'ignore', 'inherit'] });
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} exited with ${code}`)),
    );
  });
}

/** True when `command` can be started and `command ...versionArgs` exits 0. */
export async function available(command: string, versionArgs: string[]): Promise<boolean> {
  try {
    await run(command, versionArgs);
    return true;
  } catch {
    return false;
  }
}

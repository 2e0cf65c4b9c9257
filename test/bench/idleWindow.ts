// What a started window costs while nobody uses it: CPU time, file system calls, watchers and
// armed timers of the production bundle on the stub host (activationProbe.js), once activate()
// has settled. Two windows: unused (no account, job or export) and one with 1,000 finished jobs
// and nothing running; over 10 simulated seconds (fake timers, real I/O) and 60 real seconds.
// BASELINE: this file and activationProbe.js run on the code before issue 21 (main 2caf0b4,
// bundle built from a worktree of it); `npm run bench -- idle --baseline-bundle <bundle>`
// measures a bundle live instead.
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { systemClock } from '../../src/core/ports';
import { SharedJsonFile } from '../../src/core/sharedJsonFile';
import { jobKey, RESULT_RETENTION_MS, type TrackedJob } from '../../src/jobs/model';
import { JOBS_FILE_NAME, JobStore } from '../../src/jobs/jobStore';
import { fmt } from './stats';

export interface IdleFigures {
  cpuMs: number;
  fsCalls: number;
  /** File system watchers open at the end. */
  watchers: number;
  /** Timers armed at the end (simulated runs only). */
  timers?: number;
}

export type IdleCase = 'unused' | 'finished';
export type IdleRun = 'simulated' | 'real';
export type IdleTable = Record<IdleCase, Partial<Record<IdleRun, IdleFigures>>>;

/** Measured on main 2caf0b4 (before issue 21) by this file; see the top. */
export const BASELINE: IdleTable = {
  unused: {
    simulated: { cpuMs: 16.1, fsCalls: 74, watchers: 4, timers: 2 },
    real: { cpuMs: 225.8, fsCalls: 483, watchers: 4 },
  },
  finished: {
    simulated: { cpuMs: 71.6, fsCalls: 1083, watchers: 4, timers: 2 },
    real: { cpuMs: 302.3, fsCalls: 1483, watchers: 4 },
  },
};

export const SIMULATED_SECONDS = 10;
export const REAL_SECONDS = 60;
const FINISHED_JOBS = 1000;

/** A global storage folder with `count` completed jobs whose results expired (nothing to do). */
export async function seedFinishedJobs(dir: string, count = FINISHED_JOBS): Promise<string> {
  const seed = path.join(dir, 'idle-seed');
  await fs.rm(seed, { recursive: true, force: true });
  const store = new JobStore(new SharedJsonFile(path.join(seed, JOBS_FILE_NAME), systemClock));
  const ref = { owner: 'acme', app: 'crm', report: 'All_Leads' };
  const long = Date.now() - 2 * RESULT_RETENTION_MS;
  const jobs = Array.from({ length: count }, (_, i): TrackedJob => {
    const jobId = String(1_000_000 + i);
    return {
      key: jobKey('acct-1', ref, jobId),
      accountId: 'acct-1',
      ref,
      jobId,
      state: 'completed',
      batch: 1,
      trackedAt: long,
      changedAt: long,
      download: 'none',
    };
  });
  await Promise.all(jobs.map((job) => store.add(job)));
  await store.dispose();
  return seed;
}

async function probe(bundle: string, args: string[]): Promise<IdleFigures> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [path.join(__dirname, 'activationProbe.js'), bundle, ...args],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  const idle = (JSON.parse(stdout) as { idle: IdleFigures }).idle;
  return { cpuMs: idle.cpuMs, fsCalls: idle.fsCalls, watchers: idle.watchers, timers: idle.timers };
}

/** Every case of one bundle; the real-time runs of both windows at once (they are mostly asleep). */
export async function measureIdle(bundle: string, seed: string, realSeconds: number): Promise<IdleTable> {
  const seedArgs = (kind: IdleCase): string[] => (kind === 'finished' ? ['--seed', seed] : []);
  const table: IdleTable = { unused: {}, finished: {} };
  for (const kind of ['unused', 'finished'] as const) {
    table[kind].simulated = await probe(bundle, [
      ...seedArgs(kind),
      '--idle-simulated',
      String(SIMULATED_SECONDS),
    ]);
  }
  if (realSeconds > 0) {
    const [unused, finished] = await Promise.all(
      (['unused', 'finished'] as const).map((kind) =>
        probe(bundle, [...seedArgs(kind), '--idle-real', String(realSeconds)]),
      ),
    );
    table.unused.real = unused;
    table.finished.real = finished;
  }
  return table;
}

function describe(figures: IdleFigures | undefined): string {
  if (!figures) {
    return 'not measured';
  }
  const timers = figures.timers === undefined ? '' : `, ${figures.timers} timers armed`;
  return `${fmt(figures.cpuMs)} ms CPU, ${figures.fsCalls} fs calls, ${figures.watchers} watchers${timers}`;
}

export function printIdle(
  after: IdleTable,
  before: IdleTable,
  beforeLabel: string,
  realSeconds: number,
): void {
  console.log(
    `idle window (stub host, production bundle, after activate() settled; before = ${beforeLabel}):`,
  );
  const names: Record<IdleCase, string> = {
    unused: 'unused (no account, job or export)',
    finished: `${FINISHED_JOBS.toLocaleString('en-US')} finished jobs, nothing running`,
  };
  for (const kind of ['unused', 'finished'] as const) {
    for (const run of ['simulated', 'real'] as const) {
      if (!after[kind][run]) {
        continue;
      }
      const span =
        run === 'simulated'
          ? `${SIMULATED_SECONDS} simulated s`
          : `${realSeconds} real s${realSeconds === REAL_SECONDS ? '' : ` (before: ${REAL_SECONDS} s)`}`;
      console.log(
        `  ${names[kind]}, ${span}: before ${describe(before[kind][run])}; now ${describe(after[kind][run])}`,
      );
    }
  }
}

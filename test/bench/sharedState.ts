// The write economy of the shared job store: bytes written and read per poll of one job while
// 1,000 jobs are tracked, and the writes a minute with 100 of them running. Uses only the public
// JobStore API, so the same file measured the code before the change (BASELINE below).
// `npm run bench -- shared` prints this only.
import type * as fs from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { systemClock } from '../../src/core/ports';
import { SharedJsonFile } from '../../src/core/sharedJsonFile';
import { toPollSettings } from '../../src/host/pollSettings';
import { JOBS_FILE_NAME, JobStore } from '../../src/jobs/jobStore';
import type { TrackedJob } from '../../src/jobs/model';
import { PollScheduler } from '../../src/jobs/pollScheduler';
import { FakeClock } from '../unit/helpers/fakeClock';
import { fmt, median } from './stats';

export interface SharedStateFigures {
  /** Bytes the polling window writes (and reads under the lock) to store one poll's change. */
  writtenPerPoll: number;
  readByWriterPerPoll: number;
  /** Bytes another window reads to take the change in (its sync()). */
  readByOtherPerPoll: number;
  /** Median ms of the write, and of the other window's sync. */
  writeMs: number;
  syncMs: number;
  /** Median ms for a new window to open the store (read every job). */
  openMs: number;
}

/**
 * Measured by this file on the code before the shared collection (commit d650fba, one jobs.json
 * of every job), `node -r esbuild-register test/bench/sharedState.ts` in a worktree of it, on the
 * same machine (load average 12 on 2 cores: the times are noisy, the bytes exact).
 */
export const BASELINE: SharedStateFigures = {
  writtenPerPoll: 590_758,
  readByWriterPerPoll: 590_758,
  readByOtherPerPoll: 590_722,
  writeMs: 25.2,
  syncMs: 14.1,
  openMs: 12.8,
};

const TRACKED = 1000;
const RUNNING = 100;
const POLLS = 50;

/** A job as tracked after a few polls: the size it has in the store (about 550 bytes). */
function trackedJob(i: number): TrackedJob {
  const jobId = String(2_000_000_000_000 + i);
  const ref = { owner: 'zylker-owner', app: 'zylker-store', report: 'All_Orders_Report' };
  return {
    key: ['3000000012345', ref.owner, ref.app, ref.report, jobId].join('|'),
    accountId: '3000000012345',
    ref,
    jobId,
    state: i < RUNNING ? 'running' : 'completed',
    details: {
      id: jobId,
      operation: 'read',
      created_by: 'someone@zylker.example',
      created_time: '05-Dec-2026 10:11:12',
      status: i < RUNNING ? 'In-progress' : 'Completed',
      state: i < RUNNING ? 'running' : 'completed',
    },
    query: { fields: ['ID', 'Order_No', 'Customer', 'Total'], max_records: 200000 } as never,
    batch: 1,
    trackedAt: 1_764_900_000_000 + i,
    changedAt: 1_764_900_000_000 + i,
    lastPolledAt: 1_764_900_000_000 + i,
    download: i < RUNNING ? 'none' : 'ready',
  };
}

/** Counts the bytes this process writes and reads through node:fs while `work` runs. */
async function counted(
  work: () => Promise<void> | void,
): Promise<{ written: number; read: number; ms: number }> {
  // The module object itself (an `import * as` namespace is a copy whose properties cannot be replaced).
  const real = (process as unknown as { getBuiltinModule(id: string): typeof fs }).getBuiltinModule(
    'node:fs',
  );
  const promises = real.promises as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  const sync = real as unknown as Record<string, (...args: unknown[]) => unknown>;
  const saved = {
    writeFile: promises.writeFile,
    readFile: promises.readFile,
    readFileSync: sync.readFileSync,
  };
  let written = 0;
  let read = 0;
  const size = (value: unknown): number =>
    typeof value === 'string' ? Buffer.byteLength(value) : value instanceof Uint8Array ? value.byteLength : 0;
  promises.writeFile = async (...args) => {
    written += size(args[1]);
    return saved.writeFile.apply(real.promises, args);
  };
  promises.readFile = async (...args) => {
    const value = await saved.readFile.apply(real.promises, args);
    read += size(value);
    return value;
  };
  sync.readFileSync = (...args) => {
    const value = saved.readFileSync.apply(real, args);
    read += size(value);
    return value;
  };
  const start = process.hrtime.bigint();
  try {
    await work();
  } finally {
    Object.assign(promises, { writeFile: saved.writeFile, readFile: saved.readFile });
    sync.readFileSync = saved.readFileSync;
  }
  return { written, read, ms: Number(process.hrtime.bigint() - start) / 1e6 };
}

export async function measureSharedState(): Promise<SharedStateFigures> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cbj-bench-shared-'));
  const open = (): JobStore => new JobStore(new SharedJsonFile(path.join(dir, JOBS_FILE_NAME), systemClock));
  try {
    const poller = open();
    const jobs = Array.from({ length: TRACKED }, (_, i) => trackedJob(i));
    await Promise.all(jobs.map((job) => poller.add(job)));
    await poller.flushed();
    const opens: number[] = [];
    for (let i = 0; i < 5; i++) {
      const start = process.hrtime.bigint();
      const opened = open();
      opens.push(Number(process.hrtime.bigint() - start) / 1e6);
      await opened.flushed();
      opened.dispose();
    }
    const other = open();
    const writes: Array<{ written: number; read: number; ms: number }> = [];
    const syncs: Array<{ written: number; read: number; ms: number }> = [];
    for (let poll = 0; poll < POLLS; poll++) {
      const job = jobs[poll % RUNNING];
      // What a poll of a running job stores: when it was polled (and the status as Zoho said it).
      writes.push(
        await counted(() =>
          poller.update(job.key, { lastPolledAt: 1_764_901_000_000 + poll }).then(() => undefined),
        ),
      );
      syncs.push(await counted(() => other.sync()));
    }
    poller.dispose();
    other.dispose();
    const mean = (values: number[]): number => values.reduce((sum, value) => sum + value, 0) / values.length;
    return {
      writtenPerPoll: mean(writes.map((each) => each.written)),
      readByWriterPerPoll: mean(writes.map((each) => each.read)),
      readByOtherPerPoll: mean(syncs.map((each) => each.read)),
      writeMs: median(writes.map((each) => each.ms)),
      syncMs: median(syncs.map((each) => each.ms)),
      openMs: median(opens.slice(1)), // the first open reads every file and leaves the snapshot
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Status polls a minute (each one a store write) of RUNNING running jobs over 10 accounts, default settings. */
async function pollsPerMinute(): Promise<number> {
  const clock = new FakeClock(0);
  let polls = 0;
  const scheduler = new PollScheduler({
    clock,
    settings: toPollSettings({}),
    poll: async () => {
      polls++;
      return 'unchanged';
    },
  });
  for (let i = 0; i < RUNNING; i++) {
    scheduler.add(`job-${i}`, `account-${i % 10}`, { startedAt: 0, lastCheckedAt: 0 });
  }
  clock.tick(0);
  for (let t = 0; t < 10 * 60; t++) {
    await clock.tickAsync(1000);
  }
  scheduler.dispose();
  return polls / 10;
}

function line(label: string, figures: SharedStateFigures, perMinute: number): string {
  const kb = (bytes: number): string => `${fmt(bytes / 1000, 1)} kB`;
  return (
    `  ${label}: per poll written ${kb(figures.writtenPerPoll)} (+ ${kb(figures.readByWriterPerPoll)} read under the lock), ` +
    `read by each other window ${kb(figures.readByOtherPerPoll)}; write ${fmt(figures.writeMs, 2)} ms, ` +
    `other window's sync ${fmt(figures.syncMs, 2)} ms, opening the store ${fmt(figures.openMs, 1)} ms; with ${RUNNING} running: ${fmt(perMinute, 0)} writes ` +
    `= ${fmt((perMinute * figures.writtenPerPoll) / 1e6, 2)} MB written a minute`
  );
}

export async function benchSharedState(): Promise<void> {
  const figures = await measureSharedState();
  const perMinute = await pollsPerMinute();
  console.log(
    `\nshared job store, ${TRACKED} tracked jobs, one poll of a running job (${POLLS} polls, real files):`,
  );
  console.log(line('before (one jobs.json, BASELINE in test/bench/sharedState.ts)', BASELINE, perMinute));
  console.log(line('now (one file per job)', figures, perMinute));
}

if (require.main === module) {
  void measureSharedState().then((figures) => console.log(JSON.stringify(figures)));
}

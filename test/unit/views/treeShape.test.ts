// The jobs tree built from random interleavings of job-store and export-store changes, as one
// window sees them while exports run beside plain jobs of the same report (the two stores are
// separate shared files, so either may be seen first). After every change: every row id is
// unique, and every tracked job is under exactly one parent, the one its stored exportId names.
// (Before exportId, a first batch appeared under its report and was then claimed by its export:
// "Element with id … is already registered", and the tree went blank.)
import * as assert from 'assert';
import type { ExportRun } from '../../../src/exports/model';
import { jobKey, type TrackedJob } from '../../../src/jobs/model';
import { distinctLabels, layoutTree, type Row, type TreeLayout } from '../../../src/views/treeShape';

const NOW = Date.UTC(2026, 11, 6, 12, 0, 0);
const ORDERS = { owner: 'demo', app: 'zylker-store', report: 'All_Orders' };
const CUSTOMERS = { owner: 'demo', app: 'zylker-store', report: 'All_Customers' };

/** mulberry32: a small seeded generator, so a failing interleaving can be replayed by its seed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface World {
  jobs: Map<string, TrackedJob>;
  exports: Map<string, ExportRun>;
}

type Op = { store: 'jobs' | 'exports'; describe: string; apply: (world: World) => void };

let nextJobId = 1000;

function newJob(accountId: string, ref: typeof ORDERS, extra: Partial<TrackedJob> = {}): TrackedJob {
  const jobId = String(nextJobId++);
  return {
    key: jobKey(accountId, ref, jobId),
    accountId,
    ref,
    jobId,
    state: 'running',
    batch: 1,
    trackedAt: NOW - 60_000 + nextJobId,
    changedAt: NOW,
    download: 'none',
    ...extra,
  };
}

/**
 * What one export does, in the order its window writes it: its first batch job (stored with its
 * exportId, or without one as versions before it did), the run, each next batch and its listing,
 * completion, and maybe removal (the run, then its batches).
 */
function exportScript(
  id: string,
  accountId: string,
  batches: number,
  legacy: boolean,
  removeAtEnd: boolean,
): Op[] {
  const ops: Op[] = [];
  const keys: string[] = [];
  for (let n = 1; n <= batches; n++) {
    const job = newJob(accountId, ORDERS, { batch: n, ...(legacy ? {} : { exportId: id }) });
    keys.push(job.key);
    const listed = [...keys];
    ops.push({ store: 'jobs', describe: `add batch ${n} of ${id}`, apply: (w) => w.jobs.set(job.key, job) });
    ops.push({
      store: 'exports',
      describe: n === 1 ? `add export ${id}` : `list batch ${n} in ${id}`,
      apply: (w) => {
        const run: ExportRun = w.exports.get(id) ?? {
          id,
          accountId,
          ref: ORDERS,
          query: {},
          destination: `/ws/exports/All_Orders_${id}.csv`,
          state: 'running',
          batches: [],
          bytesWritten: 0,
          records: 0,
          startedAt: NOW - 50_000 + Number(id.replace(/\D/g, '')),
        };
        w.exports.set(id, { ...run, batches: listed.map((key) => ({ key, jobId: key, appended: false })) });
      },
    });
  }
  ops.push({
    store: 'exports',
    describe: `complete ${id}`,
    apply: (w) => {
      const run = w.exports.get(id);
      if (run) {
        w.exports.set(id, { ...run, state: 'completed' });
      }
    },
  });
  if (removeAtEnd) {
    ops.push({ store: 'exports', describe: `remove ${id}`, apply: (w) => w.exports.delete(id) });
    for (const key of keys) {
      ops.push({ store: 'jobs', describe: `stop tracking ${key}`, apply: (w) => w.jobs.delete(key) });
    }
  }
  return ops;
}

function plainJobScript(accountId: string, ref: typeof ORDERS, remove: boolean): Op[] {
  const job = newJob(accountId, ref);
  const ops: Op[] = [
    { store: 'jobs', describe: `add job ${job.jobId}`, apply: (w) => w.jobs.set(job.key, job) },
  ];
  if (remove) {
    ops.push({ store: 'jobs', describe: `stop tracking ${job.jobId}`, apply: (w) => w.jobs.delete(job.key) });
  }
  return ops;
}

/**
 * One random order of all the scripts' operations. Each store's changes keep the order they were
 * written in, but the other window may see the two stores' files in either order (a run before its
 * first batch, or the batch before its run).
 */
function interleave(scripts: Op[][], rnd: () => number): Op[] {
  const streams = { jobs: [] as Op[], exports: [] as Op[] };
  // The order the writers wrote in: pick a random script to take a step each time.
  const cursors = scripts.map(() => 0);
  for (;;) {
    const open = scripts.map((_, i) => i).filter((i) => cursors[i] < scripts[i].length);
    if (open.length === 0) {
      break;
    }
    const i = open[Math.floor(rnd() * open.length)];
    const op = scripts[i][cursors[i]++];
    streams[op.store].push(op);
  }
  // The order this window sees them in: a random merge of the two stores' streams.
  const seen: Op[] = [];
  while (streams.jobs.length > 0 || streams.exports.length > 0) {
    const fromJobs = streams.exports.length === 0 || (streams.jobs.length > 0 && rnd() < 0.5);
    seen.push((fromJobs ? streams.jobs : streams.exports).shift() as Op);
  }
  return seen;
}

function layout(world: World, accounts: string[]): TreeLayout {
  return layoutTree({
    accountOrder: accounts,
    jobs: [...world.jobs.values()],
    exports: [...world.exports.values()],
    now: NOW,
  });
}

function assertSound(tree: TreeLayout, world: World, where: string): void {
  const ids = tree.order.map((row) => row.id);
  assert.strictEqual(new Set(ids).size, ids.length, `${where}: duplicate row ids ${ids.join(', ')}`);
  const jobRows = tree.order.filter((row): row is Row & { kind: 'job' } => row.kind === 'job');
  for (const job of world.jobs.values()) {
    const rows = jobRows.filter((row) => row.key === job.key);
    assert.strictEqual(rows.length, 1, `${where}: job ${job.jobId} has ${rows.length} rows`);
    const parent = tree.parents.get(rows[0].id);
    const owner =
      job.exportId ??
      [...world.exports.values()].find((run) => run.batches.some((b) => b.key === job.key))?.id;
    if (owner !== undefined && world.exports.has(owner)) {
      assert.strictEqual(parent, `export:${owner}`, `${where}: batch ${job.jobId} is under its export`);
    } else {
      assert.ok(!parent?.startsWith('export:'), `${where}: job ${job.jobId} is under no export`);
    }
  }
  assert.strictEqual(jobRows.length, world.jobs.size, `${where}: no row of an untracked job`);
  // Siblings never look alike.
  for (const children of tree.children.values()) {
    const labels = children.filter((row) => 'label' in row).map((row) => ('label' in row ? row.label : ''));
    assert.strictEqual(
      new Set(labels).size,
      labels.length,
      `${where}: siblings labelled alike: ${labels.join(', ')}`,
    );
  }
}

describe('jobs tree layout', () => {
  it('keeps ids unique and every job under exactly one parent through random interleavings of store changes', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const rnd = random(seed);
      const accounts = rnd() < 0.3 ? ['acc1', 'acc2'] : ['acc1'];
      const scripts: Op[][] = [
        // The guide's reproduction: a job of All_Orders, then Export Whole Report of All_Orders.
        plainJobScript('acc1', ORDERS, rnd() < 0.3),
        exportScript(`e${seed}a`, 'acc1', 1 + Math.floor(rnd() * 3), rnd() < 0.2, rnd() < 0.4),
        exportScript(
          `e${seed}b`,
          accounts[accounts.length - 1],
          1 + Math.floor(rnd() * 3),
          false,
          rnd() < 0.4,
        ),
        plainJobScript('acc1', ORDERS, false),
        plainJobScript(accounts[accounts.length - 1], CUSTOMERS, rnd() < 0.5),
      ];
      const world: World = { jobs: new Map(), exports: new Map() };
      const steps: string[] = [];
      for (const op of interleave(scripts, rnd)) {
        op.apply(world);
        steps.push(op.describe);
        assertSound(layout(world, accounts), world, `seed ${seed} after ${steps.join(' > ')}`);
      }
    }
  });

  it('shows the first batch of an export only under the export, even before the run is known here', () => {
    const exportId = 'run-1';
    const plain = newJob('acc1', ORDERS, { state: 'completed' });
    const batch = newJob('acc1', ORDERS, { exportId });
    const world: World = {
      jobs: new Map([
        [plain.key, plain],
        [batch.key, batch],
      ]),
      exports: new Map(),
    };
    // The job store was seen first: the batch waits under its report, with an id of that place.
    let tree = layout(world, ['acc1']);
    assertSound(tree, world, 'before the run');
    const before = tree.jobRows.get(batch.key)?.id;
    world.exports.set(exportId, {
      id: exportId,
      accountId: 'acc1',
      ref: ORDERS,
      query: {},
      destination: '/ws/exports/All_Orders.csv',
      state: 'running',
      batches: [{ key: batch.key, jobId: batch.jobId, appended: false }],
      bytesWritten: 0,
      records: 0,
      startedAt: NOW,
    });
    tree = layout(world, ['acc1']);
    assertSound(tree, world, 'after the run');
    assert.strictEqual(tree.parents.get(tree.jobRows.get(batch.key)?.id ?? ''), `export:${exportId}`);
    assert.notStrictEqual(tree.jobRows.get(batch.key)?.id, before, 'a moved row is a new row');
    const rootIds = (tree.children.get('') ?? []).map((row) => row.id);
    assert.deepStrictEqual(rootIds, [`export:${exportId}`, `job:${plain.key}`]);
  });

  it('tells alike rows apart: two first batches by start time, two exports of a report by file, then start', () => {
    assert.deepStrictEqual(
      distinctLabels([
        { base: 'Batch 1', extras: ['14:05', '14:05:01', 'job 1'] },
        { base: 'Batch 1', extras: ['14:07', '14:07:00', 'job 2'] },
        { base: 'Batch 2', extras: ['14:07', '14:07:00', 'job 3'] },
      ]),
      ['Batch 1 · 14:05', 'Batch 1 · 14:07', 'Batch 2'],
    );
    assert.deepStrictEqual(
      distinctLabels([
        { base: 'Export X', extras: ['X.csv', '14:05', 'a'] },
        { base: 'Export X', extras: ['Y.csv', '14:05', 'b'] },
      ]),
      ['Export X · X.csv', 'Export X · Y.csv'],
    );
    assert.deepStrictEqual(
      distinctLabels([
        { base: 'Export X', extras: ['X.csv', '14:05', 'a'] },
        { base: 'Export X', extras: ['X.csv', '14:06', 'b'] },
        { base: 'Export X', extras: ['Y.csv', '14:07', 'c'] },
      ]),
      ['Export X · 14:05', 'Export X · 14:06', 'Export X · 14:07'],
    );
  });
});

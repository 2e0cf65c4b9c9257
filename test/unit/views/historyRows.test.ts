// The run history in the jobs tree: what a run's row says (`+120 ~35 −2 · 3 min ago`, or the
// records of a full run), its details on hover, and where rows go: each saved export once, its
// runs beneath it newest first, every row id unique and every run under exactly one parent, also
// when two definitions hold runs of the same id and an export with the same id is listed.
import * as assert from 'assert';
import type { ExportRun } from '../../../src/exports/model';
import { recordRunMerge, type RunRecord } from '../../../src/exports/runHistory';
import {
  definitionsFolder,
  runDescription,
  runDetails,
  runLabel,
  runRowText,
} from '../../../src/views/historyText';
import { layoutTree, ROOT } from '../../../src/views/treeShape';

const NOW = Date.UTC(2026, 11, 6, 12, 0, 0);
const MIN = 60_000;

function run(overrides: Partial<RunRecord> = {}): RunRecord {
  return {
    id: 'run-1',
    definition: 'Nightly orders',
    accountId: 'acc-1',
    report: 'zylker-store / All_Orders',
    state: 'completed',
    mode: 'full',
    startedAt: NOW - 10 * MIN,
    finishedAt: NOW - 3 * MIN,
    durationMs: 7 * MIN,
    records: 250_000,
    bytes: 52_428_800,
    statusCalls: 14,
    creates: 3,
    file: '/data/All_Orders.csv',
    sha256: 'ab'.repeat(32),
    ...overrides,
  };
}

describe('Run history rows', () => {
  it('says what an incremental run changed and how long ago; a full run its records', () => {
    const incremental = run({ mode: 'incremental', added: 120, changed: 35, removed: 2, records: 157 });
    assert.equal(runRowText(incremental, NOW), '+120 ~35 −2 · 3 min ago');
    assert.equal(runRowText(run(), NOW), '250,000 records · 3 min ago');
    assert.equal(runLabel(run({ added: 1_200 })), '+1,200 ~0 −0');
    assert.equal(
      runDescription(run({ state: 'failed', finishedAt: NOW - 10_000 }), NOW),
      'failed · just now',
    );
  });

  it("an incremental run's hover tells the records it read apart from its snapshot's", () => {
    const lines = runDetails(
      run({
        mode: 'incremental',
        records: 15,
        bytes: 1341,
        snapshotRecords: 305,
        added: 4,
        changed: 11,
        removed: 0,
      }),
      NOW,
    );
    assert.ok(
      lines.includes('Records read: 15 (1,341 bytes); the snapshot then: 305 records'),
      lines.join('\n'),
    );
    assert.ok(!lines.some((line) => line.startsWith('Size:')), 'no size beside the snapshot file');
  });

  it('names the workspace folder of a definitions file, as a path or a URI', () => {
    assert.strictEqual(definitionsFolder('/work/backend/.vscode/zoho-exports.json'), 'backend');
    assert.strictEqual(definitionsFolder('C:\\work\\my app\\.vscode\\zoho-exports.json'), 'my app');
    assert.strictEqual(definitionsFolder('file:///work/my%20app/.vscode/zoho-exports.json'), 'my app');
    assert.strictEqual(
      definitionsFolder('vscode-remote://ssh-remote%2Bbox/srv/billing/.vscode/zoho-exports.json'),
      'billing',
    );
    assert.strictEqual(definitionsFolder(undefined), undefined);
  });

  it('tells on hover everything the history holds', () => {
    const lines = runDetails(
      run({
        mode: 'incremental',
        added: 120,
        changed: 35,
        removed: 2,
        criteria: 'Modified_Time > "05-Dec-2026 11:55:00"',
      }),
      NOW,
    );
    const text = lines.join('\n');
    assert.match(text, /^Run of Nightly orders \(zylker-store \/ All_Orders\)$/m);
    assert.match(text, /took 7 min/);
    assert.match(text, /^Mode: incremental$/m);
    assert.match(text, /^Changes: 120 added, 35 changed, 2 removed$/m);
    assert.match(text, /^Criteria sent: Modified_Time > "05-Dec-2026 11:55:00"$/m);
    assert.match(text, /^Spent: 3 jobs created, 14 status calls$/m);
    assert.match(text, /^Size: 50\.0 MB$/m);
    assert.match(text, /^File: \/data\/All_Orders\.csv$/m);
    assert.match(text, /^SHA-256: (ab){32}$/m);
    assert.match(runDetails(run(), NOW).join('\n'), /^Criteria sent: \(none: every record\)$/m);
  });

  it('lists each saved export once with its runs newest first; row ids are unique and each run has one parent', () => {
    // Recorded out of order, as two windows may: the history keeps them newest first.
    let nightly = recordRunMerge(run({ id: 'b', startedAt: NOW - 5 * MIN }))(undefined);
    nightly = recordRunMerge(run({ id: 'a', startedAt: NOW - 60 * MIN }))(nightly);
    nightly = recordRunMerge(run({ id: 'c', startedAt: NOW - 1 * MIN, added: 1, changed: 2, removed: 3 }))(
      nightly,
    );
    const weekly = recordRunMerge(run({ id: 'b', definition: 'Weekly customers' }))(undefined);
    assert.ok(nightly && weekly);
    const listed: ExportRun = {
      id: 'b',
      accountId: 'acc-1',
      ref: { owner: 'demo', app: 'zylker-store', report: 'All_Orders' },
      query: {},
      destination: '/data/All_Orders.csv',
      state: 'completed',
      batches: [],
      bytesWritten: 0,
      records: 0,
      startedAt: NOW - 5 * MIN,
      definition: 'Nightly orders',
    };
    const layout = layoutTree({
      accountOrder: ['acc-1'],
      jobs: [],
      exports: [listed],
      now: NOW,
      history: [nightly, weekly, { definition: 'Never run', runs: [] }],
      runLabel,
    });

    const root = layout.children.get(ROOT) ?? [];
    assert.deepEqual(
      root.map((row) => row.id),
      ['export:b', 'definition:Nightly orders', 'definition:Weekly customers'],
      'the live export first, then each saved export that has runs, once',
    );
    assert.deepEqual(
      (layout.children.get('definition:Nightly orders') ?? []).map((row) => [
        row.id,
        'label' in row ? row.label : '',
      ]),
      [
        ['definition:Nightly orders/run:c', '+1 ~2 −3'],
        ['definition:Nightly orders/run:b', '250,000 records'],
        ['definition:Nightly orders/run:a', '250,000 records'],
      ],
    );
    const ids = layout.order.map((row) => row.id);
    assert.equal(new Set(ids).size, ids.length, `a row id twice: ${ids.join(', ')}`);
    const runRows = layout.order.filter((row) => row.kind === 'run');
    assert.equal(runRows.length, 4);
    for (const row of runRows) {
      const parents = [...layout.children].filter(([, rows]) => rows.some((each) => each.id === row.id));
      assert.equal(parents.length, 1, `${row.id} under one parent`);
      assert.equal(parents[0][0], `definition:${row.kind === 'run' ? row.definition : ''}`);
    }
  });
});

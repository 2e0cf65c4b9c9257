// The run history of saved exports (src/exports/runHistory.ts): one file per definition in the
// shared storage folder, capped, and two windows recording at once keep both runs.
import * as assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import * as path from 'node:path';
import { systemClock } from '../../../src/core/ports';
import type { ExportRun } from '../../../src/exports/model';
import {
  HISTORY_CAP,
  HISTORY_FOLDER_NAME,
  historyKey,
  lastRunFigures,
  RunHistory,
  recordRunMerge,
  runRecordOf,
  type RunRecord,
} from '../../../src/exports/runHistory';
import { SharedStorage } from '../jobs/sharedStorage';

function record(n: number, definition = 'Nightly orders'): RunRecord {
  return {
    id: `run-${n}`,
    definition,
    accountId: 'acc-1',
    report: 'zylker_store / All_Orders',
    state: 'completed',
    mode: 'full',
    startedAt: 1_000_000 + n * 60_000,
    finishedAt: 1_000_000 + n * 60_000 + 30_000,
    durationMs: 30_000,
    records: 1000 + n,
    bytes: 10_000,
    statusCalls: 3,
    creates: 1,
  };
}

describe('Run history (one shared file per definition)', () => {
  let shared: SharedStorage;
  const open: RunHistory[] = [];
  beforeEach(async () => {
    shared = await SharedStorage.create();
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((history) => history.dispose()));
    await shared.dispose();
  });

  function window(): RunHistory {
    const history = new RunHistory(shared.dir, systemClock);
    open.push(history);
    return history;
  }

  it(`keeps the newest ${HISTORY_CAP} runs of a definition, newest first, in one file`, async () => {
    const history = window();
    for (let n = 1; n <= HISTORY_CAP + 5; n++) {
      await history.record(record(n));
    }
    const runs = history.runsOf('Nightly orders');
    assert.equal(runs.length, HISTORY_CAP);
    assert.equal(runs[0].id, `run-${HISTORY_CAP + 5}`);
    assert.equal(runs[runs.length - 1].id, 'run-6', 'the five oldest were dropped');
    assert.equal(history.previousOf('Nightly orders', 'run-55')?.id, 'run-54');
    assert.equal(history.previousOf('Nightly orders', 'run-6'), undefined);
    const files = await readdir(path.join(shared.dir, HISTORY_FOLDER_NAME));
    assert.equal(files.filter((name) => name.endsWith('.json')).length, 1, files.join(', '));
  });

  it("keeps two workspaces' saved exports of one name apart: their runs are never each other's previous run", async () => {
    const history = window();
    const backend = { ...record(1), definitionsFile: '/work/backend/.vscode/zoho-exports.json' };
    const billing = { ...record(2), definitionsFile: '/work/billing/.vscode/zoho-exports.json' };
    const backendAgain = { ...record(3), definitionsFile: backend.definitionsFile };
    for (const run of [backend, billing, backendAgain]) {
      await history.record(run);
    }
    assert.deepEqual(history.definitions().sort(), [historyKey(backend), historyKey(billing)].sort());
    assert.equal(
      history.previousOf(historyKey(backendAgain), 'run-3')?.id,
      'run-1',
      "not the other project's run-2",
    );
    assert.equal(history.previousOf(historyKey(billing), 'run-2'), undefined);
    assert.equal(
      historyKey(record(4)),
      'Nightly orders',
      'a run recorded without its file keeps the name alone',
    );
  });

  it('times the next run by the newest completed run of the same mode, of this definitions file only', async () => {
    const history = window();
    const file = '/work/backend/.vscode/zoho-exports.json';
    const full = { ...record(1), definitionsFile: file, durationMs: 600_000, creates: 3, records: 450_000 };
    const incremental = {
      ...record(2),
      definitionsFile: file,
      mode: 'incremental' as const,
      durationMs: 20_000,
    };
    const failed = { ...record(3), definitionsFile: file, state: 'failed' as const, durationMs: 5_000 };
    for (const run of [full, incremental, failed]) {
      await history.record(run);
    }
    const query = { definition: 'Nightly orders', definitionsFile: file };
    assert.deepEqual(history.lastRunOf({ ...query, mode: 'full' }), {
      firstBatchMs: 200_000,
      records: 450_000,
    });
    assert.deepEqual(history.lastRunOf({ ...query, mode: 'incremental' }), {
      firstBatchMs: 20_000,
      records: 1002,
    });
    assert.equal(
      history.lastRunOf({ definition: 'Nightly orders', mode: 'full' }),
      undefined,
      'another file',
    );
    assert.equal(
      lastRunFigures([{ ...record(4), durationMs: 0 }], 'full'),
      undefined,
      'no duration: nothing known',
    );
  });

  it('two windows recording runs of one definition at the same time keep both, and each sees the other', async () => {
    const [a, b] = [window(), window()];
    const heardByA: string[] = [];
    a.onDidChange(({ definition, external }) => external && heardByA.push(definition));
    await Promise.all([a.record(record(1)), b.record(record(2))]);
    a.sync();
    b.sync();
    for (const history of [a, b, window()]) {
      assert.deepEqual(
        history.runsOf('Nightly orders').map((run) => run.id),
        ['run-2', 'run-1'],
      );
    }
    assert.deepEqual(a.definitions(), ['Nightly orders']);
    assert.ok(heardByA.includes('Nightly orders'), 'window a heard of the run b recorded');
  });

  it('records a run once however often it is recorded, other definitions apart', () => {
    let stored = recordRunMerge(record(1))(undefined);
    stored = recordRunMerge({ ...record(1), records: 5 })(stored);
    stored = recordRunMerge(record(2))(stored);
    assert.deepEqual(
      stored?.runs.map((run) => [run.id, run.records]),
      [
        ['run-2', 1002],
        ['run-1', 5],
      ],
    );
  });

  it("reads what an incremental run adds to the export run, and a stopped run's kept file", () => {
    const run: ExportRun & { definition: string } = {
      id: 'r1',
      accountId: 'acc-1',
      ref: { owner: 'zylker', app: 'zylker_store', report: 'All_Orders' },
      query: { criteria: 'Status == "Open"' },
      destination: '/tmp/out.csv',
      state: 'interrupted',
      batches: [
        { key: 'k1', jobId: '1', appended: true },
        { key: 'k2', jobId: '2', appended: false },
      ],
      bytesWritten: 1234,
      records: 10,
      startedAt: 1000,
      finishedAt: 61_000,
      keptPath: '/tmp/out.partial.csv',
      error: 'The cursor expired.',
      definition: 'Nightly orders',
    };
    const incremental: typeof run = {
      ...run,
      mode: 'incremental',
      changes: { added: 120, changed: 35, removed: 2, file: '/tmp/out.changes.csv' },
    };
    const recorded = runRecordOf(incremental, { statusCalls: 7 }, undefined);
    assert.equal(recorded.mode, 'incremental');
    assert.deepEqual([recorded.added, recorded.changed, recorded.removed], [120, 35, 2]);
    assert.equal(recorded.file, '/tmp/out.partial.csv');
    assert.equal(recorded.creates, 2);
    assert.equal(recorded.statusCalls, 7);
    assert.equal(recorded.durationMs, 60_000);
    assert.equal(recorded.criteria, 'Status == "Open"');
    // Completed, with the snapshot as of the run kept: that copy is the run's file.
    const withCopy = runRecordOf(
      {
        ...incremental,
        state: 'completed',
        changes: {
          added: 1,
          changed: 0,
          removed: 0,
          file: '/c.csv',
          snapshotCopy: '/s.csv',
          snapshotSha256: 'ab',
        },
      },
      { statusCalls: 1 },
      'run-file-hash',
    );
    assert.deepEqual([withCopy.file, withCopy.sha256], ['/s.csv', 'ab']);
    assert.equal(recorded.error, 'The cursor expired.');
    const full = runRecordOf(run, { statusCalls: 0 });
    assert.equal(full.mode, 'full');
    assert.equal(full.added, undefined);
  });
});

// An export's end is told once, in the window the user works in, whichever window drove the run
// (the rule a finished job follows, manyWindows.test.ts): three windows over one shared store.
import * as assert from 'node:assert/strict';
import type { Lease } from '../../../src/core/lease';
import { silentLogger } from '../../../src/core/ports';
import { EXPORTS_FILE_NAME, ExportStore } from '../../../src/exports/exportStore';
import type { ExportRun } from '../../../src/exports/model';
import { RunAnnouncer } from '../../../src/exports/runAnnouncer';
import { SharedStorage } from '../jobs/sharedStorage';

const RUN = {
  id: 'run-1',
  accountId: 'acc',
  ref: { owner: 'demo', app: 'zylker-store', report: 'All_Orders' },
  query: {},
  destination: '/tmp/All_Orders.csv',
  state: 'running',
  batches: [],
  bytesWritten: 0,
  records: 0,
  startedAt: 1,
} as ExportRun;

interface Window {
  name: string;
  store: ExportStore;
  announcer: RunAnnouncer;
  told: string[];
}

describe('RunAnnouncer (an export ends: told in the window the user works in)', () => {
  let shared: SharedStorage;
  const windows: Window[] = [];
  beforeEach(async () => {
    shared = await SharedStorage.create();
  });
  afterEach(async () => {
    for (const w of windows.splice(0)) {
      w.announcer.dispose();
      await w.store.dispose();
    }
    await shared.dispose();
  });

  /** A window named `name`; `focused` names the window the lease says the user works in (undefined: none). */
  function window(name: string, focused: () => string | undefined): Window {
    const store = new ExportStore(shared.file(EXPORTS_FILE_NAME));
    const told: string[] = [];
    const jobs = {
      polling: { holderId: name } as Lease,
      announceTarget: () => {
        const target = focused();
        return target === undefined || target === name ? undefined : target;
      },
    };
    const announcer = new RunAnnouncer(jobs, store, silentLogger, {
      finished: (run) => told.push(`finished ${run.id}`),
      stopped: (run) => told.push(`stopped ${run.id}`),
    });
    const w = { name, store, announcer, told };
    windows.push(w);
    return w;
  }

  async function endIn(w: Window, state: ExportRun['state'], how: 'finished' | 'stopped'): Promise<void> {
    const ended = await w.store.update(RUN.id, { state });
    w.announcer.tell(ended as ExportRun, how);
    await w.store.flushed();
    for (const other of windows) {
      other.store.sync();
      await other.store.flushed();
    }
  }

  it('a run the background window completes is told in the focused window only, once', async () => {
    let focused: string | undefined = 'B';
    const [a, b, c] = ['A', 'B', 'C'].map((name) => window(name, () => focused));
    await a.store.add(RUN);
    await endIn(a, 'completed', 'finished');
    assert.deepEqual(
      windows.map((w) => [w.name, w.told]),
      [
        ['A', []],
        ['B', ['finished run-1']],
        ['C', []],
      ],
    );
    // Another change of the run (e.g. opened) does not tell it again, wherever the user is now.
    focused = 'C';
    await a.store.update(RUN.id, { seenAt: 5 });
    await a.store.flushed();
    b.store.sync();
    c.store.sync();
    await Promise.all([b.store.flushed(), c.store.flushed()]);
    assert.deepEqual(b.told, ['finished run-1']);
    assert.deepEqual(c.told, []);
  });

  it('a failed run is told where the user works; with no window focused, where it ended', async () => {
    let focused: string | undefined = 'B';
    const [a] = ['A', 'B'].map((name) => window(name, () => focused));
    await a.store.add(RUN);
    await endIn(a, 'failed', 'stopped');
    assert.deepEqual(
      windows.map((w) => w.told),
      [[], ['stopped run-1']],
    );
    focused = undefined;
    await a.store.add({ ...RUN, id: 'run-2' });
    const ended = await a.store.update('run-2', { state: 'completed' });
    a.announcer.tell(ended as ExportRun, 'finished');
    assert.deepEqual(
      windows.map((w) => w.told),
      [['finished run-2'], ['stopped run-1']],
    );
  });
});

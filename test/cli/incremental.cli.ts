// The built command-line tool runs an incremental definition through the same core as the editor:
// a full first run, the simulator's report changes, an incremental second run that asks only for
// what changed; the snapshot then equals a full export of the report byte for byte, sorted by ID.
// `--full` finds the deleted records.
import * as assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { startSimulator, type Simulator } from '../simulator';
import { events, Workspace } from './harness';
import { sortedById } from '../unit/helpers/sortedById';

const DEFINITIONS = JSON.stringify({
  exports: [
    { name: 'Tickets', app: 'help-desk', report: 'All_Tickets', mode: 'incremental' },
    { name: 'Reference', app: 'help-desk', report: 'All_Tickets', destination: 'ref/{report}.csv' },
    { name: 'Orders', app: 'zylker-store', report: 'All_Orders', mode: 'incremental' },
  ],
});

describe('command line: an incremental definition against the simulator', function () {
  this.timeout(60_000);
  let sim: Simulator;
  let ws: Workspace;

  before(async () => {
    sim = await startSimulator({ jobDurationMs: 0, throttles: false, ticketsRows: 2000, ordersRows: 50 });
    ws = await Workspace.create(DEFINITIONS);
  });

  after(async () => {
    await sim?.close();
    await ws?.remove();
  });

  async function run(...extra: string[]): Promise<Record<string, unknown>> {
    const args = ['export', ...extra, '--simulator', sim.url, '--json', '--poll-seconds', '0.2'];
    const { code, stdout, stderr } = await ws.run(args).finished;
    assert.equal(code, 0, stderr + stdout);
    return events(stdout)
      .filter((event) => event.type === 'done')
      .pop() as Record<string, unknown>;
  }

  /** The whole report now, as a plain definition exports it, sorted by ID. */
  async function reference(): Promise<string> {
    await run('Reference', '--overwrite');
    return sortedById(ws.file('ref/All_Tickets.csv'));
  }

  it('runs full, then only what changed; the snapshot equals a full export; --full removes deletions', async () => {
    const snapshot = ws.file('exports/All_Tickets.csv');
    const first = await run('Tickets');
    assert.equal(first.mode, 'full');
    assert.equal(first.file, path.join('exports', 'All_Tickets.csv'));
    assert.deepEqual(first.changes, {
      added: 2000,
      changed: 0,
      removed: 0,
      file: (first.changes as { file: string }).file,
    });

    const applied = sim.changeReport('help-desk', 'All_Tickets', { seed: 9, added: 5, edited: 8 });
    const creates = sim.requests.length;
    const second = await run('Tickets');
    assert.equal(second.mode, 'incremental');
    assert.equal(second.records, 13, 'only the changed records were downloaded');
    const sent = sim.requests.slice(creates).find((request) => request.method === 'POST');
    assert.match(sent?.body ?? '', /Modified_Time > \\"\d\d\/\d\d\/\d{4} \d\d:\d\d:\d\d\\"/);
    const changes = second.changes as { added: number; changed: number; removed: number; file: string };
    assert.deepEqual([changes.added, changes.changed, changes.removed], [5, 8, 0]);
    const listed = (await readFile(ws.file(changes.file), 'utf8')).trim().split('\r\n').slice(1);
    assert.deepEqual(
      listed.map((line) => line.split(',')[1]).sort(),
      [...applied.added, ...applied.edited].sort(),
    );
    assert.equal(await readFile(snapshot, 'utf8'), await reference());

    const deleted = sim.changeReport('help-desk', 'All_Tickets', { seed: 10, deleted: 3 }).deleted;
    const full = await run('Tickets', '--full');
    assert.equal(full.mode, 'full');
    assert.equal((full.changes as { removed: number }).removed, 3);
    const removed = (await readFile(ws.file((full.changes as { file: string }).file), 'utf8'))
      .trim()
      .split('\r\n')
      .slice(1);
    assert.deepEqual(
      removed,
      deleted.sort().map((id) => `removed,${id}`),
    );
    assert.equal(await readFile(snapshot, 'utf8'), await reference());
  });

  it('says at the first run that a report without Modified_Time cannot run incrementally, then refuses with exit 2 and --full', async () => {
    const first = await run('Orders');
    assert.equal(first.mode, 'full');
    assert.match(
      String(first.message),
      /^All_Orders has no Modified_Time column, so later runs of "Orders" cannot fetch only what changed.*Set "mode": "full"\.$/,
    );
    const { code, stdout } = await ws.run(['export', 'Orders', '--simulator', sim.url, '--json']).finished;
    assert.equal(code, 2, 'the definition asks for what the report cannot give: a definitions problem');
    const error = events(stdout).find((event) => event.type === 'error') as {
      exitCode: number;
      message: string;
    };
    assert.equal(error.exitCode, 2);
    assert.match(
      error.message,
      /All_Orders has no Modified_Time column.*Run it with --full, or set "mode": "full"/,
    );
    assert.doesNotMatch(error.message, /"fields"/, 'the definition has no "fields" to add it to');
    assert.equal((await run('Orders', '--full')).mode, 'full');
  });
});

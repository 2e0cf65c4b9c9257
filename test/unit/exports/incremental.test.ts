// Incremental exports end to end in the core: ExportRunner on a JobService against the simulator
// over HTTP (help-desk/All_Tickets changes between runs, dates in MM/dd/yyyy), real files, the
// system clock (the simulator's runs on it too, so Modified_Time and the runs' starts agree).
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { definitionRequest, type ExportDefinition } from '../../../src/exports/definitions';
import { ExportRunner } from '../../../src/exports/exportRunner';
import {
  NoModifiedTimeError,
  noModifiedTimeText,
  planIncrementalRun,
  runsFolder,
} from '../../../src/exports/incremental';
import type { ExportRun } from '../../../src/exports/model';
import { JobService } from '../../../src/jobs/jobService';
import { DEMO, startSimulator, type Simulator } from '../../simulator';
import { SharedStorage } from '../jobs/sharedStorage';
import { systemRunner } from '../helpers/systemRunner';
import { sortedById } from '../helpers/sortedById';

const TICKETS = { owner: DEMO.owner, app: 'help-desk', report: 'All_Tickets' };
const DEFINITION: ExportDefinition = {
  name: 'Tickets',
  app: 'help-desk',
  report: 'All_Tickets',
  mode: 'incremental',
  criteria: 'Priority != "Nobody"',
};
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('incremental export (simulator over HTTP)', function () {
  this.timeout(60_000);
  let sim: Simulator;
  let shared: SharedStorage;
  let service: JobService;
  let runner: ExportRunner;
  let snapshot: string;
  let applicationCalls: number;

  beforeEach(async () => {
    sim = await startSimulator({ jobDurationMs: 0, throttles: false, ticketsRows: 400 });
    shared = await SharedStorage.create();
    applicationCalls = 0;
    ({ service, runner } = systemRunner(sim, shared, (api) => () => {
      applicationCalls++;
      return api.listApplications();
    }));
    snapshot = path.join(shared.dir, 'ws', 'exports', 'All_Tickets.csv');
  });

  afterEach(async () => {
    runner.dispose();
    service.dispose();
    await shared.dispose();
    await sim.close();
  });

  /** Runs the definition (as Run Saved Export and the command line do) and waits for its end. */
  async function run(definition = DEFINITION, options: { full?: boolean } = {}): Promise<ExportRun> {
    const ended = new Promise<ExportRun>((resolve) => {
      const a = runner.onDidFinishExport((done) => (a.dispose(), b.dispose(), resolve(done)));
      const b = runner.onDidStopExport((stopped) => (a.dispose(), b.dispose(), resolve(stopped)));
    });
    await runner.start({
      accountId: 'acc',
      ref: TICKETS,
      destination: snapshot,
      definition: definition.name,
      ...definitionRequest(definition, options),
    });
    return ended;
  }

  /** A plain full export of the report now, sorted by ID: what the snapshot must equal. */
  async function reference(): Promise<string> {
    const file = path.join(shared.dir, 'reference.csv');
    await rm(file, { force: true });
    const ended = new Promise<ExportRun>((resolve) => {
      const a = runner.onDidFinishExport((done) => (a.dispose(), resolve(done)));
    });
    await runner.start({ accountId: 'acc', ref: TICKETS, query: {}, destination: file });
    await ended;
    return sortedById(file);
  }

  it('runs full first, then asks only for what changed, and the snapshot equals a full export', async () => {
    const first = await run();
    assert.equal(first.state, 'completed', first.error);
    assert.equal(first.mode, 'full');
    assert.equal(first.query.criteria, 'Priority != "Nobody"');
    assert.deepEqual(
      first.changes && [first.changes.added, first.changes.changed, first.changes.removed],
      [400, 0, 0],
    );
    assert.equal(await readFile(snapshot, 'utf8'), await reference());

    const applied = sim.changeReport('help-desk', 'All_Tickets', {
      seed: 3,
      added: 7,
      edited: 11,
      deleted: 4,
    });
    const second = await run();
    assert.equal(second.state, 'completed', second.error);
    assert.equal(second.mode, 'incremental');
    // The literal is the first run's start minus the overlap, in the app's MM/dd/yyyy, in UTC.
    const since = new Date(first.startedAt - HOUR);
    const pad = (n: number): string => String(n).padStart(2, '0');
    assert.equal(
      second.since,
      `${pad(since.getUTCMonth() + 1)}/${pad(since.getUTCDate())}/${since.getUTCFullYear()} ${pad(since.getUTCHours())}:${pad(since.getUTCMinutes())}:${pad(since.getUTCSeconds())}`,
    );
    assert.equal(second.query.criteria, `(Priority != "Nobody") && Modified_Time > "${second.since}"`);
    assert.equal(second.records, 18, 'only the added and edited records were downloaded');
    assert.deepEqual(
      second.changes && [second.changes.added, second.changes.changed, second.changes.removed],
      [7, 11, 0],
    );
    // Deleted records are found only by a full run: until then the snapshot still holds them.
    const gone = new Set(applied.deleted);
    const kept = (await readFile(snapshot, 'utf8'))
      .split('\r\n')
      .filter((line) => !gone.has(line.split(',')[0]))
      .join('\r\n');
    assert.equal(kept, await reference());

    const third = await run(DEFINITION, { full: true });
    assert.equal(third.mode, 'full');
    assert.deepEqual(
      third.changes && [third.changes.added, third.changes.changed, third.changes.removed],
      [0, 0, 4],
    );
    const listed = (await readFile(third.changes?.file ?? '', 'utf8')).trim().split('\r\n');
    assert.deepEqual(listed, ['change,ID', ...[...gone].sort().map((id) => `removed,${id}`)]);
    assert.equal(await readFile(snapshot, 'utf8'), await reference());
    const afterThird = await readFile(snapshot, 'utf8');

    sim.changeReport('help-desk', 'All_Tickets', { seed: 4, added: 2, edited: 3 });
    const fourth = await run();
    assert.equal(fourth.mode, 'incremental');
    assert.equal(await readFile(snapshot, 'utf8'), await reference());
    // Each run keeps the snapshot as of itself (what its history row opens and compares); only the
    // newest two copies stay, so the runs folder does not grow by a snapshot per run.
    assert.equal(
      await readFile(fourth.changes?.snapshotCopy ?? '', 'utf8'),
      await readFile(snapshot, 'utf8'),
    );
    assert.equal(
      fourth.changes?.snapshotSha256,
      createHash('sha256')
        .update(await readFile(snapshot))
        .digest('hex'),
    );
    assert.equal(await readFile(third.changes?.snapshotCopy ?? '', 'utf8'), afterThird);
    const copies = (await readdir(path.dirname(fourth.changes?.snapshotCopy ?? ''))).filter((name) =>
      name.endsWith('.snapshot.csv'),
    );
    assert.deepEqual(
      copies.sort(),
      [third, fourth].map((r) => path.basename(r.changes?.snapshotCopy ?? '')).sort(),
    );
    assert.equal(applicationCalls, 1, "the app's date format is read once, then kept beside the snapshot");
  });

  it('says at the end of the first run when its records have no Modified_Time column', async () => {
    const short = { ...DEFINITION, fields: ['ID', 'Subject'] };
    const first = await run(short);
    assert.equal(first.state, 'completed', first.error);
    assert.equal(first.noModifiedTime, true, 'the next runs would be refused: said now');
    assert.match(
      noModifiedTimeText(first),
      /All_Tickets was exported without a Modified_Time column.*Add "Modified_Time" to "fields"/,
    );
    await assert.rejects(run(short), NoModifiedTimeError);
    const full = await run(DEFINITION, { full: true });
    assert.equal(full.noModifiedTime, undefined, 'the whole report has Modified_Time');
  });

  it('leaves the snapshot as it was when a run fails, and the next run looks back as far', async () => {
    await run();
    const before = await readFile(snapshot, 'utf8');
    const stateBefore = await readFile(path.join(runsFolder(snapshot), 'state.json'), 'utf8');
    sim.changeReport('help-desk', 'All_Tickets', { seed: 5, edited: 2 });
    sim.switches.failJobs = true;
    const failed = await run();
    assert.equal(failed.state, 'failed');
    assert.equal(await readFile(snapshot, 'utf8'), before);
    assert.equal(await readFile(path.join(runsFolder(snapshot), 'state.json'), 'utf8'), stateBefore);
    sim.switches.failJobs = false;
    const again = await run();
    assert.equal(again.since, failed.since);
    assert.equal(await readFile(snapshot, 'utf8'), await reference());
  });
});

describe('incremental export: which run is next', () => {
  let shared: SharedStorage;
  let snapshot: string;
  const app = async () => ({ date_format: 'dd-MMM-yyyy', time_zone: 'Asia/Kolkata' });
  beforeEach(async () => {
    shared = await SharedStorage.create();
    snapshot = path.join(shared.dir, 'Tickets.csv');
  });
  afterEach(() => shared.dispose());

  async function state(header: string, lastStartedAt: number, lastFullAt: number): Promise<void> {
    const { mkdir } = await import('node:fs/promises');
    await mkdir(runsFolder(snapshot), { recursive: true });
    await writeFile(snapshot, `${header}\r\n`);
    await writeFile(
      path.join(runsFolder(snapshot), 'state.json'),
      JSON.stringify({ lastStartedAt, lastFullAt, header, records: 0 }),
    );
  }

  const plan = (now: number, request = { fullRunEvery: 7 }) =>
    planIncrementalRun({
      snapshot,
      report: 'All_Tickets',
      criteria: 'A == 1 || B == 2',
      request,
      now,
      application: app,
    });

  it('is incremental between full runs, the literal in the app format and time zone', async () => {
    const start = Date.UTC(2026, 11, 6, 4, 30, 0);
    await state('ID,Modified_Time', start, start);
    const next = await plan(start + DAY);
    assert.equal(next.mode, 'incremental');
    // 03:30 UTC is 09:00 in Kolkata (+05:30).
    assert.equal(next.since, '06-Dec-2026 09:00:00');
    assert.equal(next.criteria, '(A == 1 || B == 2) && Modified_Time > "06-Dec-2026 09:00:00"');
  });

  it('is full the first time, every fullRunEvery days, and when asked', async () => {
    assert.equal((await plan(0)).mode, 'full');
    const start = Date.UTC(2026, 11, 6);
    await state('ID,Modified_Time', start, start);
    assert.equal((await plan(start + 7 * DAY)).mode, 'full');
    assert.equal((await plan(start + 6 * DAY)).mode, 'incremental');
    assert.equal((await plan(start + DAY, { fullRunEvery: 1 })).mode, 'full');
    assert.equal((await plan(start + HOUR, { fullRunEvery: 7, full: true } as never)).mode, 'full');
  });

  it('refuses an incremental run of a report without Modified_Time, naming full mode', async () => {
    await state('ID,Name', 0, 0);
    await assert.rejects(plan(HOUR), (error: unknown) => {
      assert.ok(error instanceof NoModifiedTimeError);
      assert.match(error.message, /no Modified_Time column.*"mode": "full"/);
      // No "fields" to add it to: the report itself has none.
      assert.doesNotMatch(error.message, /"fields"/);
      return true;
    });
    const listing = planIncrementalRun({
      snapshot,
      report: 'All_Tickets',
      fields: ['ID', 'Name'],
      request: { fullRunEvery: 7 },
      now: HOUR,
      application: app,
    });
    await assert.rejects(listing, /"fields" leaves it out.*Add "Modified_Time" to "fields"/);
  });
});

// The simulator's changing report (help-desk/All_Tickets) and its Modified_Time criteria in the
// app's date format, over HTTP as a client meets them.
import * as assert from 'node:assert/strict';
import { DEMO, startSimulator, type Simulator } from '../../simulator';
import { HOUR } from '../../simulator/clock';
import { call, createJob, unzip } from './helpers';

const TICKETS = `/creator/v2.1/bulk/${DEMO.owner}/help-desk/report/All_Tickets/read`;

async function rows(sim: Simulator, query: Record<string, unknown> = {}): Promise<string[]> {
  const id = await createJob(sim, TICKETS, query);
  const answer = await call(sim, 'GET', `${TICKETS}/${id}/result`);
  const [entry] = await unzip(answer.body);
  return entry.text.split('\r\n').filter((line) => line !== '');
}

describe('simulator: a report that changes between runs', () => {
  let sim: Simulator;
  beforeEach(async () => {
    sim = await startSimulator({ jobDurationMs: 0, throttles: false, ticketsRows: 50 });
  });
  afterEach(() => sim.close());

  it('lists the date format of each application, as the applications API does', async () => {
    const answer = await call(sim, 'GET', '/creator/v2.1/meta/applications');
    const formats = Object.fromEntries(
      (answer.json.applications as Array<{ link_name: string; date_format: string }>).map((app) => [
        app.link_name,
        app.date_format,
      ]),
    );
    assert.equal(formats['help-desk'], 'MM/dd/yyyy');
    assert.equal(formats['zylker-store'], 'dd-MMM-yyyy');
  });

  it('adds, edits and deletes seeded records; Modified_Time moves with them', async () => {
    const before = await rows(sim);
    assert.equal(before[0], 'ID,Subject,Status,Priority,Added_Time,Modified_Time');
    assert.equal(before.length, 51);
    const applied = sim.changeReport('help-desk', 'All_Tickets', {
      seed: 7,
      added: 3,
      edited: 4,
      deleted: 2,
    });
    assert.deepEqual([applied.added.length, applied.edited.length, applied.deleted.length], [3, 4, 2]);
    const after = await rows(sim);
    assert.equal(after.length, 51 + 3 - 2);
    const ids = after.map((line) => line.split(',')[0]);
    for (const id of applied.deleted) {
      assert.ok(!ids.includes(id), `${id} was deleted`);
    }
    for (const id of [...applied.added, ...applied.edited]) {
      const line = after.find((each) => each.startsWith(`${id},`));
      assert.ok(line, `${id} is there`);
      assert.ok(!before.includes(line), `${id} is new or edited`);
    }
    // The same seed on the same state changes the same records.
    const again = await startSimulator({ jobDurationMs: 0, throttles: false, ticketsRows: 50 });
    try {
      assert.deepEqual(
        again.changeReport('help-desk', 'All_Tickets', { seed: 7, added: 3, edited: 4, deleted: 2 }).edited,
        applied.edited,
      );
    } finally {
      await again.close();
    }
  });

  it('answers Modified_Time > "<literal>" in the app date format, compared as instants', async () => {
    sim.clock.advance(HOUR);
    const since = sim.clock.now() - 1000;
    const applied = sim.changeReport('help-desk', 'All_Tickets', { seed: 1, added: 2, edited: 3 });
    const d = new Date(since);
    const pad = (n: number): string => String(n).padStart(2, '0');
    const literal = `${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}/${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
    const changed = await rows(sim, { criteria: `Modified_Time > "${literal}"` });
    assert.deepEqual(
      changed
        .slice(1)
        .map((line) => line.split(',')[0])
        .sort(),
      [...applied.added, ...applied.edited].sort(),
    );
    // The default format is not this app's: Zoho refuses the literal.
    const refused = await call(sim, 'POST', TICKETS, {
      body: { query: { criteria: 'Modified_Time > "06-Dec-2026 04:00:00"' } },
    });
    assert.equal(refused.status, 400);
    assert.match(refused.json.message, /MM\/dd\/yyyy/);
  });

  it('keeps a running export on the report as it was when its first batch was created', async () => {
    sim.switches.jobDurationMs = 60_000;
    const id = await createJob(sim, TICKETS);
    sim.changeReport('help-desk', 'All_Tickets', { seed: 2, added: 5, deleted: 5 });
    sim.clock.advance(60_000);
    const answer = await call(sim, 'GET', `${TICKETS}/${id}/result`);
    const [entry] = await unzip(answer.body);
    const ids = entry.text
      .split('\r\n')
      .filter(Boolean)
      .slice(1)
      .map((line) => line.split(',')[0]);
    assert.equal(ids.length, 50);
    assert.equal(ids[49], '4074000000000000050');
  });
});

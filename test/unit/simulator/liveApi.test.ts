// What the live API does that the simulator must do too (docs/zoho-bulk-read-api.md, "Creating a job" to "Error codes", the facts marked seen).
import * as assert from 'node:assert/strict';
import { startSimulator, type Simulator } from '../../simulator';
import { buildCatalog } from '../../simulator/data';
import { parseCsv } from '../../simulator/csv';
import { CUSTOMERS, CUSTOMERS_A, ORDERS, call, createJob, unzip } from './helpers';

const ROWS = 400;
const PIVOT = '/creator/v2.1/bulk/demo/zylker-store/report/Sales_Pivot/read';
const UNSUPPORTED =
  'Bulk APIs are currently not supported for pivot charts, pivot tables and third-party reports';
const orders = buildCatalog({ seed: 42, ordersRows: ROWS, customersRows: 50 })[0].reports[0];

/** The CSV rows of a completed job's result (header first). */
async function resultRows(sim: Simulator, path: string, id: string): Promise<string[][]> {
  const answer = await call(sim, 'GET', `${path}/${id}/result`);
  assert.equal(answer.status, 200, answer.body.toString());
  return parseCsv((await unzip(answer.body))[0].text);
}

describe('simulator: agrees with the live API', () => {
  let sim: Simulator;
  beforeEach(async () => {
    sim = await startSimulator({ ordersRows: ROWS, customersRows: 50, jobDurationMs: 0 });
  });
  afterEach(() => sim.close());

  it('creates a job from a body of {} (no query key), like {"query":{}}', async () => {
    const answer = await call(sim, 'POST', CUSTOMERS, { raw: '{}' });
    assert.equal(answer.status, 200);
    assert.equal(answer.json.code, 3000);
    assert.equal(answer.json.details.result.count, 50);
  });

  it('filters rows with the full criteria grammar over HTTP', async () => {
    const c = orders.columns;
    const all = Array.from({ length: ROWS }, (_, i) => orders.row(i));
    const cell = (row: string[], name: string) => row[c.indexOf(name)];
    const cases: [string, (row: string[]) => boolean][] = [
      [
        'Quantity >= 5 && (Status == "Open" || Status == "Shipped")',
        (r) => Number(cell(r, 'Quantity')) >= 5 && ['Open', 'Shipped'].includes(cell(r, 'Status')),
      ],
      [
        'City=="München"||Quantity<2',
        (r) => cell(r, 'City') === 'München' || Number(cell(r, 'Quantity')) < 2,
      ],
      [
        'Email.contains("zoe") && Status != "Cancelled"',
        (r) => cell(r, 'Email').includes('zoe') && cell(r, 'Status') !== 'Cancelled',
      ],
      [
        'Customer_Name.last_name.startsWith("O\'")',
        (r) => cell(r, 'Customer_Name.last_name').startsWith("O'"),
      ],
      [
        'Notes.endsWith("twice") || Notes == null',
        (r) => cell(r, 'Notes').endsWith('twice') || cell(r, 'Notes') === '',
      ],
      [
        'Notes == "Customer said \\"urgent\\" twice"',
        (r) => cell(r, 'Notes') === 'Customer said "urgent" twice',
      ],
      [
        'Total > 100.5 && Total <= 900',
        (r) => Number(cell(r, 'Total')) > 100.5 && Number(cell(r, 'Total')) <= 900,
      ],
    ];
    for (const [criteria, keep] of cases) {
      sim.clock.advance(60000); // past the create throttle
      const id = await createJob(sim, ORDERS, { criteria, fields: ['ID'] });
      const [header, ...rows] = await resultRows(sim, ORDERS, id);
      const expected = all.filter(keep).map((r) => [cell(r, 'ID')]);
      assert.deepEqual(header, ['ID'], criteria);
      assert.ok(expected.length > 0 && expected.length < ROWS, `${criteria}: ${expected.length}`);
      assert.deepEqual(rows, expected, criteria);
    }
  });

  it('refuses criteria it cannot parse with 400/3020 naming the position and the problem', async () => {
    const answer = await call(sim, 'POST', ORDERS, { body: { query: { criteria: '(Status == "Open"' } } });
    assert.equal(answer.status, 400);
    assert.equal(answer.json.code, 3020);
    assert.equal(
      answer.json.message,
      'Invalid criteria at position 18: expected ")" to close the "(" at position 1, found the end of the criteria.',
    );
  });

  it('answers 7150 with the live text as HTTP 400, or HTTP 200 when switched', async () => {
    const refused = await call(sim, 'POST', PIVOT, { body: { query: {} } });
    assert.equal(refused.status, 400);
    assert.deepEqual(refused.json, { code: 7150, message: UNSUPPORTED });
    sim.switches.unsupportedReportHttpStatus = 200;
    const inBody = await call(sim, 'POST', PIVOT, { body: { query: {} } });
    assert.equal(inBody.status, 200);
    assert.deepEqual(inBody.json, { code: 7150, message: UNSUPPORTED });
  });

  it('serves a header-only CSV in a ZIP for a batch that matched nothing', async () => {
    const id = await createJob(sim, CUSTOMERS, { criteria: 'Country == "Atlantis"' });
    const status = await call(sim, 'GET', `${CUSTOMERS}/${id}`);
    assert.equal(status.json.details.result.count, 0);
    assert.equal(status.json.details.result.record_cursor, undefined);
    const answer = await call(sim, 'GET', `${CUSTOMERS}/${id}/result`);
    assert.equal(answer.headers.get('content-type'), 'application/zip');
    const entries = await unzip(answer.body);
    assert.equal(entries.length, 1);
    assert.equal(
      entries[0].text,
      'ID,Customer_Name.first_name,Customer_Name.last_name,Email,Phone,City,Country,Joined_On,Credit_Limit,Tags\r\n',
    );
  });

  it('answers a batch that matched nothing with code 3000 JSON or 9220 when switched', async () => {
    const id = await createJob(sim, CUSTOMERS, { criteria: 'Country == "Atlantis"' });
    sim.switches.emptyResult = 'code3000';
    const json = await call(sim, 'GET', `${CUSTOMERS}/${id}/result`);
    assert.equal(json.status, 200);
    assert.match(json.headers.get('content-type') ?? '', /json/);
    assert.equal(json.json.code, 3000);
    sim.switches.emptyResult = 'code9220';
    const noRecords = await call(sim, 'GET', `${CUSTOMERS}/${id}/result`);
    assert.equal(noRecords.status, 400);
    assert.deepEqual(noRecords.json, { code: 9220, message: 'No records exist' });
    // A batch with records is still a ZIP.
    const full = await createJob(sim, CUSTOMERS);
    assert.equal((await resultRows(sim, CUSTOMERS, full)).length, 51);
  });

  it('sends Retry-After on a throttled create and download, and none when switched off', async () => {
    const started = sim.clock.now();
    for (let i = 0; i < 5; i++) {
      await createJob(sim, CUSTOMERS);
      sim.clock.advance(5000);
    }
    const create = await call(sim, 'POST', CUSTOMERS, { body: { query: {} } });
    assert.equal(create.status, 429);
    // The oldest of the five leaves the one-minute window 60 s after it was made.
    const expected = Math.ceil((started + 60000 - sim.clock.now()) / 1000);
    assert.equal(create.headers.get('retry-after'), String(expected));
    const id = await createJob(sim, ORDERS).catch(() => undefined);
    assert.equal(id, undefined, 'the throttle is per user, not per report');
    sim.clock.advance(60000);
    const job = await createJob(sim, CUSTOMERS);
    for (let i = 0; i < 10; i++) {
      await call(sim, 'GET', `${CUSTOMERS}/${job}/result`);
    }
    const download = await call(sim, 'GET', `${CUSTOMERS}/${job}/result`);
    assert.equal(download.status, 429);
    assert.equal(download.headers.get('retry-after'), '60');
    sim.switches.retryAfter = false;
    const bare = await call(sim, 'GET', `${CUSTOMERS}/${job}/result`);
    assert.equal(bare.status, 429);
    assert.equal(bare.headers.get('retry-after'), null);
  });

  it('answers the daily quota as 429 with Retry-After over 300 s when switched', async () => {
    sim.switches.dailyLimit = 1;
    sim.switches.dailyLimitStyle = 'http429';
    assert.equal((await call(sim, 'GET', '/creator/v2.1/meta/applications')).status, 200);
    const over = await call(sim, 'GET', '/creator/v2.1/meta/applications');
    assert.equal(over.status, 429);
    assert.equal(over.json.code, 2955);
    assert.match(over.json.message, /daily limit/);
    const seconds = Number(over.headers.get('retry-after'));
    const untilMidnight = Math.ceil((86400000 - (sim.clock.now() % 86400000)) / 1000);
    assert.ok(seconds > 300, String(seconds));
    assert.ok(Math.abs(seconds - Math.max(301, untilMidnight)) <= 1, `${seconds} vs ${untilMidnight}`);
  });

  it('does not count refused creates toward the 5-per-minute limit', async () => {
    for (let i = 0; i < 5; i++) {
      const bad = await call(sim, 'POST', CUSTOMERS, { body: { query: { criteria: 'Nope == 1' } } });
      assert.equal(bad.status, 400);
      assert.equal((await call(sim, 'POST', PIVOT, { body: { query: {} } })).json.code, 7150);
      assert.equal((await call(sim, 'POST', CUSTOMERS, { raw: 'not json' })).status, 400);
    }
    for (let i = 0; i < 5; i++) {
      assert.equal(
        (await call(sim, 'POST', CUSTOMERS, { body: { query: {} } })).status,
        200,
        `create ${i + 1}`,
      );
    }
    assert.equal((await call(sim, 'POST', CUSTOMERS, { body: { query: {} } })).status, 429);
  });

  it("has a 'prose' status profile: download_url on family A with a trailing slash, which downloads", async () => {
    sim.switches.statusProfile = 'prose';
    for (const path of [CUSTOMERS, CUSTOMERS_A]) {
      const id = await createJob(sim, path);
      const status = await call(sim, 'GET', `${path}/${id}`);
      assert.equal(status.json.details.status, 'COMPLETED');
      assert.equal(
        status.json.details.result.download_url,
        `/api/bulk/v2.1/demo/zylker-store/report/All_Customers/read/${id}/result/`,
      );
      const download = await call(sim, 'GET', status.json.details.result.download_url);
      assert.equal(download.status, 200);
      assert.equal(parseCsv((await unzip(download.body))[0].text).length, 51);
    }
  });
});

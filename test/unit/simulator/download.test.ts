import * as assert from 'node:assert/strict';
import { startSimulator, type Simulator } from '../../simulator';
import { parseCsv } from '../../simulator/csv';
import { buildCatalog } from '../../simulator/data';
import { ORDERS, call, createJob, unzip } from './helpers';

const ROWS = 400;
const expectedOrders = buildCatalog({ seed: 7, ordersRows: ROWS, customersRows: 0 })[0].reports[0];

describe('simulator: downloads', () => {
  let sim: Simulator;
  beforeEach(async () => {
    sim = await startSimulator({ seed: 7, ordersRows: ROWS, jobDurationMs: 0, throttles: false });
  });
  afterEach(() => sim.close());

  it('serves a ZIP holding {report}_{job_id}.csv with every row of the batch', async () => {
    const id = await createJob(sim, ORDERS);
    const answer = await call(sim, 'GET', `${ORDERS}/${id}/result`);
    assert.equal(answer.headers.get('content-type'), 'application/zip');
    assert.equal(answer.headers.get('recordcursor'), null); // single batch: no cursor
    const entries = await unzip(answer.body);
    assert.deepEqual(
      entries.map((e) => e.name),
      [`All_Orders_${id}.csv`],
    );
    const text = entries[0].text;
    assert.ok(text.startsWith('ID,Order_No,Order_Date,Added_Time,Customer_Name.first_name,'));
    assert.ok(text.endsWith('\r\n'));
    const rows = parseCsv(text);
    assert.deepEqual(rows[0], expectedOrders.columns);
    assert.equal(rows.length, ROWS + 1);
    for (let i = 0; i < ROWS; i++) {
      assert.deepEqual(rows[i + 1], expectedOrders.row(i));
    }
  });

  it('serves realistic values: long IDs, Creator dates, quoting, non-ASCII, JSON subforms', async () => {
    const id = await createJob(sim, ORDERS);
    const text = (await unzip((await call(sim, 'GET', `${ORDERS}/${id}/result`)).body))[0].text;
    const [header, ...rows] = parseCsv(text);
    const col = (name: string) => rows.map((r) => r[header.indexOf(name)]);
    assert.ok(col('ID').every((v) => /^\d{19}$/.test(v)));
    assert.ok(col('Order_Date').every((v) => /^\d{2}-[A-Z][a-z]{2}-\d{4}$/.test(v)));
    assert.ok(col('Added_Time').every((v) => /^\d{2}-[A-Z][a-z]{2}-\d{4} \d{2}:\d{2}:\d{2}$/.test(v)));
    assert.ok(col('Total').every((v) => /^\d+\.\d{2}$/.test(v)));
    assert.ok(col('Line_Items').every((v) => Array.isArray(JSON.parse(v))));
    const notes = col('Notes').join('|');
    for (const fragment of [',', '"urgent"', '\r\n', '\n', 'Zoë', '東京']) {
      assert.ok(notes.includes(fragment), fragment);
    }
    assert.ok(/Müller|São Paulo|Zürich/.test(text));
  });

  it('selects and orders columns with fields, and filters rows with criteria', async () => {
    const id = await createJob(sim, ORDERS, {
      fields: ['Total', 'ID', 'Customer_Name.first_name'],
      criteria: 'Quantity >= 10 && Status == "Shipped"',
    });
    const status = await call(sim, 'GET', `${ORDERS}/${id}`);
    const [header, ...rows] = parseCsv(
      (await unzip((await call(sim, 'GET', `${ORDERS}/${id}/result`)).body))[0].text,
    );
    assert.deepEqual(header, ['Total', 'ID', 'Customer_Name.first_name']);
    const c = expectedOrders.columns;
    const expected = Array.from({ length: ROWS }, (_, i) => expectedOrders.row(i))
      .filter((r) => Number(r[c.indexOf('Quantity')]) >= 10 && r[c.indexOf('Status')] === 'Shipped')
      .map((r) => [r[c.indexOf('Total')], r[c.indexOf('ID')], r[c.indexOf('Customer_Name.first_name')]]);
    assert.ok(expected.length > 10);
    assert.deepEqual(rows, expected);
    assert.equal(status.json.details.result.count, expected.length);
  });

  it('sends raw CSV or a JSON error envelope when switched', async () => {
    const id = await createJob(sim, ORDERS, { fields: ['ID'] });
    sim.switches.downloadFormat = 'csv';
    const csv = await call(sim, 'GET', `${ORDERS}/${id}/result`);
    assert.match(csv.headers.get('content-type') ?? '', /^text\/csv/);
    assert.equal(parseCsv(csv.body.toString('utf8')).length, ROWS + 1);
    sim.switches.downloadFormat = 'jsonError';
    const error = await call(sim, 'GET', `${ORDERS}/${id}/result`);
    assert.equal(error.status, 200);
    assert.equal(error.json.code, 2894);
    assert.equal(typeof error.json.message, 'string');
  });

  it('sends the recordCursor header when a cursor exists, unless switched off', async () => {
    await sim.close();
    sim = await startSimulator({ ordersRows: 100001, jobDurationMs: 0 });
    const first = await call(sim, 'POST', ORDERS, { body: { query: {} } });
    const cursor = first.json.details.result.record_cursor;
    const second = await createJob(sim, ORDERS, { record_cursor: cursor });
    const last = await call(sim, 'GET', `${ORDERS}/${second}/result`);
    assert.equal(last.headers.get('recordcursor'), null);
    assert.equal(parseCsv((await unzip(last.body))[0].text).length, 2);
    sim.switches.downloadFormat = 'csv';
    const withHeader = await fetch(`${sim.url}${ORDERS}/${first.json.details.id}/result`, {
      headers: { Authorization: 'Zoho-oauthtoken demo-token' },
    });
    assert.equal(withHeader.headers.get('recordcursor'), cursor);
    await withHeader.body?.cancel();
    sim.switches.recordCursorHeader = false;
    const without = await fetch(`${sim.url}${ORDERS}/${second}/result`, {
      headers: { Authorization: 'Zoho-oauthtoken demo-token' },
    });
    assert.equal(without.headers.get('recordcursor'), null);
    await without.body?.cancel();
  });

  it('breaks truncated and reset downloads half-way so the client sees a failure', async () => {
    const id = await createJob(sim, ORDERS);
    for (const behaviour of ['truncate', 'reset'] as const) {
      sim.switches.downloadBehaviour = behaviour;
      await assert.rejects(() => call(sim, 'GET', `${ORDERS}/${id}/result`), behaviour);
    }
    sim.switches.downloadBehaviour = 'normal';
    assert.equal((await unzip((await call(sim, 'GET', `${ORDERS}/${id}/result`)).body)).length, 1);
  });

  it('still delivers the whole body when slow', async () => {
    const id = await createJob(sim, ORDERS, { fields: ['ID'] });
    sim.switches.downloadBehaviour = 'slow';
    sim.switches.slowBytesPerSecond = 1024 * 1024;
    const entries = await unzip((await call(sim, 'GET', `${ORDERS}/${id}/result`)).body);
    assert.equal(parseCsv(entries[0].text).length, ROWS + 1);
  });
});

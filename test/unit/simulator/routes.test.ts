import * as assert from 'node:assert/strict';
import { startSimulator, type Simulator } from '../../simulator';
import { CUSTOMERS, call } from './helpers';

describe('simulator: routes, meta and validation', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({ customersRows: 5, jobDurationMs: 0, throttles: false });
  });
  after(() => sim.close());

  it('lists applications on both families', async () => {
    for (const path of ['/creator/v2.1/meta/applications', '/api/v2.1/demo/applications']) {
      const answer = await call(sim, 'GET', path);
      assert.equal(answer.json.code, 3000);
      const store = answer.json.applications.find(
        (a: { link_name: string }) => a.link_name === 'zylker-store',
      );
      assert.equal(store.application_name, 'Zylker Store');
      assert.equal(store.workspace_name, 'demo');
      assert.equal(store.category, 1);
    }
  });

  it('lists reports on both families, including the pivot', async () => {
    for (const path of [
      '/creator/v2.1/meta/demo/zylker-store/reports',
      '/api/v2.1/demo/zylker-store/reports',
    ]) {
      const answer = await call(sim, 'GET', path);
      assert.deepEqual(answer.json.reports, [
        { display_name: 'All Orders', link_name: 'All_Orders', type: 'list' },
        { display_name: 'All Customers', link_name: 'All_Customers', type: 'list' },
        { display_name: 'Sales Pivot', link_name: 'Sales_Pivot', type: 'pivot' },
      ]);
    }
  });

  it('answers 404 with 1040, 2892, 2894 and 1000 for unknown owner, app, report and URL', async () => {
    const cases: [string, string, number][] = [
      ['POST', '/creator/v2.1/bulk/nobody/zylker-store/report/All_Orders/read', 1040],
      ['POST', '/creator/v2.1/bulk/demo/nope/report/All_Orders/read', 2892],
      ['POST', '/api/bulk/v2.1/demo/zylker-store/report/Nope/read', 2894],
      ['GET', '/api/v2.1/nobody/applications', 1040],
      ['GET', '/creator/v2.1/meta/demo/nope/reports', 2892],
      ['GET', '/creator/v2.1/nothing', 1000],
      ['DELETE', CUSTOMERS, 1000],
    ];
    for (const [method, path, code] of cases) {
      const answer = await call(sim, method, path, method === 'POST' ? { body: { query: {} } } : {});
      assert.equal(answer.status, 404, path);
      assert.equal(answer.json.code, code, path);
    }
    const unknown = await call(sim, 'GET', '/creator/v2.1/nothing');
    assert.equal(unknown.json.message, 'Invalid API URL');
  });

  it('refuses bulk read of a pivot report with 7150', async () => {
    const answer = await call(sim, 'POST', '/creator/v2.1/bulk/demo/zylker-store/report/Sales_Pivot/read', {
      body: { query: {} },
    });
    assert.equal(answer.status, 400);
    assert.equal(answer.json.code, 7150);
    assert.equal(
      answer.json.message,
      'Bulk APIs are currently not supported for pivot charts, pivot tables and third-party reports',
    );
  });

  it('answers 400/3020 for a missing, empty or malformed body', async () => {
    for (const raw of ['', '   ', '{"query":', '[]', '"query"', '{"query":5}', '{"query":[]}']) {
      const answer = await call(sim, 'POST', CUSTOMERS, { raw });
      assert.equal(answer.status, 400, raw);
      assert.equal(answer.json.code, 3020, raw);
    }
  });

  it('validates max_records, fields and criteria with clear messages', async () => {
    const bad: [Record<string, unknown>, RegExp][] = [
      [{ max_records: 99000 }, /max_records/],
      [{ max_records: 200001 }, /max_records/],
      [{ max_records: 150500 }, /multiple of 1000/],
      [{ fields: ['ID', 'Nope'] }, /Unknown field "Nope"/],
      [{ criteria: 'Nope == 1' }, /no field named "Nope"/],
      [{ criteria: 'Country = "Japan"' }, /^Invalid criteria at position 9: unexpected "="/],
      [{ criteria: 'Credit_Limit >' }, /^Invalid criteria at position 15: expected a value/],
    ];
    for (const [query, message] of bad) {
      const answer = await call(sim, 'POST', CUSTOMERS, { body: { query } });
      assert.equal(answer.status, 400, JSON.stringify(query));
      assert.match(answer.json.message, message);
    }
    for (const max of [100000, 137000, 200000]) {
      assert.equal(
        (await call(sim, 'POST', CUSTOMERS, { body: { query: { max_records: max } } })).status,
        200,
      );
    }
  });

  it('tolerates a trailing slash on job paths', async () => {
    const created = await call(sim, 'POST', CUSTOMERS, { body: { query: {} } });
    const answer = await call(sim, 'GET', `${CUSTOMERS}/${created.json.details.id}/result/`);
    assert.equal(answer.status, 200);
  });
});

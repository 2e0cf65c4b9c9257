import * as assert from 'node:assert/strict';
import { startSimulator, type Simulator } from '../../simulator';
import { CUSTOMERS, CUSTOMERS_A, ORDERS, call, createJob } from './helpers';

describe('simulator: job lifecycle', () => {
  let sim: Simulator;
  beforeEach(async () => {
    sim = await startSimulator({ ordersRows: 1200, customersRows: 30, jobDurationMs: 60000 });
  });
  afterEach(() => sim.close());

  it('creates a job that completes after the simulated duration (family B)', async () => {
    const created = await call(sim, 'POST', CUSTOMERS, { body: { query: {} } });
    assert.equal(created.status, 200);
    assert.equal(created.json.code, 3000);
    const details = created.json.details;
    assert.match(details.id, /^\d{13,}$/);
    assert.equal(details.operation, 'read');
    assert.equal(details.created_by, 'demo');
    assert.match(details.created_time, /^\d{2}-[A-Z][a-z]{2}-\d{4} \d{2}:\d{2}:\d{2}$/);
    assert.equal(details.status, 'In-progress');

    sim.clock.advance(30000);
    const running = await call(sim, 'GET', `${CUSTOMERS}/${details.id}`);
    assert.equal(running.json.details.status, 'In-progress');
    assert.equal(running.json.details.result, undefined);

    sim.clock.advance(30000);
    const done = await call(sim, 'GET', `${CUSTOMERS}/${details.id}`);
    assert.equal(done.json.details.status, 'Completed');
    assert.deepEqual(done.json.details.result, {
      count: 30,
      download_url: `${CUSTOMERS}/${details.id}/result`,
    });
  });

  it('serves family A with a family A download_url', async () => {
    const id = await createJob(sim, CUSTOMERS_A);
    sim.clock.advance(60000);
    const done = await call(sim, 'GET', `${CUSTOMERS_A}/${id}`);
    assert.equal(done.json.details.result.download_url, `${CUSTOMERS_A}/${id}/result`);
    const zip = await call(sim, 'GET', `${CUSTOMERS_A}/${id}/result`);
    assert.equal(zip.status, 200);
    assert.equal(zip.headers.get('content-type'), 'application/zip');
  });

  it('spells statuses per the doc profile, switchable at any time', async () => {
    sim.switches.statusProfile = 'doc';
    const id = await createJob(sim, CUSTOMERS);
    assert.equal((await call(sim, 'GET', `${CUSTOMERS}/${id}`)).json.details.status, 'IN PROGRESS');
    sim.clock.advance(60000);
    assert.equal((await call(sim, 'GET', `${CUSTOMERS}/${id}`)).json.details.status, 'COMPLETED');
    sim.switches.statusProfile = 'sample';
    assert.equal((await call(sim, 'GET', `${CUSTOMERS}/${id}`)).json.details.status, 'Completed');
  });

  it('fails jobs created while failJobs is on, in both spellings', async () => {
    sim.switches.failJobs = true;
    const id = await createJob(sim, CUSTOMERS);
    sim.switches.failJobs = false;
    const ok = await createJob(sim, CUSTOMERS);
    sim.clock.advance(60000);
    const failed = await call(sim, 'GET', `${CUSTOMERS}/${id}`);
    assert.equal(failed.json.details.status, 'Failed');
    assert.equal(failed.json.details.result, undefined);
    sim.switches.statusProfile = 'doc';
    assert.equal((await call(sim, 'GET', `${CUSTOMERS}/${id}`)).json.details.status, 'FAILED');
    assert.equal((await call(sim, 'GET', `${CUSTOMERS}/${ok}`)).json.details.status, 'COMPLETED');
    const download = await call(sim, 'GET', `${CUSTOMERS}/${id}/result`);
    assert.equal(download.status, 400);
    assert.match(download.json.message, /failed/);
  });

  it('refuses to download a job that is still running, with an error envelope', async () => {
    const id = await createJob(sim, CUSTOMERS);
    const early = await call(sim, 'GET', `${CUSTOMERS}/${id}/result`);
    assert.equal(early.status, 400);
    assert.equal(typeof early.json.code, 'number');
    assert.match(early.json.message, /not completed/);
  });

  it('keeps results 24 simulated hours', async () => {
    const id = await createJob(sim, CUSTOMERS);
    sim.clock.advance(24 * 3600 * 1000); // completed 60 s in, so 60 s of retention remain
    assert.equal((await call(sim, 'GET', `${CUSTOMERS}/${id}/result`)).status, 200);
    sim.clock.advance(60000);
    const gone = await call(sim, 'GET', `${CUSTOMERS}/${id}/result`);
    assert.equal(gone.status, 404);
    assert.match(gone.json.message, /expired/);
  });

  it('completes at once with jobDurationMs 0', async () => {
    sim.switches.jobDurationMs = 0;
    const created = await call(sim, 'POST', ORDERS, { body: { query: {} } });
    assert.equal(created.json.details.status, 'Completed');
    assert.equal(created.json.details.result.count, 1200);
  });

  it('answers 404/7120 for an unknown job and for a job of another report', async () => {
    const id = await createJob(sim, CUSTOMERS);
    for (const path of [`${CUSTOMERS}/1234567890123`, `${ORDERS}/${id}`]) {
      const answer = await call(sim, 'GET', path);
      assert.equal(answer.status, 404);
      assert.equal(answer.json.code, 7120);
    }
  });

  it('names another origin in download_url when downloadUrlOrigin is set', async () => {
    sim.switches.downloadUrlOrigin = 'http://127.0.0.2:9';
    sim.switches.jobDurationMs = 0;
    const created = await call(sim, 'POST', CUSTOMERS, { body: { query: {} } });
    assert.equal(
      created.json.details.result.download_url,
      `http://127.0.0.2:9${CUSTOMERS}/${created.json.details.id}/result`,
    );
  });

  it('records every request with simulated time, without download bodies', async () => {
    sim.clock.advance(60000);
    const id = await createJob(sim, CUSTOMERS, { fields: ['ID'] });
    await call(sim, 'GET', `${CUSTOMERS}/${id}?x=1`, { token: null });
    assert.equal(sim.requests.length, 2);
    const [create, status] = sim.requests;
    assert.equal(create.method, 'POST');
    assert.equal(create.path, CUSTOMERS);
    assert.equal(create.authorization, 'Zoho-oauthtoken demo-token');
    assert.deepEqual(JSON.parse(create.body ?? ''), { query: { fields: ['ID'] } });
    assert.ok(create.at >= Date.now() + 59000);
    assert.equal(status.path, `${CUSTOMERS}/${id}?x=1`);
    assert.equal(status.authorization, undefined);
  });
});

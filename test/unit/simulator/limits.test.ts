import * as assert from 'node:assert/strict';
import { startSimulator, type Simulator } from '../../simulator';
import { CUSTOMERS, call, createJob } from './helpers';

describe('simulator: throttles, daily limit and injected faults', () => {
  let sim: Simulator;
  afterEach(() => sim.close());

  it('throttles the 6th create in a simulated minute with 429/2955', async () => {
    sim = await startSimulator({ customersRows: 5 });
    for (let i = 0; i < 5; i++) {
      assert.equal((await call(sim, 'POST', CUSTOMERS, { body: { query: {} } })).status, 200);
    }
    const sixth = await call(sim, 'POST', CUSTOMERS, { body: { query: {} } });
    assert.equal(sixth.status, 429);
    assert.equal(sixth.json.code, 2955);
    sim.clock.advance(60000);
    assert.equal((await call(sim, 'POST', CUSTOMERS, { body: { query: {} } })).status, 200);
  });

  it('throttles the 11th download in a simulated minute, and not at all when switched off', async () => {
    sim = await startSimulator({ customersRows: 5, jobDurationMs: 0 });
    const id = await createJob(sim, CUSTOMERS);
    for (let i = 0; i < 10; i++) {
      assert.equal((await call(sim, 'GET', `${CUSTOMERS}/${id}/result`)).status, 200);
    }
    const eleventh = await call(sim, 'GET', `${CUSTOMERS}/${id}/result`);
    assert.equal(eleventh.status, 429);
    assert.equal(eleventh.json.code, 2955);
    sim.switches.throttles = false;
    assert.equal((await call(sim, 'GET', `${CUSTOMERS}/${id}/result`)).status, 200);
  });

  it('answers HTTP 200 with code 4000 once the daily limit is spent, until the next simulated day', async () => {
    sim = await startSimulator({ dailyLimit: 3 });
    for (let i = 0; i < 3; i++) {
      assert.equal((await call(sim, 'GET', '/creator/v2.1/meta/applications')).json.code, 3000);
    }
    const over = await call(sim, 'GET', '/creator/v2.1/meta/applications');
    assert.equal(over.status, 200);
    assert.equal(over.json.code, 4000);
    assert.match(over.json.message, /daily limit/);
    sim.clock.advance(24 * 3600 * 1000);
    assert.equal((await call(sim, 'GET', '/creator/v2.1/meta/applications')).json.code, 3000);
  });

  it('answers injected faults for the next n matching requests, with Retry-After and description', async () => {
    sim = await startSimulator({ customersRows: 5, jobDurationMs: 0 });
    sim.inject({
      route: 'create',
      httpStatus: 429,
      code: 2955,
      text: 'slow down',
      retryAfterSeconds: 7,
      times: 2,
    });
    sim.inject({
      route: 'status',
      httpStatus: 401,
      code: 1030,
      textField: 'description',
      text: 'Invalid OAuth token.',
    });
    for (let i = 0; i < 2; i++) {
      const answer = await call(sim, 'POST', CUSTOMERS, { body: { query: {} } });
      assert.equal(answer.status, 429);
      assert.equal(answer.headers.get('retry-after'), '7');
      assert.deepEqual(answer.json, { code: 2955, message: 'slow down' });
    }
    const id = await createJob(sim, CUSTOMERS);
    const status = await call(sim, 'GET', `${CUSTOMERS}/${id}`);
    assert.deepEqual(status.json, { code: 1030, description: 'Invalid OAuth token.' });
    assert.equal((await call(sim, 'GET', `${CUSTOMERS}/${id}`)).json.code, 3000);
  });

  it("matches every Creator route with 'any' but leaves the token endpoint alone", async () => {
    sim = await startSimulator();
    sim.inject({ route: 'any', httpStatus: 503, text: 'maintenance', times: 2 });
    const token = await fetch(
      `${sim.url}/oauth/v2/token?grant_type=refresh_token&client_id=demo-client&client_secret=demo-secret&refresh_token=demo-refresh`,
      { method: 'POST' },
    );
    assert.equal(token.status, 200);
    assert.equal((await call(sim, 'GET', '/creator/v2.1/meta/applications')).status, 503);
    assert.equal((await call(sim, 'GET', '/creator/v2.1/meta/demo/zylker-store/reports')).status, 503);
    assert.equal((await call(sim, 'GET', '/creator/v2.1/meta/applications')).status, 200);
  });
});

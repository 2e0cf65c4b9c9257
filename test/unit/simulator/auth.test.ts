import * as assert from 'node:assert/strict';
import { ALL_SCOPES, DEMO, startSimulator, type Simulator } from '../../simulator';
import { CUSTOMERS, call } from './helpers';

const HOUR = 3600 * 1000;

async function token(sim: Simulator, params: Record<string, string>, inBody = false) {
  const search = new URLSearchParams(params).toString();
  const response = await fetch(`${sim.url}/oauth/v2/token${inBody ? '' : `?${search}`}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: inBody ? search : undefined,
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return { status: response.status, json: (await response.json()) as Record<string, any> };
}

const refreshParams = {
  grant_type: 'refresh_token',
  client_id: DEMO.clientId,
  client_secret: DEMO.clientSecret,
  refresh_token: DEMO.refreshToken,
};

describe('simulator: authentication', () => {
  let sim: Simulator;
  beforeEach(async () => {
    sim = await startSimulator({ customersRows: 5, jobDurationMs: 0 });
  });
  afterEach(() => sim.close());

  it('answers 401/1030 with the text under description for missing and unknown tokens', async () => {
    for (const t of [null, 'not-a-token']) {
      const answer = await call(sim, 'POST', CUSTOMERS, { token: t, body: { query: {} } });
      assert.equal(answer.status, 401);
      assert.deepEqual(answer.json, { code: 1030, description: 'Invalid OAuth token.' });
    }
  });

  it('answers 401/2945 naming the missing scope', async () => {
    sim.addAccessToken('create-only', ['ZohoCreator.bulk.CREATE']);
    const created = await call(sim, 'POST', CUSTOMERS, { token: 'create-only', body: { query: {} } });
    assert.equal(created.status, 200);
    const status = await call(sim, 'GET', `${CUSTOMERS}/${created.json.details.id}`, {
      token: 'create-only',
    });
    assert.equal(status.status, 401);
    assert.equal(status.json.code, 2945);
    assert.match(status.json.message, /ZohoCreator\.bulk\.READ/);
    const apps = await call(sim, 'GET', '/creator/v2.1/meta/applications', { token: 'create-only' });
    assert.match(apps.json.message, /ZohoCreator\.dashboard\.READ/);
    const reports = await call(sim, 'GET', '/creator/v2.1/meta/demo/zylker-store/reports', {
      token: 'create-only',
    });
    assert.match(reports.json.message, /ZohoCreator\.meta\.application\.READ/);
  });

  it('refreshes with params in the query string or the form body; refreshed tokens carry all scopes', async () => {
    const viaQuery = await token(sim, refreshParams);
    const viaBody = await token(sim, refreshParams, true);
    assert.equal(sim.refreshCount, 2);
    for (const answer of [viaQuery, viaBody]) {
      assert.equal(answer.status, 200);
      assert.deepEqual(Object.keys(answer.json).sort(), [
        'access_token',
        'api_domain',
        'expires_in',
        'token_type',
      ]);
      assert.equal(answer.json.api_domain, sim.url);
      assert.equal(answer.json.token_type, 'Bearer');
      assert.equal(answer.json.expires_in, 3600);
    }
    const t = viaQuery.json.access_token;
    assert.equal((await call(sim, 'POST', CUSTOMERS, { token: t, body: { query: {} } })).json.code, 3000);
    assert.equal((await call(sim, 'GET', '/creator/v2.1/meta/applications', { token: t })).json.code, 3000);
  });

  it('expires refreshed tokens after an hour, but never demo-token unless told to', async () => {
    const fresh = (await token(sim, refreshParams)).json.access_token;
    sim.clock.advance(HOUR);
    assert.equal(
      (await call(sim, 'GET', '/creator/v2.1/meta/applications', { token: fresh })).json.code,
      1030,
    );
    sim.clock.advance(48 * HOUR);
    assert.equal((await call(sim, 'GET', '/creator/v2.1/meta/applications')).json.code, 3000);
    sim.expireAccessToken(DEMO.accessToken);
    const expired = await call(sim, 'GET', '/creator/v2.1/meta/applications');
    assert.equal(expired.status, 401);
    assert.equal(expired.json.code, 1030);
  });

  it('answers HTTP 200 invalid_code for a bad refresh token and invalid_client for a bad client', async () => {
    const badToken = await token(sim, { ...refreshParams, refresh_token: 'nope' });
    assert.deepEqual(badToken, { status: 200, json: { error: 'invalid_code' } });
    const badClient = await token(sim, { ...refreshParams, client_secret: 'wrong' });
    assert.deepEqual(badClient, { status: 200, json: { error: 'invalid_client' } });
    assert.equal(sim.refreshCount, 0);
  });

  it('denies the 11th token of a refresh token within 10 simulated minutes', async () => {
    for (let i = 0; i < 10; i++) {
      assert.ok((await token(sim, refreshParams)).json.access_token);
    }
    const denied = await token(sim, refreshParams);
    assert.equal(denied.status, 400);
    assert.equal(denied.json.error, 'Access Denied');
    assert.match(denied.json.error_description, /too many requests continuously/);
    sim.clock.advance(10 * 60000);
    assert.ok((await token(sim, refreshParams)).json.access_token);
    assert.equal(sim.refreshCount, 11);
  });

  it('exchanges a grant code once for a refresh token that works', async () => {
    const code = sim.issueGrantCode();
    const params = {
      grant_type: 'authorization_code',
      client_id: DEMO.clientId,
      client_secret: DEMO.clientSecret,
      code,
    };
    const first = await token(sim, params, true);
    assert.ok(first.json.access_token);
    assert.ok(first.json.refresh_token);
    assert.deepEqual((await token(sim, params)).json, { error: 'invalid_code' });
    const refreshed = await token(sim, { ...refreshParams, refresh_token: first.json.refresh_token });
    assert.ok(refreshed.json.access_token);
  });

  it('expires a grant code after 3 simulated minutes', async () => {
    const code = sim.issueGrantCode();
    sim.clock.advance(3 * 60000);
    const late = await token(sim, {
      grant_type: 'authorization_code',
      client_id: DEMO.clientId,
      client_secret: DEMO.clientSecret,
      code,
    });
    assert.deepEqual(late.json, { error: 'invalid_code' });
  });

  it('lets tests register tokens with chosen scopes and lifetimes', async () => {
    sim.addAccessToken('short', ALL_SCOPES, 10);
    assert.equal(
      (await call(sim, 'GET', '/creator/v2.1/meta/applications', { token: 'short' })).json.code,
      3000,
    );
    sim.clock.advance(10000);
    assert.equal(
      (await call(sim, 'GET', '/creator/v2.1/meta/applications', { token: 'short' })).json.code,
      1030,
    );
  });
});

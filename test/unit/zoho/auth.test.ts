import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import { RefreshTokenProvider, StaticTokenProvider, exchangeGrantCode } from '../../../src/zoho/auth';
import { isZohoError } from '../../../src/zoho/errors';
import { DEMO, startSimulator, type Simulator } from '../../simulator';
import {
  ORDERS,
  assertNoSecretsCaptured,
  capturingLogger,
  makeClient,
  rejection,
  rememberSecret,
  tempDir,
} from './helpers';

describe('Zoho token providers against the simulator', () => {
  let sim: Simulator;

  beforeEach(async () => {
    sim = await startSimulator({ jobDurationMs: 0, ordersRows: 2500, throttles: false });
  });
  afterEach(() => sim.close());

  function provider(
    overrides: Partial<{ clientSecret: string; refreshToken: string }> = {},
  ): RefreshTokenProvider {
    return new RefreshTokenProvider({
      accountsBase: sim.url,
      clientId: DEMO.clientId,
      clientSecret: overrides.clientSecret ?? DEMO.clientSecret,
      refreshToken: overrides.refreshToken ?? DEMO.refreshToken,
      logger: capturingLogger(),
    });
  }

  it('a static token never refreshes', async () => {
    const tokens = new StaticTokenProvider('abc');
    assert.equal(tokens.canRefresh, false);
    assert.equal(await tokens.getAccessToken(), 'abc');
  });

  it('10 concurrent callers share one refresh, and the token is cached', async () => {
    const tokens = provider();
    const all = await Promise.all(Array.from({ length: 10 }, () => tokens.getAccessToken()));
    rememberSecret(all[0]);
    assert.equal(sim.refreshCount, 1);
    assert.equal(new Set(all).size, 1);
    assert.equal(await tokens.getAccessToken(), all[0]);
    assert.equal(sim.refreshCount, 1);
    const tokenRequests = sim.requests.filter((r) => r.path.startsWith('/oauth/v2/token'));
    assert.equal(tokenRequests.length, 1);
    assert.equal(tokenRequests[0].path, '/oauth/v2/token', 'secrets travel in the body, not the URL');
  });

  it('refreshes again shortly before expiry', async () => {
    await sim.close();
    sim = await startSimulator({ tokenLifetimeSeconds: 600 });
    let now = 0;
    const tokens = new RefreshTokenProvider({
      accountsBase: sim.url,
      clientId: DEMO.clientId,
      clientSecret: DEMO.clientSecret,
      refreshToken: DEMO.refreshToken,
      clock: {
        now: () => now,
        setTimeout: (cb, ms) => setTimeout(cb, ms),
        clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
      },
    });
    await tokens.getAccessToken();
    now += 200_000;
    await tokens.getAccessToken();
    assert.equal(sim.refreshCount, 1, 'still well before expiry');
    now += 150_000;
    await tokens.getAccessToken();
    assert.equal(sim.refreshCount, 2, 'refreshed within the margin before the 600 s expiry');
  });

  it('401/1030 -> one refresh and the retry succeeds', async () => {
    const tokens = provider();
    const client = makeClient(sim, { tokens });
    const job = await client.createJob(ORDERS, {});
    assert.equal(sim.refreshCount, 1);
    const first = await tokens.getAccessToken();
    rememberSecret(first);
    sim.expireAccessToken(first);
    const status = await client.getJob(ORDERS, job.id);
    assert.equal(status.state, 'completed');
    assert.equal(sim.refreshCount, 2);

    // A second 1030 right after the refresh is not looped on.
    sim.inject({ route: 'status', httpStatus: 401, code: 1030, text: 'Invalid OAuth token.', times: 2 });
    const error = await rejection(() => client.getJob(ORDERS, job.id));
    assert.ok(isZohoError(error, 'authExpired'));
    assert.equal(sim.refreshCount, 3);
  });

  it('a download answered 401/1030 refreshes once and then streams the file', async () => {
    const tokens = provider();
    const client = makeClient(sim, { tokens });
    const job = await client.getJob(ORDERS, (await client.createJob(ORDERS, {})).id);
    const first = await tokens.getAccessToken();
    rememberSecret(first);
    sim.expireAccessToken(first);
    const dir = await tempDir();
    try {
      const outcome = await client.downloadResult(ORDERS, job.id, join(dir.path, 'r.zip'));
      assert.equal(outcome.format, 'zip');
      assert.equal(sim.refreshCount, 2);
      rememberSecret(await tokens.getAccessToken());
    } finally {
      await dir.dispose();
    }
  });

  it('an invalid refresh token or client -> authFailed with an actionable message', async () => {
    const badToken = await rejection(() =>
      provider({ refreshToken: '1000.not-a-real-refresh' }).getAccessToken(),
    );
    assert.ok(isZohoError(badToken, 'authFailed'));
    assert.match(badToken.message, /refresh token/i);
    assert.ok(!badToken.message.includes('1000.not-a-real-refresh'));
    const badClient = await rejection(() => provider({ clientSecret: 'wrong-secret-123' }).getAccessToken());
    assert.ok(isZohoError(badClient, 'authFailed'));
    assert.match(badClient.message, /client/i);
    assert.ok(!badClient.message.includes('wrong-secret-123'));
  });

  it('too many refreshes -> a pause (rateLimited) that says when it lifts, and no second request before', async () => {
    for (let i = 0; i < 10; i++) {
      const tokens = provider();
      await tokens.getAccessToken();
    }
    const blocked = provider();
    const error = await rejection(() => blocked.getAccessToken());
    assert.ok(isZohoError(error, 'rateLimited'), String(error));
    assert.equal(error.retryAfterMs, 10 * 60_000);
    assert.match(error.message, /too many.*pause until \d\d:\d\d/i);
    const asked = sim.requests.length;
    const again = await rejection(() => blocked.getAccessToken());
    assert.ok(isZohoError(again, 'rateLimited'));
    assert.equal(sim.requests.length, asked, 'asking again would only extend the block');
  });

  it('exchanges a Self Client grant code for a working refresh token, once', async () => {
    const code = sim.issueGrantCode();
    const answer = await exchangeGrantCode({
      accountsBase: sim.url,
      clientId: DEMO.clientId,
      clientSecret: DEMO.clientSecret,
      code,
    });
    assert.ok(answer.refreshToken && answer.accessToken);
    assert.ok(answer.expiresInSeconds > 0);
    const client = makeClient(sim, { tokens: provider({ refreshToken: answer.refreshToken }) });
    assert.ok((await client.listApplications()).length > 0);

    const again = await rejection(() =>
      exchangeGrantCode({
        accountsBase: sim.url,
        clientId: DEMO.clientId,
        clientSecret: DEMO.clientSecret,
        code,
      }),
    );
    assert.ok(isZohoError(again, 'authFailed'));
    assert.match(again.message, /grant code/);
    assert.ok(!again.message.includes(code));
    rememberSecret(code, answer.refreshToken, answer.accessToken);
  });

  it('leaks no token, code or secret into any log line or error message', () => {
    assertNoSecretsCaptured();
  });
});

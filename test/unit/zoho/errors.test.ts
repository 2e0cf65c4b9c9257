import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { RefreshTokenProvider, StaticTokenProvider } from '../../../src/zoho/auth';
import { BulkReadClient } from '../../../src/zoho/client';
import { isZohoError } from '../../../src/zoho/errors';
import { DEMO, startSimulator, type Simulator } from '../../simulator';
import {
  CUSTOMERS,
  ORDERS,
  capturingLogger,
  makeClient,
  assertNoSecretsCaptured,
  rejection,
  tempDir,
} from './helpers';

describe('BulkReadClient error kinds from the simulator', () => {
  let sim: Simulator;
  let dir: { path: string; dispose: () => Promise<void> };

  beforeEach(async () => {
    sim = await startSimulator({ jobDurationMs: 0, ordersRows: 2500, customersRows: 300, throttles: false });
    dir = await tempDir();
  });
  afterEach(async () => {
    await sim.close();
    await dir.dispose();
  });

  function refreshing(): RefreshTokenProvider {
    return new RefreshTokenProvider({
      accountsBase: sim.url,
      clientId: DEMO.clientId,
      clientSecret: DEMO.clientSecret,
      refreshToken: DEMO.refreshToken,
      logger: capturingLogger(),
    });
  }

  it('401/1030 with description text -> authExpired telling to sign in again', async () => {
    sim.inject({
      route: 'status',
      httpStatus: 401,
      code: 1030,
      textField: 'description',
      text: 'Invalid OAuth token.',
    });
    const error = await rejection(() => makeClient(sim).getJob(ORDERS, '1'));
    assert.ok(isZohoError(error, 'authExpired'));
    assert.equal(error.serverMessage, 'Invalid OAuth token.');
    assert.match(error.message, /Invalid OAuth token.*Sign in again/);
  });

  it('2945 -> missingScope naming the scope, and never refreshes', async () => {
    const tokens = refreshing();
    const client = makeClient(sim, { tokens });
    await client.listApplications();
    assert.equal(sim.refreshCount, 1);
    sim.inject({ route: 'status', httpStatus: 403, code: 2945, text: 'Invalid OAuth scope' });
    const injected = await rejection(() => client.getJob(ORDERS, '1'));
    assert.ok(isZohoError(injected, 'missingScope'));
    assert.equal(injected.scope, 'ZohoCreator.bulk.READ');
    assert.match(injected.message, /Add the scope ZohoCreator\.bulk\.READ/);
    assert.equal(sim.refreshCount, 1);

    // A real CREATE-only token: create works, the first status poll fails with 2945.
    sim.addAccessToken('create-only-token', ['ZohoCreator.bulk.CREATE']);
    const limited = makeClient(sim, { tokens: new StaticTokenProvider('create-only-token') });
    const job = await limited.createJob(ORDERS, {});
    const real = await rejection(() => limited.getJob(ORDERS, job.id));
    assert.ok(isZohoError(real, 'missingScope'));
    assert.equal(real.scope, 'ZohoCreator.bulk.READ');
  });

  it('429 with Retry-After -> rateLimited after that many seconds, thrown at once', async () => {
    sim.inject({
      route: 'status',
      httpStatus: 429,
      code: 2955,
      text: 'Too many requests',
      retryAfterSeconds: 90,
    });
    const error = await rejection(() => makeClient(sim).getJob(ORDERS, '1'));
    assert.ok(isZohoError(error, 'rateLimited'));
    assert.equal(error.retryAfterMs, 90_000);
    assert.match(error.message, /Try again after \d\d:\d\d/);
    assert.equal(sim.requests.length, 1, 'no retry');
  });

  it('429 without Retry-After -> waits 60 s; the real create throttle too', async () => {
    sim.inject({ route: 'create', httpStatus: 429, code: 2955, text: 'Too many requests' });
    const client = makeClient(sim);
    const error = await rejection(() => client.createJob(ORDERS, {}));
    assert.ok(isZohoError(error, 'rateLimited'));
    assert.equal(error.retryAfterMs, 60_000);

    sim.switches.throttles = true;
    for (let i = 0; i < 5; i++) {
      await client.createJob(ORDERS, {});
    }
    const throttled = await rejection(() => client.createJob(ORDERS, {}));
    assert.ok(isZohoError(throttled, 'rateLimited'));
  });

  it('HTTP 200 with code 4000 -> dailyLimit', async () => {
    sim.switches.dailyLimit = 1;
    const client = makeClient(sim);
    await client.listApplications();
    const error = await rejection(() => client.listApplications());
    assert.ok(isZohoError(error, 'dailyLimit'));
    assert.equal(error.httpStatus, 200);
    assert.match(error.message, /daily limit/i);
  });

  it('404s -> notFound saying what was not found', async () => {
    const client = makeClient(sim);
    sim.inject({ route: 'create', httpStatus: 404, code: 2892, text: 'No application' });
    const app = await rejection(() => client.createJob(ORDERS, {}));
    assert.ok(isZohoError(app, 'notFound'));
    assert.match(app.message, /zylker-store/);
    sim.inject({ route: 'status', httpStatus: 404, code: 1040, text: 'No owner' });
    const owner = await rejection(() => client.getJob(ORDERS, '1'));
    assert.ok(isZohoError(owner, 'notFound'));
    assert.match(owner.message, /owner/);
    const url = await rejection(() => client.listReports('demo', 'no-such-app'));
    assert.ok(isZohoError(url, 'notFound'));
  });

  it('7150, 2933/1130 and 3020 -> unsupportedReport, forbidden and badRequest', async () => {
    const client = makeClient(sim);
    sim.inject({ route: 'create', httpStatus: 400, code: 7150, text: 'Pivot' });
    assert.ok(isZohoError(await rejection(() => client.createJob(ORDERS, {})), 'unsupportedReport'));
    sim.inject({ route: 'reports', httpStatus: 403, code: 2933, text: 'No permission' });
    assert.ok(isZohoError(await rejection(() => client.listReports('demo', DEMO.app)), 'forbidden'));
    sim.inject({ route: 'applications', httpStatus: 403, code: 1130, text: 'API disabled' });
    assert.ok(isZohoError(await rejection(() => client.listApplications()), 'forbidden'));
    sim.inject({ route: 'create', httpStatus: 400, code: 3020, text: 'Body missing' });
    assert.ok(isZohoError(await rejection(() => client.createJob(ORDERS, {})), 'badRequest'));
  });

  it('5xx on GET is retried with backoff; on POST it is not', async () => {
    const client = makeClient(sim, { attempts: 3 });
    sim.inject({ route: 'status', httpStatus: 503, code: 9000, text: 'Busy', times: 2 });
    const job = await client.createJob(ORDERS, {});
    const status = await client.getJob(ORDERS, job.id);
    assert.equal(status.state, 'completed');
    assert.equal(sim.requests.filter((r) => r.method === 'GET').length, 3);

    sim.inject({ route: 'status', httpStatus: 500, code: 9000, text: 'Broken', times: 3 });
    assert.ok(isZohoError(await rejection(() => client.getJob(ORDERS, job.id)), 'server'));

    const before = sim.requests.length;
    sim.inject({ route: 'create', httpStatus: 500, code: 9000, text: 'Broken' });
    assert.ok(isZohoError(await rejection(() => client.createJob(ORDERS, {})), 'server'));
    assert.equal(sim.requests.length, before + 1, 'a create is never repeated after it reached the server');
  });

  it('connection refused -> network (POST retried only because nothing reached a server)', async () => {
    const server: Server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const logger = capturingLogger();
    const client = new BulkReadClient({
      target: { dataCentre: 'custom', customHost: `http://127.0.0.1:${port}`, family: 'B', owner: 'demo' },
      tokens: {
        getAccessToken: async () => DEMO.accessToken,
        invalidate: () => undefined,
        canRefresh: false,
        secrets: () => [DEMO.accessToken],
      },
      logger,
      retry: { attempts: 3, baseDelayMs: 1 },
    });
    const error = await rejection(() => client.createJob(ORDERS, {}));
    assert.ok(isZohoError(error, 'network'));
    assert.match(error.message, /refused/);
    assert.equal(logger.lines.filter((line) => line.includes('ECONNREFUSED')).length, 3);
  });

  for (const behaviour of ['truncate', 'reset'] as const) {
    it(`a ${behaviour} download -> network error and no partial file`, async () => {
      const client = makeClient(sim, { attempts: 1 });
      const job = await client.getJob(CUSTOMERS, (await client.createJob(CUSTOMERS, {})).id);
      sim.switches.downloadBehaviour = behaviour;
      const file = join(dir.path, `${behaviour}.zip`);
      const error = await rejection(() => client.downloadResult(CUSTOMERS, job.id, file));
      assert.ok(isZohoError(error, 'network'), String(error));
      assert.match(error.message, /cut off|reset/);
      assert.equal(existsSync(file), false);
    });
  }

  it('a JSON error envelope instead of the file -> classified error and no file', async () => {
    const client = makeClient(sim);
    const job = await client.getJob(CUSTOMERS, (await client.createJob(CUSTOMERS, {})).id);
    sim.switches.downloadFormat = 'jsonError';
    const file = join(dir.path, 'json.zip');
    const error = await rejection(() => client.downloadResult(CUSTOMERS, job.id, file));
    assert.ok(isZohoError(error, 'notFound'), String(error));
    assert.match(error.message, /Unable to export/);
    assert.equal(existsSync(file), false);

    sim.switches.downloadFormat = 'zip';
    sim.inject({
      route: 'download',
      httpStatus: 401,
      code: 1030,
      textField: 'description',
      text: 'Invalid OAuth token.',
    });
    assert.ok(
      isZohoError(await rejection(() => client.downloadResult(CUSTOMERS, job.id, file)), 'authExpired'),
    );
    assert.equal(existsSync(file), false);
  });

  it('masks a token or secret that the server echoes in its error text', async () => {
    sim.inject({
      route: 'status',
      httpStatus: 400,
      code: 3020,
      text: `Bad header Authorization: Zoho-oauthtoken ${DEMO.accessToken} from refresh_token=${DEMO.refreshToken}`,
    });
    const error = await rejection(() => makeClient(sim).getJob(ORDERS, '1'));
    assert.ok(isZohoError(error, 'badRequest'));
    assert.match(error.message, /Zoho-oauthtoken \*\*\*/);
    assert.ok(
      !error.message.includes(DEMO.accessToken) && !String(error.serverMessage).includes(DEMO.refreshToken),
    );
  });

  it('leaks no token or secret into any log line or error message', () => {
    assertNoSecretsCaptured();
  });
});

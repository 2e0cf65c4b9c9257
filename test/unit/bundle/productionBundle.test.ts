// The production bundle loads axios and yauzl from vendor/ on first use, and leaves axios's browser
// adapters (xhr, fetch), multipart (form-data, mime-db), redirect (follow-redirects),
// proxy-agent (https-proxy-agent) and proxy-diagnostics (debug) support out (esbuild.js). These
// tests bundle the client with exactly those options, minified, and prove that downloads,
// refreshes, error answers and retries still work through it, against the simulator over real HTTP.
import * as assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { DEMO, startSimulator, type Simulator } from '../../simulator';
import { countCsvRecords } from '../../../src/results/countCsvRecords';
import type { TokenProvider } from '../../../src/zoho/api';

type Entry = typeof import('./entry');

// esbuild.js is the build script itself (CommonJS): its production options are what ships.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { extensionBuilds } = require('../../../esbuild.js') as {
  extensionBuilds(minified: boolean, outdir: string, entryPoint: string): import('esbuild').BuildOptions[];
};

const ORDERS = { owner: DEMO.owner, app: DEMO.app, report: 'All_Orders' };

describe('the production bundle (axios in vendor/, without form-data, follow-redirects, proxy agents, debug or browser adapters)', function () {
  this.timeout(60_000);
  let dir: string;
  let bundled: Entry;
  /** The vendor build's (axios, yauzl). */
  let metafile: Metafile;
  let mainInputs: string[];
  let sim: Simulator;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cbj-bundle-'));
    const [main, vendor] = await Promise.all(
      extensionBuilds(true, dir, join(__dirname, 'entry.ts')).map((options) =>
        build({ ...options, metafile: true, logLevel: 'silent' }),
      ),
    );
    mainInputs = Object.keys(main.metafile.inputs);
    metafile = vendor.metafile;
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    bundled = require(join(dir, 'extension.js')) as Entry;
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    sim = await startSimulator({ jobDurationMs: 0, ordersRows: 3000, throttles: false });
  });
  afterEach(async () => {
    await sim.close();
  });

  function client(tokens: TokenProvider = new bundled.StaticTokenProvider(DEMO.accessToken)) {
    return new bundled.BulkReadClient({
      target: { dataCentre: 'custom', customHost: sim.url, family: 'B', owner: DEMO.owner },
      tokens,
      retry: { attempts: 3, baseDelayMs: 1 },
      timeoutMs: 10_000,
    });
  }

  /** Downloads a job's result through the bundle, checked against the count its status gives. */
  async function fetchThroughBundle(api: ReturnType<typeof client>, jobId: string) {
    const job = await api.getJob(ORDERS, jobId);
    return bundled.fetchResult(api, { accountId: 'bundle', ref: ORDERS, jobId }, dir, {
      expectedRecords: job.result?.count,
    });
  }

  it('loads axios and yauzl from vendor/ on first use, not with the extension bundle', () => {
    for (const library of ['axios', 'yauzl']) {
      assert.ok(
        !mainInputs.some((file) => file.includes(`node_modules/${library}/`)),
        `${library} is not in the main bundle`,
      );
      assert.ok(
        Object.keys(metafile.inputs).some((file) => file.includes(`node_modules/${library}/`)),
        `${library} is in vendor/`,
      );
    }
  });

  it('holds axios but none of the packages left out', () => {
    const inputs = Object.keys(metafile.inputs);
    assert.ok(
      inputs.some((file) => file.includes('node_modules/axios/')),
      'axios is bundled',
    );
    for (const adapter of ['xhr.js', 'fetch.js']) {
      assert.ok(
        !inputs.some((file) => file.endsWith(`axios/lib/adapters/${adapter}`)),
        `axios's ${adapter} adapter is left out`,
      );
    }
    for (const left of [
      'mime-db',
      'mime-types',
      'form-data/',
      'follow-redirects/',
      'combined-stream',
      'debug/',
      'https-proxy-agent/',
      'agent-base/',
    ]) {
      assert.ok(!inputs.some((file) => file.includes(`node_modules/${left}`)), `${left} is not bundled`);
    }
  });

  it('creates a job, downloads and extracts its CSV', async () => {
    const api = client();
    const job = await api.createJob(ORDERS, {});
    const result = await fetchThroughBundle(api, job.id);
    assert.equal(await countCsvRecords(result.path), 3000);
    assert.match((await readFile(result.path, 'utf8')).slice(0, 200), /^.*ID/);
  });

  it('refreshes an expired access token with a url-encoded form and carries on', async () => {
    const tokens = new bundled.RefreshTokenProvider({
      accountsBase: sim.url,
      clientId: DEMO.clientId,
      clientSecret: DEMO.clientSecret,
      refreshToken: DEMO.refreshToken,
    });
    const api = client(tokens);
    await api.listApplications();
    const first = await tokens.getAccessToken();
    sim.expireAccessToken(first);
    const apps = await api.listApplications();
    assert.ok(apps.some((app) => app.link_name === DEMO.app));
    assert.equal(sim.refreshCount, 2);
  });

  it('turns an error answer into a clear error', async () => {
    const error = await client(new bundled.StaticTokenProvider('not-a-token'))
      .listApplications()
      .then(
        () => assert.fail('expected a rejection'),
        (rejected: Error & { kind?: string }) => rejected,
      );
    assert.equal(error.kind, 'authExpired');
    assert.match(error.message, /sign in/i);
  });

  it('retries a download after server errors', async () => {
    const api = client();
    const job = await api.createJob(ORDERS, {});
    sim.inject({ route: 'download', httpStatus: 500, code: 2999, text: 'busy', times: 2 });
    const result = await fetchThroughBundle(api, job.id);
    assert.equal(await countCsvRecords(result.path), 3000);
    assert.equal(sim.requests.filter((r) => r.path.endsWith('/result')).length, 3);
  });

  it('does not follow a redirect, and says what the server answered', async () => {
    let followed = false;
    const server: Server = createServer((request, response) => {
      if (request.url === '/elsewhere') {
        followed = true;
        response.end('{}');
        return;
      }
      response.writeHead(302, { Location: '/elsewhere' }).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const api = new bundled.BulkReadClient({
        target: {
          dataCentre: 'custom',
          customHost: `http://127.0.0.1:${port}`,
          family: 'B',
          owner: DEMO.owner,
        },
        tokens: new bundled.StaticTokenProvider(DEMO.accessToken),
        retry: { attempts: 1, baseDelayMs: 1 },
      });
      const error = await api.listApplications().then(
        () => assert.fail('expected a rejection'),
        (rejected: Error) => rejected,
      );
      assert.match(error.message, /302/);
      assert.equal(followed, false, 'the redirect was not followed');
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isZohoError } from '../../../src/zoho/errors';
import type { UrlFamily } from '../../../src/zoho/types';
import { startSimulator, type Simulator } from '../../simulator';
import {
  CUSTOMERS,
  ORDERS,
  capturingLogger,
  makeClient,
  assertNoSecretsCaptured,
  rejection,
  tempDir,
} from './helpers';

describe('BulkReadClient against the simulator', () => {
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

  for (const family of ['A', 'B'] as UrlFamily[]) {
    it(`family ${family}: lists apps and reports, creates, polls and downloads a job`, async () => {
      const logger = capturingLogger();
      const client = makeClient(sim, { family, logger });
      const apps = await client.listApplications();
      assert.ok(apps.some((app) => app.link_name === 'zylker-store'));
      const reports = await client.listReports(ORDERS.owner, ORDERS.app);
      assert.ok(reports.some((report) => report.link_name === 'All_Customers'));

      const created = await client.createJob(CUSTOMERS, { fields: ['Email'] });
      assert.match(created.id, /^\d+$/);
      const job = await client.getJob(CUSTOMERS, created.id);
      assert.equal(job.state, 'completed');
      assert.equal(job.result?.count, 300);

      const file = join(dir.path, 'result.zip');
      const progress: number[] = [];
      const outcome = await client.downloadResult(CUSTOMERS, job.id, file, {
        downloadUrl: job.result?.download_url,
        onProgress: (p) => progress.push(p.bytes),
      });
      assert.equal(outcome.format, 'zip');
      assert.equal(outcome.bytes, (await stat(file)).size);
      assert.equal((await readFile(file)).subarray(0, 2).toString(), 'PK');
      assert.equal(progress.at(-1), outcome.bytes);

      const prefix = family === 'A' ? '/api/' : '/creator/v2.1/';
      const paths = sim.requests.map((r) => r.path);
      assert.ok(
        paths.every((p) => p.startsWith(prefix)),
        paths.join('\n'),
      );
      const create = sim.requests.find((r) => r.method === 'POST');
      assert.deepEqual(JSON.parse(create?.body ?? ''), { query: { fields: ['Email'] } });
      assert.ok(
        logger.lines.some((line) => /^debug GET \/\S+\/result -> 200 \(\d+ ms\)$/.test(line)),
        logger.lines.join('\n'),
      );
    });
  }

  it('sends {"query":{}} for an empty query and downloads raw CSV with the cursor header', async () => {
    const client = makeClient(sim);
    sim.switches.downloadFormat = 'csv';
    const created = await client.createJob(ORDERS, {});
    assert.equal(sim.requests.at(-1)?.body, '{"query":{}}');
    const job = await client.getJob(ORDERS, created.id);
    const file = join(dir.path, 'r.csv');
    const outcome = await client.downloadResult(ORDERS, job.id, file);
    assert.equal(outcome.format, 'csv');
    assert.equal(outcome.recordCursor, undefined, 'a 2500-row report fits in one batch');
    assert.match((await readFile(file, 'utf8')).split('\n')[0], /\w/);
  });

  for (const profile of ['sample', 'doc'] as const) {
    it(`normalises the ${profile} status profile`, async () => {
      sim.switches.statusProfile = profile;
      sim.switches.jobDurationMs = 60_000;
      const client = makeClient(sim);
      const created = await client.createJob(ORDERS, {});
      assert.equal(created.state, 'running');
      assert.equal(created.status, profile === 'doc' ? 'IN PROGRESS' : 'In-progress');
      sim.clock.advance(60_000);
      const done = await client.getJob(ORDERS, created.id);
      assert.equal(done.state, 'completed');
      assert.equal(done.status, profile === 'doc' ? 'COMPLETED' : 'Completed');

      sim.switches.failJobs = true;
      const failing = await client.createJob(ORDERS, {});
      sim.clock.advance(60_000);
      const failed = await client.getJob(ORDERS, failing.id);
      assert.equal(failed.state, 'failed');
      assert.equal(failed.status, profile === 'doc' ? 'FAILED' : 'Failed');
    });
  }

  it('validates input locally without a request', async () => {
    const client = makeClient(sim);
    const error = await rejection(() => client.createJob(ORDERS, { max_records: 150500 }));
    assert.ok(isZohoError(error, 'badRequest'));
    assert.ok(isZohoError(await rejection(() => client.getJob(ORDERS, '12/../3')), 'badRequest'));
    assert.equal(sim.requests.length, 0);
  });

  it('maps real simulator answers: unknown report, unknown job, pivot report, bad criteria', async () => {
    const client = makeClient(sim);
    const noReport = await rejection(() => client.createJob({ ...ORDERS, report: 'Nope' }, {}));
    assert.ok(isZohoError(noReport, 'notFound'));
    const noJob = await rejection(() => client.getJob(ORDERS, '123'));
    assert.ok(isZohoError(noJob, 'notFound'));
    assert.match(noJob.message, /123/);
    const pivot = await rejection(() => client.createJob({ ...ORDERS, report: 'Sales_Pivot' }, {}));
    assert.ok(isZohoError(pivot, 'unsupportedReport'));
    const criteria = await rejection(() => client.createJob(ORDERS, { criteria: 'Nope ==== 1' }));
    assert.ok(isZohoError(criteria, 'badRequest'));
  });

  it('uses a relative download_url only as a path on the account host, with or without trailing slash', async () => {
    const client = makeClient(sim);
    const job = await client.getJob(CUSTOMERS, (await client.createJob(CUSTOMERS, {})).id);
    const file = join(dir.path, 'a.zip');
    await client.downloadResult(CUSTOMERS, job.id, file, { downloadUrl: `${job.result?.download_url}/` });
    assert.equal(sim.requests.at(-1)?.path, `${job.result?.download_url}/`);
    const logger = capturingLogger();
    const other = makeClient(sim, { logger });
    await other.downloadResult(CUSTOMERS, job.id, file, { downloadUrl: '/somewhere/else' });
    assert.equal(sim.requests.at(-1)?.path, job.result?.download_url);
    assert.ok(logger.lines.some((line) => line.startsWith('warn ')));
  });

  it('cancels a download through its signal and leaves no file', async () => {
    const client = makeClient(sim);
    const job = await client.getJob(ORDERS, (await client.createJob(ORDERS, {})).id);
    sim.switches.downloadBehaviour = 'slow';
    sim.switches.slowBytesPerSecond = 2000;
    const controller = new AbortController();
    const file = join(dir.path, 'cancel.zip');
    const error = await rejection(() =>
      client.downloadResult(ORDERS, job.id, file, {
        signal: controller.signal,
        onProgress: () => controller.abort(),
      }),
    );
    assert.ok(isZohoError(error, 'cancelled'), String(error));
    assert.equal(existsSync(file), false);
  });

  it('leaks no token or secret into any log line or error message', () => {
    assertNoSecretsCaptured();
  });
});

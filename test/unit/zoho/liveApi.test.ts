// The client copes with what the live API does (docs/zoho-bulk-read-api.md, "Creating a job" to "Error codes", the facts marked seen), each against
// the simulator switch that reproduces it.
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import { isZohoError } from '../../../src/zoho/errors';
import type { UrlFamily } from '../../../src/zoho/types';
import { DEMO, startSimulator, type Simulator } from '../../simulator';
import { CUSTOMERS, makeClient, rejection, tempDir } from './helpers';

const PIVOT = { owner: DEMO.owner, app: DEMO.app, report: 'Sales_Pivot' };
const NONE = { criteria: 'Country == "Atlantis"' };

describe('BulkReadClient and the live API', () => {
  let sim: Simulator;
  let dir: { path: string; dispose: () => Promise<void> };

  beforeEach(async () => {
    sim = await startSimulator({ jobDurationMs: 0, customersRows: 30 });
    dir = await tempDir();
  });
  afterEach(async () => {
    await sim.close();
    await dir.dispose();
  });

  for (const httpStatus of [400, 200] as const) {
    it(`recognises 7150 in an HTTP ${httpStatus} answer as a report bulk read does not support`, async () => {
      sim.switches.unsupportedReportHttpStatus = httpStatus;
      const error = await rejection(() => makeClient(sim).createJob(PIVOT, {}));
      assert.ok(isZohoError(error, 'unsupportedReport'), String(error.message));
      assert.equal(error.code, 7150);
      assert.match(error.message, /^Bulk APIs are currently not supported for pivot charts/);
      assert.match(error.message, /Choose a list report instead\.$/);
    });
  }

  it('downloads the header-only ZIP of a batch with no records as a ZIP', async () => {
    const client = makeClient(sim);
    const job = await client.createJob(CUSTOMERS, NONE);
    assert.equal((await client.getJob(CUSTOMERS, job.id)).result?.count, 0);
    const outcome = await client.downloadResult(CUSTOMERS, job.id, join(dir.path, 'r.zip'));
    assert.equal(outcome.format, 'zip');
  });

  for (const emptyResult of ['code3000', 'code9220'] as const) {
    it(`turns the ${emptyResult} answer of a batch with no records into 'noRecords', not an error`, async () => {
      sim.switches.emptyResult = emptyResult;
      const client = makeClient(sim);
      const job = await client.createJob(CUSTOMERS, NONE);
      const file = join(dir.path, 'r.zip');
      const outcome = await client.downloadResult(CUSTOMERS, job.id, file);
      assert.deepEqual(outcome, { bytes: 0, format: 'noRecords' });
      assert.equal(sim.requests.filter((r) => r.path.endsWith('/result')).length, 1, 'not retried');
    });
  }

  it('still reports any other JSON answer instead of the ZIP as an error', async () => {
    const client = makeClient(sim);
    const job = await client.createJob(CUSTOMERS, {});
    sim.switches.downloadFormat = 'jsonError';
    const error = await rejection(() => client.downloadResult(CUSTOMERS, job.id, join(dir.path, 'r.zip')));
    assert.ok(isZohoError(error), String(error));
    assert.equal(error.code, 2894);
  });

  it("waits as long as a throttle's Retry-After says, or 60 s without one", async () => {
    const client = makeClient(sim);
    for (let i = 0; i < 5; i++) {
      await client.createJob(CUSTOMERS, {});
    }
    sim.clock.advance(15_000);
    const throttled = await rejection(() => client.createJob(CUSTOMERS, {}));
    assert.ok(isZohoError(throttled, 'rateLimited'));
    assert.equal(throttled.retryAfterMs, 45_000);
    sim.switches.retryAfter = false;
    const bare = await rejection(() => client.createJob(CUSTOMERS, {}));
    assert.equal(bare.retryAfterMs, 60_000);
  });

  it("honours the daily quota's long Retry-After (over 300 s) on a 429", async () => {
    sim.switches.dailyLimit = 0;
    sim.switches.dailyLimitStyle = 'http429';
    const error = await rejection(() => makeClient(sim).getJob(CUSTOMERS, '2000000018003'));
    assert.ok(isZohoError(error, 'rateLimited'));
    assert.ok((error.retryAfterMs as number) > 300_000, String(error.retryAfterMs));
    assert.ok((error.retryAfterMs as number) <= 24 * 3600_000);
  });

  for (const family of ['A', 'B'] as UrlFamily[]) {
    it(`family ${family}: downloads through a download_url ending in /result/ (prose profile)`, async () => {
      sim.switches.statusProfile = 'prose';
      const client = makeClient(sim, { family });
      const created = await client.createJob(CUSTOMERS, {});
      const job = await client.getJob(CUSTOMERS, created.id);
      assert.equal(job.state, 'completed');
      assert.match(job.result?.download_url ?? '', /^\/api\/bulk\/v2\.1\/.*\/result\/$/);
      const outcome = await client.downloadResult(CUSTOMERS, job.id, join(dir.path, 'r.zip'), {
        downloadUrl: job.result?.download_url,
      });
      assert.equal(outcome.format, 'zip');
      assert.equal(sim.requests.at(-1)?.path, job.result?.download_url, 'the job’s own URL was used');
    });
  }
});

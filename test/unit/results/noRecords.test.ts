// A batch with no records is a completed result with 0 records in every form Zoho sends it.
import * as assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { countCsvRecords } from '../../../src/results/countCsvRecords';
import * as path from 'node:path';
import { fetchResult } from '../../../src/results/fetchResult';
import type { ResultOwner } from '../../../src/results/resultPaths';
import { isZohoError } from '../../../src/zoho/errors';
import { startSimulator, type Simulator } from '../../simulator';
import { clientFor, ref, tempDir } from './helpers';

const HEADER =
  'ID,Customer_Name.first_name,Customer_Name.last_name,Email,Phone,City,Country,Joined_On,Credit_Limit,Tags\r\n';
const CUSTOMERS = ref('All_Customers');
const NONE = { criteria: 'Country == "Atlantis"' };

function owner(jobId: string): ResultOwner {
  return { accountId: 'acc-1', ref: CUSTOMERS, jobId };
}

describe('fetchResult: batches with no records (simulator over HTTP)', () => {
  let sim: Simulator;
  let temp: Awaited<ReturnType<typeof tempDir>>;

  beforeEach(async () => {
    sim = await startSimulator({ jobDurationMs: 0, throttles: false, customersRows: 40 });
    temp = await tempDir();
  });
  afterEach(async () => {
    await sim.close();
    await temp.remove();
  });

  const cases = [
    { emptyResult: 'headerOnly', format: 'zip', content: HEADER },
    { emptyResult: 'headerOnly', format: 'csv', content: HEADER },
    { emptyResult: 'code3000', format: 'zip', content: '' },
    { emptyResult: 'code9220', format: 'zip', content: '' },
  ] as const;
  for (const { emptyResult, format, content } of cases) {
    it(`keeps ${content ? 'a header-only' : 'an empty'} CSV of 0 records for the ${emptyResult} answer (${format})`, async () => {
      sim.switches.emptyResult = emptyResult;
      sim.switches.downloadFormat = format;
      const client = clientFor(sim);
      const job = await client.createJob(CUSTOMERS, NONE);

      const result = await fetchResult(client, owner(job.id), temp.dir, { expectedRecords: 0 });

      assert.equal(result.records, 0);
      assert.equal(await readFile(result.path, 'utf8'), content);
      assert.equal(result.bytes, Buffer.byteLength(content));
      assert.equal(await countCsvRecords(result.path), 0);
      assert.deepEqual(await temp.files(), [path.relative(temp.dir, result.path)], 'no .part file left');
    });
  }

  it('does not call a result with records empty', async () => {
    const client = clientFor(sim);
    const job = await client.createJob(CUSTOMERS, {});
    const result = await fetchResult(client, owner(job.id), temp.dir, { expectedRecords: 40 });
    assert.notEqual(result.records, 0);
    assert.equal(await countCsvRecords(result.path), 40);
  });

  for (const code of [3000, 9220]) {
    it(`fails, keeping nothing, when Zoho counted records but answers ${code} (no records)`, async () => {
      const client = clientFor(sim);
      const job = await client.createJob(CUSTOMERS, {});
      sim.inject({ route: 'download', httpStatus: code === 3000 ? 200 : 400, code, text: 'No records' });
      try {
        await fetchResult(client, owner(job.id), temp.dir, { expectedRecords: 40 });
        assert.fail('accepted an empty result for a job of 40 records');
      } catch (error) {
        assert.ok(isZohoError(error, 'server'), String(error));
        assert.match(error.message, /holds 0 records but Zoho counted 40\b/);
      }
      assert.deepEqual(await temp.files(), []);
    });
  }
});

// A batch with no records is a completed result with 0 records in every form Zoho sends it.
import * as assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { countCsvRecords } from '../../../src/results/countCsvRecords';
import { fetchResult } from '../../../src/results/fetchResult';
import { noRecordsIn } from '../../../src/results/noRecords';
import { isZohoError } from '../../../src/zoho/errors';
import { startSimulator, type Simulator } from '../../simulator';
import { clientFor, ref, tempDir } from './helpers';

const HEADER =
  'ID,Customer_Name.first_name,Customer_Name.last_name,Email,Phone,City,Country,Joined_On,Credit_Limit,Tags\r\n';
const CUSTOMERS = ref('All_Customers');
const NONE = { criteria: 'Country == "Atlantis"' };

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
    { emptyResult: 'headerOnly', format: 'zip', content: HEADER, noRecords: 'headerOnly' },
    { emptyResult: 'headerOnly', format: 'csv', content: HEADER, noRecords: 'headerOnly' },
    { emptyResult: 'code3000', format: 'zip', content: '', noRecords: 'emptyFile' },
    { emptyResult: 'code9220', format: 'zip', content: '', noRecords: 'emptyFile' },
  ] as const;
  for (const { emptyResult, format, content, noRecords } of cases) {
    it(`keeps a ${noRecords} CSV for the ${emptyResult} answer (${format})`, async () => {
      sim.switches.emptyResult = emptyResult;
      sim.switches.downloadFormat = format;
      const client = clientFor(sim);
      const job = await client.createJob(CUSTOMERS, NONE);

      const result = await fetchResult(client, CUSTOMERS, job.id, temp.dir, { expectedCount: 0 });

      assert.equal(result.noRecords, noRecords);
      assert.equal(await readFile(result.path, 'utf8'), content);
      assert.equal(result.bytes, Buffer.byteLength(content));
      assert.equal(await countCsvRecords(result.path), 0);
      assert.deepEqual(await temp.files(), [`All_Customers_${job.id}.csv`], 'no .part file left');
    });
  }

  it('marks nothing for a result with records', async () => {
    const client = clientFor(sim);
    const job = await client.createJob(CUSTOMERS, {});
    const result = await fetchResult(client, CUSTOMERS, job.id, temp.dir, { expectedCount: 40 });
    assert.equal(result.noRecords, undefined);
    assert.equal(await countCsvRecords(result.path), 40);
  });

  for (const code of [3000, 9220]) {
    it(`fails, keeping nothing, when Zoho counted records but answers ${code} (no records)`, async () => {
      const client = clientFor(sim);
      const job = await client.createJob(CUSTOMERS, {});
      sim.inject({ route: 'download', httpStatus: code === 3000 ? 200 : 400, code, text: 'No records' });
      try {
        await fetchResult(client, CUSTOMERS, job.id, temp.dir, { expectedCount: 40 });
        assert.fail('accepted an empty result for a job of 40 records');
      } catch (error) {
        assert.ok(isZohoError(error, 'server'), String(error));
        assert.match(error.message, /Zoho counted 40 records for job \d+ but its result holds none/);
      }
      assert.deepEqual(await temp.files(), []);
    });
  }

  it('recognises header-only and empty files, with any line ending, and not a one-record file', async () => {
    const file = path.join(temp.dir, 'x.csv');
    const check = async (text: string) => {
      await writeFile(file, text);
      return noRecordsIn(file, Buffer.byteLength(text));
    };
    assert.equal(await check(''), 'emptyFile');
    assert.equal(await check('ID,Name'), 'headerOnly');
    assert.equal(await check('ID,Name\n'), 'headerOnly');
    assert.equal(await check('\uFEFFID,"Name, full"\r\n\r\n'), 'headerOnly');
    assert.equal(await check('ID,Name\r\n1,"two\r\nlines"\r\n'), undefined);
  });
});

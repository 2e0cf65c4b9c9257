// The job service treats a batch with no records as a completed job with 0 records, whichever
// way Zoho answers its result request, and a 7150 in a 200 body as an unsupported report.
import * as assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { silentLogger } from '../../../src/core/ports';
import { JobService } from '../../../src/jobs/jobService';
import type { TrackedJob } from '../../../src/jobs/model';
import { jobDescription } from '../../../src/views/jobDescription';
import { isZohoError } from '../../../src/zoho/errors';
import type { EmptyResult } from '../../simulator/api';
import { startSimulator, type Simulator } from '../../simulator';
import { FakeClock } from '../helpers/fakeClock';
import { clientFor, ref, tempDir } from '../results/helpers';
import { SharedStorage } from './sharedStorage';

const ACCOUNT = 'acc-1';
const CUSTOMERS = ref('All_Customers');
const HEADER_START = 'ID,Customer_Name.first_name,';

describe('JobService: zero-record results and 7150 (simulator over HTTP)', () => {
  let sim: Simulator;
  let temp: Awaited<ReturnType<typeof tempDir>>;
  let service: JobService;
  let clock: FakeClock;
  let storage: SharedStorage;

  beforeEach(async () => {
    // Jobs complete at once: created, they are finished and (autoDownload) downloaded.
    sim = await startSimulator({ jobDurationMs: 0, throttles: false, customersRows: 25 });
    temp = await tempDir();
    clock = new FakeClock();
    storage = await SharedStorage.create();
    service = new JobService({
      store: storage.store(),
      clients: async () => clientFor(sim),
      clock,
      logger: silentLogger,
      resultsDir: temp.dir,
      settings: {
        initialIntervalMs: 1000,
        maxIntervalMs: 4000,
        unfocusedMultiplier: 1,
        maxConcurrent: 2,
        maxChecksPerMinute: 20,
      },
      autoDownload: () => true,
    });
  });
  afterEach(async () => {
    service.dispose();
    await sim.close();
    await temp.remove();
    await storage.dispose();
  });

  /** Resolves once the job's automatic download has settled (ready or failed). */
  function downloaded(key: string): Promise<TrackedJob> {
    return new Promise((resolve) => {
      const check = (job: TrackedJob | undefined) => {
        if (job && (job.download === 'ready' || job.download === 'failed')) {
          subscription.dispose();
          resolve(job);
        }
      };
      const subscription = service.onDidChangeJob((change) =>
        check(change.job.key === key ? change.job : undefined),
      );
      check(service.get(key));
    });
  }

  const cases: [EmptyResult, boolean][] = [
    ['headerOnly', true],
    ['code3000', false],
    ['code9220', false],
  ];
  for (const [emptyResult, header] of cases) {
    it(`completes with 0 records and a file when the result answer is ${emptyResult}`, async () => {
      sim.switches.emptyResult = emptyResult;
      const created = await service.createJob(ACCOUNT, CUSTOMERS, { criteria: 'Country == "Atlantis"' });
      const job = await downloaded(created.key);

      assert.equal(job.state, 'completed');
      assert.equal(job.download, 'ready', job.lastError?.message);
      assert.equal(job.lastError, undefined);
      assert.equal(job.result?.records, 0);
      assert.equal(jobDescription(job, clock.now()), '0 records · just now');
      const text = await readFile(job.result?.path ?? '', 'utf8');
      assert.ok(header ? text.startsWith(HEADER_START) : text === '', text);
      // Asked again (Open after the automatic download), the file is there: no second request.
      const before = sim.requests.length;
      assert.deepEqual(await service.ensureResult(job.key), job.result);
      assert.equal(sim.requests.length, before);
    });
  }

  it('fails the download (not the job) when Zoho counted records but sends none', async () => {
    sim.inject({ route: 'download', httpStatus: 200, code: 3000, text: 'No records found' });
    const created = await service.createJob(ACCOUNT, CUSTOMERS, {});
    const job = await downloaded(created.key);
    assert.equal(job.state, 'completed');
    assert.equal(job.download, 'failed');
    assert.match(job.lastError?.message ?? '', /Zoho counted 25\b/);
    assert.deepEqual(await temp.files(), []);
  });

  for (const httpStatus of [400, 200] as const) {
    it(`refuses a pivot report answered 7150 in HTTP ${httpStatus} and tracks nothing`, async () => {
      sim.switches.unsupportedReportHttpStatus = httpStatus;
      try {
        await service.createJob(ACCOUNT, ref('Sales_Pivot'), {});
        assert.fail('a job was created');
      } catch (error) {
        assert.ok(isZohoError(error, 'unsupportedReport'), String(error));
      }
      assert.deepEqual(service.jobs(), []);
    });
  }
});

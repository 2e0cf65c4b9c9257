import * as assert from 'node:assert/strict';
import { mkdir, open, readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { countCsvRecords } from '../../../src/results/countCsvRecords';
import { DISK_RESERVE_BYTES, fetchResult, withResultLock } from '../../../src/results/fetchResult';
import { resultPaths, type ResultOwner } from '../../../src/results/resultPaths';
import { ZohoError, isZohoError } from '../../../src/zoho/errors';
import { startSimulator, type Simulator } from '../../simulator';
import { mountSmallDisk } from '../helpers/smallDisk';
import { clientFor, completedJob, ref, tempDir } from './helpers';

const CUSTOMERS_HEADER =
  'ID,Customer_Name.first_name,Customer_Name.last_name,Email,Phone,City,Country,Joined_On,Credit_Limit,Tags';

async function firstLine(file: string): Promise<string> {
  const handle = await open(file);
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(4096), 0, 4096, 0);
    return buffer
      .subarray(0, bytesRead)
      .toString('utf8')
      .replace(/^\uFEFF/, '')
      .split(/\r?\n/)[0];
  } finally {
    await handle.close();
  }
}

async function rejectsWith(promise: Promise<unknown>, kind: ZohoError['kind']): Promise<ZohoError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(isZohoError(error), `expected a ZohoError, got ${String(error)}`);
    assert.equal(error.kind, kind, error.message);
    return error;
  }
  assert.fail(`expected a ${kind} ZohoError`);
}

function owner(jobId: string): ResultOwner {
  return { accountId: 'acc-1', ref: ref('All_Customers'), jobId };
}

describe('fetchResult (simulator over HTTP, real files)', () => {
  let sim: Simulator;
  let temp: Awaited<ReturnType<typeof tempDir>>;

  beforeEach(async () => {
    sim = await startSimulator({ jobDurationMs: 0, throttles: false });
    temp = await tempDir();
  });
  afterEach(async () => {
    await sim.close();
    await temp.remove();
  });

  for (const format of ['zip', 'csv'] as const) {
    it(`leaves one complete CSV with every record for a ${format} download`, async () => {
      sim.switches.downloadFormat = format;
      const client = clientFor(sim);
      const jobId = await completedJob(client, 'All_Customers');
      const status = await client.getJob(ref('All_Customers'), jobId);

      const result = await fetchResult(client, owner(jobId), temp.dir, {
        expectedRecords: 1000,
        now: () => 1234,
      });

      assert.equal(result.path, resultPaths(temp.dir, owner(jobId)).csv);
      assert.match(
        path.relative(temp.dir, result.path),
        new RegExp(`^demo_zylker-store_[0-9a-f]{12}/All_Customers_${jobId}\\.csv$`),
      );
      assert.deepEqual(await temp.files(), [path.relative(temp.dir, result.path)]);
      assert.equal(result.records, 1000);
      assert.equal(await firstLine(result.path), CUSTOMERS_HEADER);
      assert.equal(await countCsvRecords(result.path), 1000);
      assert.equal(status.result?.count, 1000);
      assert.equal(result.bytes, (await readFile(result.path)).length);
      assert.equal(result.downloadedAt, 1234);
    });
  }

  for (const behaviour of ['truncate', 'reset'] as const) {
    it(`leaves no CSV and no .part file when the download is cut off (${behaviour})`, async () => {
      const client = clientFor(sim);
      const jobId = await completedJob(client, 'All_Customers');
      sim.switches.downloadBehaviour = behaviour;

      await rejectsWith(fetchResult(client, owner(jobId), temp.dir, { expectedRecords: 1000 }), 'network');

      assert.deepEqual(await temp.files(), []);
    });
  }

  // With 72 KiB free the ZIP (about 40 kB) would fit, but not beside its 132 kB CSV.
  const fills: Array<[format: 'zip' | 'csv', freeKiB: number]> = [
    ['zip', 8],
    ['csv', 8],
    ['zip', 72],
  ];
  for (const [format, freeKiB] of fills) {
    it(`says the disk is full, where and how much to free, and tries no more (${format}, ${freeKiB} KiB free)`, async function () {
      const disk = path.join(temp.dir, 'disk');
      await mkdir(disk);
      const unmount = mountSmallDisk(disk);
      if (!unmount) {
        this.skip(); // needs root with CAP_SYS_ADMIN (test/unit/helpers/smallDisk.ts)
      }
      try {
        // Another program fills the disk after the free-space check, leaving freeKiB of 1 MB.
        await writeFile(path.join(disk, 'filler'), Buffer.alloc(1024 * 1024 - freeKiB * 1024));
        sim.switches.downloadFormat = format;
        const client = clientFor(sim);
        const jobId = await completedJob(client, 'All_Customers');
        const before = sim.requests.length;
        const error = await rejectsWith(
          fetchResult(client, owner(jobId), disk, { expectedRecords: 1000, freeBytes: async () => 1e9 }),
          'diskFull',
        );
        assert.match(
          error.message,
          new RegExp(
            `^The disk is full: the result of job ${jobId} could not be saved in ${disk.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}.*; nothing of it was kept\\. Free at least \\d+ MB there, then try again\\.$`,
          ),
        );
        const downloads = sim.requests.slice(before).filter((r) => /\/result\/?$/.test(r.path));
        assert.equal(downloads.length, 1, 'a full disk is not a dropped connection: no second try');
        assert.deepEqual(
          (await temp.files()).filter((f) => !f.endsWith('filler')),
          [],
        );
      } finally {
        unmount?.();
      }
    });
  }

  it('says the disk is nearly full when the free room (less the reserve) stops a result, and tries no more', async () => {
    const client = clientFor(sim);
    const jobId = await completedJob(client, 'All_Customers');
    const before = sim.requests.length;
    const error = await rejectsWith(
      fetchResult(client, owner(jobId), temp.dir, {
        expectedRecords: 1000,
        freeBytes: async () => DISK_RESERVE_BYTES + 10_000, // room for 10 kB: the ZIP is about 40 kB
      }),
      'diskFull',
    );
    assert.match(
      error.message,
      /^The disk is full: the result of job \d+ could not be saved in .* \(it needs more than the [\d]+ bytes free there, less 32 MB kept free for the system\); nothing of it was kept\. Free at least \d+ MB there, then try again\.$/,
    );
    assert.ok(error.message.includes(temp.dir), error.message);
    assert.equal(sim.requests.slice(before).filter((r) => /\/result\/?$/.test(r.path)).length, 1);
    assert.deepEqual(await temp.files(), []);
  });

  it('surfaces a JSON error envelope as the matching ZohoError and writes nothing', async () => {
    const client = clientFor(sim);
    const jobId = await completedJob(client, 'All_Customers');
    sim.switches.downloadFormat = 'jsonError';

    const error = await rejectsWith(
      fetchResult(client, owner(jobId), temp.dir, { expectedRecords: 1000 }),
      'notFound',
    );

    assert.equal(error.code, 2894);
    assert.deepEqual(await temp.files(), []);
  });

  it('leaves nothing behind when cancelled mid-download', async () => {
    const client = clientFor(sim);
    const jobId = await completedJob(client, 'All_Customers');
    sim.switches.downloadBehaviour = 'slow';
    sim.switches.slowBytesPerSecond = 4096;
    const controller = new AbortController();

    const fetching = fetchResult(client, owner(jobId), temp.dir, {
      expectedRecords: 1000,
      signal: controller.signal,
      onProgress: () => controller.abort(),
    });

    await rejectsWith(fetching, 'cancelled');
    assert.deepEqual(await temp.files(), []);
  });

  it('clears .part files a crash left behind and never exposes a partial CSV', async () => {
    const client = clientFor(sim);
    const jobId = await completedJob(client, 'All_Customers');
    const paths = resultPaths(temp.dir, owner(jobId));
    await mkdir(paths.folder, { recursive: true });
    await writeFile(paths.downloadPart, 'half a zip');
    await writeFile(paths.extractPart, 'half a csv');

    const result = await fetchResult(client, owner(jobId), temp.dir, { expectedRecords: 1000 });

    assert.deepEqual(await temp.files(), [path.relative(temp.dir, paths.csv)]);
    assert.equal(await countCsvRecords(result.path), 1000);
  });

  it('stops extracting past the size cap (ZIP bomb guard) and keeps nothing', async () => {
    const client = clientFor(sim);
    const jobId = await completedJob(client, 'All_Customers');

    const error = await rejectsWith(
      fetchResult(client, owner(jobId), temp.dir, { expectedRecords: 1000, maxExtractedBytes: 10_000 }),
      'server',
    );

    assert.match(error.message, /10000/);
    assert.deepEqual(await temp.files(), []);
  });

  it('never fails a window whose lock file lands in the folder another window just removed', async () => {
    // Each window removes the job's folder after releasing the lock when it is empty; the other
    // may have created the folder a moment before and be about to create its lock file in it.
    const job = owner('race');
    let ran = 0;
    const window = async (): Promise<void> => {
      for (let i = 0; i < 150; i++) {
        const outcome = await withResultLock(temp.dir, job, async () => void ran++);
        assert.ok(outcome === undefined || outcome === 'busy');
      }
    };
    const outcomes = await Promise.allSettled([window(), window(), window()]);
    assert.deepEqual(
      outcomes.filter((outcome) => outcome.status === 'rejected'),
      [],
    );
    assert.ok(ran > 0);
  });
});

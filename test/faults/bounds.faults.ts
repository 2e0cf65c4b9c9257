// Never let the server decide how much we write or hold: bombs, lies about sizes, enormous JSON.
import * as assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { Harness, hostile, startHarness, stopHarness, type HarnessOptions } from './harness';
import { csvOf, json, zipOf } from './hostileServer';

/** Inflates to 16 MiB; about 16 KiB on the wire. */
const GZIP_BOMB = gzipSync(Buffer.alloc(16 * 1024 * 1024, 0x41), { level: 9 });

describe('faults: bounds', () => {
  let h: Harness;
  const start = async (options: HarnessOptions = {}): Promise<Harness> => (h = await startHarness(options));
  afterEach(async () => {
    await stopHarness();
  });

  hostile(
    'a ZIP bomb (a 1-record job whose CSV inflates to 16 MiB) is stopped near 1 MiB, nothing kept',
    async () => {
      await start();
      const bomb = `ID,Note\r\n1,"${'A'.repeat(16 * 1024 * 1024)}"\r\n`;
      const zip = await zipOf([['All_Orders.csv', bomb]]);
      assert.ok(zip.length < 1024 * 1024, 'the bomb itself is small');
      h.completesWith(1).on('download', (_req, res) => {
        res.writeHead(200, { 'Content-Type': 'application/zip' });
        res.end(zip);
      });
      const job = await h.createAndSettle();
      await h.assertFailedCleanly(job, /more than \d+ bytes.*safety measure/);
      assert.match(
        job.lastError?.message ?? '',
        /1114112/,
        'the cap: 1 MiB header allowance + 64 KiB per record',
      );
    },
  );

  hostile(
    'a gzip Content-Encoding bomb on the download is inflated no further than the job can hold',
    async () => {
      await start();
      h.completesWith(1).on('download', (_req, res) => {
        res.writeHead(200, { 'Content-Type': 'text/csv', 'Content-Encoding': 'gzip' });
        res.end(GZIP_BOMB);
      });
      await h.assertFailedCleanly(await h.createAndSettle(), /larger than the 1114112 bytes/);
    },
  );

  hostile(
    'a declared Content-Length beyond what the job can hold is refused before any byte is written',
    async () => {
      await start();
      h.completesWith(2).on('download', (_req, res) => {
        res.writeHead(200, { 'Content-Type': 'application/zip', 'Content-Length': String(50 * 1024 ** 3) });
        res.write('PK\x03\x04');
        // never ends: the client must not wait for 50 GiB
      });
      await h.assertFailedCleanly(await h.createAndSettle(), /is 53687091200 bytes, more than/);
    },
  );

  hostile(
    'free disk space bounds the download: a result larger than the disk allows is stopped',
    async () => {
      // 33 MiB free leaves 1 MiB after the 32 MiB reserve; the result is 2 MiB of valid records.
      await start({ freeBytes: async () => 33 * 1024 * 1024 });
      const records = 20_000;
      const csv = csvOf(records, `ID,Note${'_'.repeat(60)}`).replace(/note/g, 'n'.repeat(100));
      assert.ok(csv.length > 2 * 1024 * 1024);
      h.completesWith(records).on('download', (_req, res) => {
        res.writeHead(200, { 'Content-Type': 'text/csv' });
        res.end(csv);
      });
      await h.assertFailedCleanly(await h.createAndSettle(), /free disk space/);
    },
  );

  hostile(
    'an enormous JSON status answer (4 MB) is not read: the job keeps its state and shows why',
    async () => {
      await start();
      h.completesWith(1).on('status', (_req, res) =>
        json(res, 200, {
          code: 3000,
          details: { id: '2000000018003', status: 'In-progress', pad: 'x'.repeat(4e6) },
        }),
      );
      const created = await h.create();
      assert.ok(created);
      const job = await h.until(created.key, (j) => !!j.lastError, 'a poll error');
      assert.equal(job.state, 'running');
      assert.match(job.lastError?.message ?? '', /more than 1 MB/);
    },
  );

  hostile('a gzip-encoded JSON status that inflates to 16 MiB is capped at 1 MB too', async () => {
    await start();
    h.completesWith(1).on('status', (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' });
      res.end(GZIP_BOMB);
    });
    const created = await h.create();
    assert.ok(created);
    const job = await h.until(created.key, (j) => !!j.lastError, 'a poll error');
    assert.match(job.lastError?.message ?? '', /more than 1 MB/);
  });

  hostile('malformed JSON from the status API is an error, not a crash, and the job is kept', async () => {
    await start();
    h.completesWith(1).on('status', (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"code":3000,"details":{"id":"2000000018003","status":');
    });
    const created = await h.create();
    assert.ok(created);
    const job = await h.until(created.key, (j) => !!j.lastError, 'a poll error');
    assert.match(job.lastError?.message ?? '', /something other than JSON/);
    assert.equal(h.service.jobs().length, 1);
  });

  hostile('a 100 KB server message is stored and shown cut to about 500 characters', async () => {
    await start();
    h.completesWith(1).on('status', (_req, res) =>
      json(res, 400, { code: 3020, message: `Bad request ${'blah '.repeat(20_000)}` }),
    );
    const created = await h.create();
    assert.ok(created);
    const job = await h.until(created.key, (j) => !!j.lastError, 'a poll error');
    const message = job.lastError?.message ?? '';
    assert.match(message, /^Bad request blah/);
    assert.ok(message.length < 700, `${message.length} characters stored`);
    assert.ok(
      h.logger.lines.every((line) => line.length < 1200),
      'no log line carries the whole text',
    );
  });

  hostile('a status with a 100 KB status text is stored cut short', async () => {
    await start();
    h.completesWith(1).on('status', (_req, res, hit) =>
      json(res, 200, { code: 3000, details: { id: hit.jobId, status: 'X'.repeat(100_000) } }),
    );
    const created = await h.create();
    assert.ok(created);
    const job = await h.until(created.key, (j) => j.state === 'unknown', 'the odd status');
    assert.ok((job.details?.status.length ?? 0) <= 100);
    assert.ok((await h.storedText()).length < 5000, 'the stored job list stays small');
  });
});

// Never let the server decide how much we write or hold: bombs, lies about sizes, enormous JSON.
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { deflateBomb, zipOfDeflated } from '../unit/results/bombs';
import { Harness, hostile, startHarness, stopHarness, type HarnessOptions } from './harness';
import { csvOf, json, zipOf } from './hostileServer';

const MIB = 1024 * 1024;
/** Inflates to 16 MiB; about 16 KiB on the wire. */
const GZIP_BOMB = gzipSync(Buffer.alloc(16 * MIB, 0x41), { level: 9 });
/** One record whose note is 16 MiB of one letter: what the Content-Encoding bombs below decode to. */
const BOMB_CSV = Buffer.from(`ID,Note\r\n1,"${'A'.repeat(16 * MIB)}"\r\n`);
/** A claimed count this large allows 12.2 GiB (64 KiB a record): only the ratio stops a bomb. */
const MANY = 200_000;
const RATIO_STOP = /expands to more than 100 times its compressed size.*nothing was kept\. Download it again/;

function send(body: Buffer, headers: Record<string, string>) {
  return (_req: unknown, res: ServerResponse): void => {
    res.writeHead(200, headers);
    res.end(body);
  };
}

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
    'a gzip Content-Encoding body is decoded no further than the job can hold, however modest its ratio',
    async () => {
      await start();
      // 2 MiB of hex: about twice smaller gzipped, far below the ratio that stops a bomb.
      const csv = `ID,Note\r\n1,"${randomBytes(MIB).toString('hex')}"\r\n`;
      h.completesWith(1).on(
        'download',
        send(gzipSync(csv), { 'Content-Type': 'text/csv', 'Content-Encoding': 'gzip' }),
      );
      await h.assertFailedCleanly(await h.createAndSettle(), /larger than the 1114112 bytes/);
    },
  );

  hostile(
    'a ZIP entry declaring 1,000 bytes that inflates past 256 MiB stops at its declared size, nothing kept',
    async () => {
      await start();
      const lying = zipOfDeflated('All_Orders.csv', deflateBomb('ID,Note\r\n1,"', 'A', 257, '"\r\n'), 1000);
      h.completesWith(MANY).on('download', send(lying, { 'Content-Type': 'application/zip' }));
      await h.assertFailedCleanly(
        await h.createAndSettle(),
        /not a valid ZIP file \(the CSV holds more than the 1000 bytes the ZIP declares\); nothing was kept\. Download it again/,
      );
    },
  );

  hostile(
    'a ZIP bomb (1 GiB from 1 MB, sizes honest) is stopped by its ratio, not by the count-derived cap',
    async () => {
      await start();
      const bomb = zipOfDeflated('All_Orders.csv', deflateBomb('ID,Note\r\n1,"', 'A', 1024, '"\r\n'));
      assert.ok(bomb.length < 2 * MIB, 'the bomb itself is small');
      h.completesWith(MANY).on('download', send(bomb, { 'Content-Type': 'application/zip' }));
      const job = await h.createAndSettle();
      await h.assertFailedCleanly(job, RATIO_STOP);
      assert.match(job.lastError?.message ?? '', /^The result's CSV in the ZIP expands/);
    },
  );

  const encoded: Array<[encoding: string, body: Buffer]> = [
    ['gzip', gzipSync(BOMB_CSV, { level: 9 })],
    ['deflate', deflateSync(BOMB_CSV, { level: 9 })],
    ['br', brotliCompressSync(BOMB_CSV)],
  ];
  for (const [encoding, body] of encoded) {
    hostile(
      `a ${encoding} Content-Encoding bomb is stopped by its ratio, not by the count-derived cap`,
      async () => {
        await start();
        h.completesWith(MANY).on(
          'download',
          send(body, { 'Content-Type': 'text/csv', 'Content-Encoding': encoding }),
        );
        const job = await h.createAndSettle();
        await h.assertFailedCleanly(job, RATIO_STOP);
        assert.match(
          job.lastError?.message ?? '',
          new RegExp(`^The result's ${encoding}-encoded download expands`),
        );
      },
    );
  }

  hostile('a gzip-encoded ZIP with a Content-Length (of the encoded bytes) downloads as usual', async () => {
    await start();
    const csv = csvOf(40);
    const gzipped = gzipSync(await zipOf([['All_Orders.csv', csv]]));
    h.completesWith(40).on(
      'download',
      send(gzipped, {
        'Content-Type': 'application/zip',
        'Content-Encoding': 'gzip',
        'Content-Length': String(gzipped.length),
      }),
    );
    const job = await h.createAndSettle();
    assert.equal(job.download, 'ready', job.lastError?.message);
    assert.equal(job.result?.records, 40);
  });

  hostile('a Content-Encoding the extension cannot read is refused by name, nothing kept', async () => {
    await start();
    h.completesWith(3).on(
      'download',
      // A zstd frame's magic and noise: zstd is not among the encodings decodeBody reads.
      send(Buffer.concat([Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), randomBytes(64)]), {
        'Content-Type': 'text/csv',
        'Content-Encoding': 'zstd',
      }),
    );
    await h.assertFailedCleanly(
      await h.createAndSettle(),
      /an encoding this extension cannot read \(zstd\); nothing was kept/,
    );
  });

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
      // A full disk is the user's to fix: said so, where and how much, and not tried again.
      const job = await h.createAndSettle();
      await h.assertFailedCleanly(
        job,
        /^The disk is full: the result of job \d+ could not be saved in .* \(it needs more than the 34603008 bytes free there, less 32 MB kept free for the system\); nothing of it was kept\. Free at least \d+ MB there, then try again\.$/,
      );
      assert.equal(job.lastError?.kind, 'diskFull');
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

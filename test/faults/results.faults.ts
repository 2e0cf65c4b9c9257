// A result is exactly the report, or it is an error: what the server sends as "the result".
import * as assert from 'node:assert/strict';
import { access, readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { Harness, JOB_ID, hostile, startHarness, stopHarness, type HarnessOptions } from './harness';
import { csvOf, json, renameInZip, zipOf } from './hostileServer';

describe('faults: results', () => {
  let h: Harness;
  const start = async (options: HarnessOptions = {}): Promise<Harness> => (h = await startHarness(options));
  afterEach(async () => {
    await stopHarness();
  });

  function sendZip(zip: Buffer, headers: Record<string, string> = {}) {
    return (_req: unknown, res: import('node:http').ServerResponse): void => {
      res.writeHead(200, { 'Content-Type': 'application/zip', ...headers });
      res.end(zip);
    };
  }

  hostile('a ZIP with one CSV holding the counted records is ready, byte for byte', async () => {
    await start();
    const csv = csvOf(25).replace('"note 7"', '"line one\r\nline two, with ""quotes"""');
    h.completesWith(25).on('download', sendZip(await zipOf([[`All_Orders_${JOB_ID}.csv`, csv]])));
    const job = await h.createAndSettle();
    assert.equal(job.download, 'ready', job.lastError?.message);
    assert.ok(job.result);
    assert.equal(job.result.records, 25, 'records counted per RFC 4180 (a value holds a newline)');
    assert.equal(await readFile(job.result.path, 'utf8'), csv);
    assert.deepEqual(await h.files(), [path.relative(h.dir, job.result.path)]);
  });

  hostile(
    'other entries beside the one CSV are ignored, logged and never written (zip-slip names included)',
    async () => {
      await start();
      const zip = await zipOf([
        ['readme.txt', 'hello'],
        ['All_Orders.csv', csvOf(3)],
        ['xx/xx/evil.sh', 'rm -rf /'],
      ]);
      h.completesWith(3).on('download', sendZip(renameInZip(zip, 'xx/xx/evil.sh', '../../evil.sh')));
      const job = await h.createAndSettle();
      assert.equal(job.download, 'ready', job.lastError?.message);
      assert.match(
        h.logger.lines.join('\n'),
        /ignored 2 entries besides the CSV: readme\.txt, \.\.\/\.\.\/evil\.sh/,
      );
      assert.deepEqual(await h.files(), [path.relative(h.dir, job.result?.path ?? '')]);
      await assert.rejects(access(path.join(h.dir, '..', 'evil.sh')));
    },
  );

  hostile('an HTML page (200 text/html) is an error naming it, and nothing is kept', async () => {
    await start();
    h.completesWith(3).on('download', (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end('<!DOCTYPE html><html><body>Please sign in</body></html>');
    });
    const job = await h.createAndSettle();
    await h.assertFailedCleanly(job, /Zoho sent a web page instead of the result ZIP/);
    assert.equal(job.state, 'completed', 'the job itself stays completed: the user may download again');
  });

  hostile('binary junk declared as octet-stream is an error, and nothing is kept', async () => {
    await start();
    h.completesWith(3).on('download', (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
      res.end(Buffer.from([0x00, 0x13, 0x37, 0xff, 0xfe, 0x01, 0x02, 0x03]));
    });
    await h.assertFailedCleanly(await h.createAndSettle(), /something that is not a ZIP file/);
  });

  hostile('junk declared as a ZIP (no PK magic) is an error, and nothing is kept', async () => {
    await start();
    h.completesWith(3).on('download', sendZip(Buffer.from('this is no zip at all, only words\n')));
    await h.assertFailedCleanly(await h.createAndSettle(), /not a ZIP file/);
  });

  hostile('an empty 200 body is an error', async () => {
    await start();
    h.completesWith(3).on('download', sendZip(Buffer.alloc(0)));
    await h.assertFailedCleanly(await h.createAndSettle(), /an empty answer/);
  });

  hostile('a ZIP without a CSV is an error', async () => {
    await start();
    h.completesWith(3).on('download', sendZip(await zipOf([['report.xlsx', 'x']])));
    await h.assertFailedCleanly(await h.createAndSettle(), /holds no CSV file/);
  });

  hostile('a ZIP with two CSVs is an error: which one is the report cannot be known', async () => {
    await start();
    h.completesWith(3).on(
      'download',
      sendZip(
        await zipOf([
          ['a.csv', csvOf(3)],
          ['b.csv', csvOf(3)],
        ]),
      ),
    );
    await h.assertFailedCleanly(await h.createAndSettle(), /holds 2 CSV files/);
  });

  hostile('a truncated ZIP (its length told honestly) is an error', async () => {
    await start();
    const zip = await zipOf([['All_Orders.csv', csvOf(500)]]);
    h.completesWith(500).on('download', sendZip(zip.subarray(0, Math.floor(zip.length * 0.6))));
    await h.assertFailedCleanly(await h.createAndSettle(), /not a valid ZIP file/);
  });

  hostile(
    'a ZIP whose CSV entry is named ../../x.csv (zip slip) is an error and writes nothing outside',
    async () => {
      await start();
      const zip = await zipOf([['xx/xx/x.csv', csvOf(3)]]);
      h.completesWith(3).on('download', sendZip(renameInZip(zip, 'xx/xx/x.csv', '../../x.csv')));
      await h.assertFailedCleanly(await h.createAndSettle(), /unsafe entry name/);
      await assert.rejects(access(path.join(h.dir, '..', 'x.csv')));
    },
  );

  hostile('a CSV with fewer records than Zoho counted names both numbers and is not kept', async () => {
    await start();
    h.completesWith(1000).on('download', sendZip(await zipOf([['All_Orders.csv', csvOf(999)]])));
    await h.assertFailedCleanly(await h.createAndSettle(), /holds 999 records but Zoho counted 1000/);
  });

  hostile('a CSV with more records than counted is not kept either (records, not lines)', async () => {
    await start();
    // 10 lines but 5 records: five values span two lines each; Zoho counted 4.
    const csv = `ID,Note\n${[1, 2, 3, 4, 5].map((i) => `${i},"a\nb"`).join('\n')}\n`;
    h.completesWith(4).on('download', sendZip(await zipOf([['All_Orders.csv', csv]])));
    await h.assertFailedCleanly(await h.createAndSettle(), /holds 5 records but Zoho counted 4/);
  });

  hostile('a raw CSV declared text/csv that matches the count is ready', async () => {
    await start();
    const csv = csvOf(12);
    h.completesWith(12).on('download', (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/csv;charset=UTF-8' });
      res.end(csv);
    });
    const job = await h.createAndSettle();
    assert.equal(job.download, 'ready', job.lastError?.message);
    assert.equal(await readFile(job.result?.path ?? '', 'utf8'), csv);
  });

  hostile('a raw CSV declared text/csv with the wrong count is an error naming both numbers', async () => {
    await start();
    h.completesWith(12).on('download', (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/csv' });
      res.end(csvOf(11));
    });
    await h.assertFailedCleanly(await h.createAndSettle(), /holds 11 records but Zoho counted 12/);
  });

  hostile('a raw CSV not declared as CSV (text/plain) is an error', async () => {
    await start();
    h.completesWith(12).on('download', (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end(csvOf(12));
    });
    await h.assertFailedCleanly(await h.createAndSettle(), /instead of the result ZIP \(text\/plain\)/);
  });

  hostile('the zero-record JSON answer (code 3000) with a count of 0 is a ready, empty result', async () => {
    await start();
    h.completesWith(0).on('download', (_req, res) => json(res, 200, { code: 3000, message: 'No records' }));
    const job = await h.createAndSettle();
    assert.equal(job.download, 'ready', job.lastError?.message);
    assert.equal(job.result?.records, 0);
    assert.equal(await readFile(job.result?.path ?? '', 'utf8'), '');
  });

  hostile('a header-only ZIP with a count of 0 is ready', async () => {
    await start();
    h.completesWith(0).on('download', sendZip(await zipOf([['All_Orders.csv', 'ID,Note\r\n']])));
    const job = await h.createAndSettle();
    assert.equal(job.download, 'ready', job.lastError?.message);
    assert.equal(job.result?.records, 0);
  });

  hostile(
    'the zero-record JSON answer while Zoho counted records is an error naming both numbers',
    async () => {
      await start();
      h.completesWith(7).on('download', (_req, res) => json(res, 200, { code: 3000 }));
      await h.assertFailedCleanly(await h.createAndSettle(), /holds 0 records but Zoho counted 7/);
    },
  );

  hostile("a JSON error envelope instead of the ZIP is shown as Zoho's message", async () => {
    await start();
    h.completesWith(7).on('download', (_req, res) =>
      json(res, 200, { code: 2894, message: 'Unable to export the report data.' }),
    );
    await h.assertFailedCleanly(await h.createAndSettle(), /Unable to export the report data/);
  });

  hostile(
    'a completed job without a count is not presented as ready (nothing to check it against)',
    async () => {
      await start();
      h.completesWith(undefined).on('download', sendZip(await zipOf([['All_Orders.csv', csvOf(3)]])));
      await h.assertFailedCleanly(await h.createAndSettle(), /did not say how many records/);
      assert.equal(h.server.hits('download'), 0, 'no download call spent on an uncheckable result');
    },
  );

  hostile('a later good download replaces nothing until it is complete and counted', async () => {
    await start({ autoDownload: false });
    let good = false;
    const zipGood = await zipOf([['All_Orders.csv', csvOf(5)]]);
    const zipBad = await zipOf([['All_Orders.csv', csvOf(4)]]);
    h.completesWith(5).on('download', (req, res) => sendZip(good ? zipGood : zipBad)(req, res));
    const created = await h.create();
    assert.ok(created);
    const job = await h.until(created.key, (j) => j.state === 'completed', 'completion');
    await assert.rejects(h.service.ensureResult(job.key), /holds 4 records but Zoho counted 5/);
    assert.deepEqual(await h.files(), []);
    good = true;
    const result = await h.service.ensureResult(job.key);
    assert.equal(result.records, 5);
    assert.equal(h.service.get(job.key)?.download, 'ready');
    assert.equal(h.service.get(job.key)?.lastError, undefined, 'the old error is gone');
  });
});

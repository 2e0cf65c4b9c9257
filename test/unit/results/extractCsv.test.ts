import * as assert from 'node:assert/strict';
import { access, readFile, stat, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { extractCsv, isUnsafeEntryName } from '../../../src/results/extractCsv';
import { silentLogger } from '../../../src/core/ports';
import { isZohoError } from '../../../src/zoho/errors';
import { buildCatalog } from '../../simulator/data';
import { encodeRow } from '../../simulator/csv';
import { renameInZip, zipOf as zip } from '../helpers/zip';
import { deflateBomb, zipOfDeflated } from './bombs';
import { quoteHeavyJsonCsv, tempDir } from './helpers';

describe('extractCsv', () => {
  let temp: Awaited<ReturnType<typeof tempDir>>;
  let zipPath: string;
  let outPath: string;
  beforeEach(async () => {
    temp = await tempDir();
    zipPath = path.join(temp.dir, 'in.zip');
    outPath = path.join(temp.dir, 'out.csv.part');
  });
  afterEach(() => temp.remove());

  async function serverError(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
    await assert.rejects(promise, (error) => {
      assert.ok(isZohoError(error, 'server'), String(error));
      assert.match(error.message, pattern);
      return true;
    });
  }

  it('extracts the one CSV entry and counts its records, ignoring (and logging) other files', async () => {
    await writeFile(
      zipPath,
      await zip([
        ['readme.txt', 'not me'],
        ['R_1.csv', 'a,b\n1,"two\nlines"\n3,4\n'],
        ['images/logo.png', 'x\n'],
      ]),
    );
    const warnings: string[] = [];
    const logger = { ...silentLogger, warn: (line: string) => warnings.push(line) };
    const extracted = await extractCsv(zipPath, outPath, { logger });
    assert.equal(await readFile(outPath, 'utf8'), 'a,b\n1,"two\nlines"\n3,4\n');
    assert.deepEqual(extracted, { bytes: 22, records: 2 });
    assert.match(warnings.join('\n'), /ignored 2 entries.*readme\.txt, images\/logo\.png/);
  });

  it('masks secrets a server put in the names of other entries before logging them', async () => {
    await writeFile(
      zipPath,
      await zip([
        ['access_token=1000.secret42.txt', 'x'],
        ['R_1.csv', 'a\n1\n'],
      ]),
    );
    const warnings: string[] = [];
    const logger = { ...silentLogger, warn: (line: string) => warnings.push(line) };
    await extractCsv(zipPath, outPath, { logger });
    assert.match(warnings.join('\n'), /ignored 1 entry.*access_token=\*\*\*/);
    assert.doesNotMatch(warnings.join('\n'), /secret42/);
  });

  it('refuses a ZIP with two CSV files: which one is the report cannot be known', async () => {
    await writeFile(
      zipPath,
      await zip([
        ['R_1.csv', 'a\n1\n'],
        ['other.csv', 'x\n'],
      ]),
    );
    await serverError(extractCsv(zipPath, outPath), /2 CSV files/);
  });

  it('refuses entry names that climb out of a folder', async () => {
    // yazl refuses to write such a name, so write a same-length one and patch it in place.
    const bytes = await zip([['xx/evil.csv', 'a\n']]);
    await writeFile(zipPath, renameInZip(bytes, 'xx/evil.csv', '../evil.csv'));
    await serverError(extractCsv(zipPath, outPath), /unsafe entry name "\.\.\/evil\.csv"/);
    assert.deepEqual(await temp.files(), ['in.zip'], 'nothing extracted');
    await assert.rejects(access(path.join(temp.dir, '..', 'evil.csv')), 'nothing written outside');
    assert.ok(isUnsafeEntryName('/etc/x.csv'));
    assert.ok(isUnsafeEntryName('C:\\x.csv'));
    assert.ok(isUnsafeEntryName('a\\..\\x.csv'));
    assert.ok(!isUnsafeEntryName('dir/R_1.csv'));
  });

  it('reports a ZIP without a CSV', async () => {
    await writeFile(zipPath, await zip([['readme.txt', 'x']]));
    await serverError(extractCsv(zipPath, outPath), /no CSV/);
  });

  it('reports a corrupt ZIP as a server error with a clear message', async () => {
    const good = await zip([['R_1.csv', 'a,b\n'.repeat(1000)]]);
    await writeFile(zipPath, good.subarray(0, good.length - 30));
    await serverError(extractCsv(zipPath, outPath), /not a valid ZIP/);
  });

  /** A CSV of `rows` distinct lines: several 1 MiB inflate chunks, with no chunk-sized pattern. */
  function bigCsv(rows: number): string {
    const lines = ['id,name,amount'];
    for (let i = 0; i < rows; i++) {
      lines.push(`${i},"Name ${(i * 7919) % 10007}, Jr.",${(i * 31) % 997}.${i % 100}`);
    }
    return lines.join('\r\n') + '\r\n';
  }

  /** The ZIP's central directory record of its first entry (where yauzl reads size and CRC-32). */
  function centralRecord(bytes: Buffer): number {
    const at = bytes.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    assert.ok(at > 0, 'a central directory record');
    return at;
  }

  for (const compress of [true, false]) {
    it(`extracts a multi-megabyte ${compress ? 'deflated' : 'stored'} CSV byte for byte`, async () => {
      const text = bigCsv(150_000);
      assert.ok(text.length > 4 * 1024 * 1024);
      await writeFile(zipPath, await zip([['R_1.csv', text]], { compress }));
      const extracted = await extractCsv(zipPath, outPath);
      assert.equal(extracted.bytes, Buffer.byteLength(text));
      assert.equal(extracted.records, 150_000);
      assert.ok((await readFile(outPath)).equals(Buffer.from(text)), 'identical bytes');
    });
  }

  it('refuses a CSV that does not match the CRC-32 its ZIP declares', async () => {
    const bytes = await zip([['R_1.csv', bigCsv(1000)]]);
    const crcAt = centralRecord(bytes) + 16;
    bytes.writeUInt32LE((bytes.readUInt32LE(crcAt) ^ 1) >>> 0, crcAt);
    await writeFile(zipPath, bytes);
    await serverError(extractCsv(zipPath, outPath), /not a valid ZIP.*checksum/);
  });

  it('refuses a CSV shorter than its ZIP declares', async () => {
    const bytes = await zip([['R_1.csv', bigCsv(1000)]]);
    const sizeAt = centralRecord(bytes) + 24;
    bytes.writeUInt32LE(bytes.readUInt32LE(sizeAt) + 1, sizeAt);
    await writeFile(zipPath, bytes);
    await serverError(extractCsv(zipPath, outPath), /not a valid ZIP.*declares/);
  });

  it('extracts an empty stored CSV (no data bytes at all) as an empty file of 0 records', async () => {
    await writeFile(zipPath, await zip([['R_1.csv', '']], { compress: false }));
    assert.deepEqual(await extractCsv(zipPath, outPath), { bytes: 0, records: 0 });
    assert.equal((await readFile(outPath)).length, 0);
  });

  it('a cancel at any point of the extraction ends it as cancelled, never as a corrupt ZIP', async () => {
    const text = bigCsv(150_000); // several 1 MiB chunks, each counted a turn after it is inflated
    await writeFile(zipPath, await zip([['R_1.csv', text]]));
    const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
    // How many turns of the event loop a whole extraction takes here, to cancel at fractions of it.
    let settled = false;
    const whole = extractCsv(zipPath, outPath).finally(() => (settled = true));
    let turnsInAll = 0;
    for (; !settled; turnsInAll++) {
      await nextTurn();
    }
    assert.equal((await whole).records, 150_000);
    let cancelled = 0;
    // Turns after the start: the first few always come before the end (opening the ZIP alone takes
    // more), the fractions spread over the rest; how many turns a run takes varies with the load.
    const fractions = [0.05, 0.2, 0.4, 0.6, 0.8, 0.95, 1.5];
    for (const turns of [0, 1, 2, ...fractions.map((fraction) => Math.round(turnsInAll * fraction))]) {
      const controller = new AbortController();
      const extracting = extractCsv(zipPath, outPath, { signal: controller.signal });
      for (let turn = 0; turn < turns; turn++) {
        await nextTurn();
      }
      controller.abort();
      try {
        const extracted = await extracting; // done before the cancel came: then the file is whole
        assert.equal(extracted.records, 150_000);
        assert.ok((await readFile(outPath)).equals(Buffer.from(text)), `identical bytes (${turns} turns)`);
      } catch (error) {
        assert.ok(isZohoError(error, 'cancelled'), `cancelled after ${turns} turns: ${String(error)}`);
        cancelled++;
      }
    }
    assert.ok(cancelled >= 3, `${cancelled} cancels landed mid-extraction`);
  });

  /** Bytes the extraction wrote before it stopped (0 if it never created the file). */
  async function written(): Promise<number> {
    return (await stat(outPath).catch(() => ({ size: 0 }))).size;
  }

  const MIB = 1024 * 1024;

  it('stops an entry that inflates past 256 MiB where its ZIP declares 1,000 bytes at the first chunk beyond them', async () => {
    const bomb = deflateBomb('ID,Note\r\n1,"', 'A', 257, '"\r\n');
    await writeFile(zipPath, zipOfDeflated('R_1.csv', bomb, 1000));
    await serverError(
      extractCsv(zipPath, outPath),
      /^The downloaded result is not a valid ZIP file \(the CSV holds more than the 1000 bytes the ZIP declares\); nothing was kept\. Download it again/,
    );
    assert.ok((await written()) <= 1000, `${await written()} bytes written`);
  });

  it('stops an ordinary CSV that is larger than its ZIP declares before writing past the declared size', async () => {
    // Deflates about 4 times: only the declared size can stop it early, not the inflate ratio.
    const bytes = await zip([['R_1.csv', bigCsv(150_000)]]);
    bytes.writeUInt32LE(1000, centralRecord(bytes) + 24);
    await writeFile(zipPath, bytes);
    await serverError(extractCsv(zipPath, outPath), /holds more than the 1000 bytes the ZIP declares/);
    assert.ok((await written()) <= 1000, `${await written()} bytes written`);
  });

  it('stops a ZIP bomb by its inflate ratio near 1 MiB, far below the cap the job allows', async () => {
    // Honest sizes and CRC-32: 256 MiB from about 260 KB, under the default 4 GiB cap.
    const bomb = deflateBomb('ID,Note\r\n1,"', 'A', 256, '"\r\n');
    await writeFile(zipPath, zipOfDeflated('R_1.csv', bomb));
    await serverError(
      extractCsv(zipPath, outPath),
      /^The result's CSV in the ZIP expands to more than 100 times its compressed size \([\d,]+ compressed bytes made [\d,]+ bytes\).*nothing was kept\. Download it again; if it keeps happening, create the job again\.$/,
    );
    assert.ok(
      (await written()) <= 2 * MIB,
      `${await written()} bytes written: the floor and one chunk at most`,
    );
  });

  describe('the inflate ratio passes real data', () => {
    const catalog = buildCatalog({ seed: 7, ordersRows: 20_000, customersRows: 20_000 });
    const report = (name: string) =>
      catalog.flatMap((app) => app.reports).find((candidate) => candidate.link_name === name);
    const samples: Array<[label: string, csv: () => string, records: number]> = [];
    for (const name of ['All_Orders', 'All_Customers']) {
      samples.push([
        `the simulator's ${name}`,
        () => {
          const def = report(name);
          assert.ok(def);
          const rows = [encodeRow(def.columns)];
          for (let i = 0; i < def.rowCount; i++) {
            rows.push(encodeRow(def.row(i)));
          }
          return rows.join('');
        },
        report(name)?.rowCount ?? -1,
      ]);
    }
    samples.push(['a quote-heavy JSON-valued CSV', () => quoteHeavyJsonCsv(50_000), 50_000]);
    // About 70 times smaller deflated: an ID and 200 empty fields per record.
    samples.push([
      'a report of 200 mostly empty columns',
      () => {
        const rows = [encodeRow(['ID', ...Array.from({ length: 200 }, (_, i) => `Field_${i}`)])];
        for (let i = 0; i < 20_000; i++) {
          rows.push(`${3_000_000_000_000 + i}${','.repeat(200)}\r\n`);
        }
        return rows.join('');
      },
      20_000,
    ]);
    for (const [label, csv, records] of samples) {
      it(label, async () => {
        const text = csv();
        const bytes = await zip([['R_1.csv', text]]);
        assert.ok(text.length > 2 * MIB, 'past the floor');
        await writeFile(zipPath, bytes);
        const extracted = await extractCsv(zipPath, outPath);
        assert.equal(extracted.records, records);
        assert.equal(
          extracted.bytes,
          Buffer.byteLength(text),
          `${(text.length / bytes.length).toFixed(0)} times`,
        );
      });
    }
  });

  it('stops when the content is larger than the cap', async () => {
    await writeFile(zipPath, await zip([['R_1.csv', 'x'.repeat(100_000)]]));
    await serverError(extractCsv(zipPath, outPath, { maxExtractedBytes: 1000 }), /1000/);
  });
});

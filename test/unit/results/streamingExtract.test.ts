// Extracting a result ZIP from the body as it arrives (src/results/streamingExtract.ts) and the
// check against the ZIP's directory that decides whether that extraction is kept (checkStreamed).
// Anything the check refuses is extracted again from the file by extractCsv (tested there and in
// the fault suite); here: what is refused, and that what is kept is exactly the CSV.
import * as assert from 'node:assert/strict';
import { readFile, stat, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { checkStreamed } from '../../../src/results/extractCsv';
import { StreamingExtraction } from '../../../src/results/streamingExtract';
import { zipOf } from '../helpers/zip';
import { zipOfDeflated } from './bombs';
import { quoteHeavyJsonCsv, tempDir } from './helpers';

describe('extracting a ZIP as it arrives', () => {
  let temp: Awaited<ReturnType<typeof tempDir>>;
  let zipPath: string;
  let outPath: string;
  const csv = quoteHeavyJsonCsv(500);
  beforeEach(async () => {
    temp = await tempDir();
    zipPath = path.join(temp.dir, 'in.zip');
    outPath = path.join(temp.dir, 'out.csv.part');
  });
  afterEach(() => temp.remove());

  /** Feeds `zip` in pieces of `size` bytes, waiting whenever asked to, and checks the result. */
  async function stream(
    zip: Buffer,
    size = 1000,
    room = 1024 ** 3,
  ): Promise<{ kept: boolean; records?: number }> {
    const extraction = new StreamingExtraction(outPath, room, zlib);
    for (let offset = 0; offset < zip.length; offset += size) {
      await extraction.push(zip.subarray(offset, offset + size));
    }
    const streamed = await extraction.finish();
    await writeFile(zipPath, zip);
    const checked = streamed && (await checkStreamed(zipPath, streamed));
    return { kept: checked !== undefined, records: checked?.records };
  }

  it('keeps the one CSV, extracted and counted in the same pass, when the directory confirms it', async () => {
    for (const size of [7, 1000, 1 << 20]) {
      const result = await stream(await zipOf([['All_Leads.csv', csv]]), size);
      assert.deepEqual(result, { kept: true, records: 500 });
      assert.equal(await readFile(outPath, 'utf8'), csv);
    }
  });

  it('does not keep a first entry that is not the CSV', async () => {
    const zip = await zipOf([
      ['readme.txt', 'not the report'],
      ['All_Leads.csv', csv],
    ]);
    assert.deepEqual(await stream(zip), { kept: false, records: undefined });
  });

  it('does not keep an entry whose local header names another file than the directory does', async () => {
    const zip = await zipOf([['All_Leads.csv', csv]]);
    // Only the first occurrence: the local header (the directory's copy comes last).
    const at = zip.indexOf('All_Leads.csv');
    zip.write('All_Decoy.csv', at, 'latin1');
    assert.deepEqual(await stream(zip), { kept: false, records: undefined });
  });

  it('does not keep a CSV whose bytes differ from the checksum the directory declares', async () => {
    const zip = await zipOf([['All_Leads.csv', csv]]);
    const directory = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    zip.writeUInt32LE((zip.readUInt32LE(directory + 16) ^ 1) >>> 0, directory + 16); // its CRC-32
    assert.deepEqual(await stream(zip), { kept: false, records: undefined });
  });

  it('leaves a stored (not deflated) entry, and a body that is no ZIP, to the usual extraction', async () => {
    assert.deepEqual(await stream(await zipOf([['All_Leads.csv', csv]], { compress: false })), {
      kept: false,
      records: undefined,
    });
    assert.deepEqual(await stream(Buffer.from('<html>not a zip</html>'.repeat(10))), {
      kept: false,
      records: undefined,
    });
  });

  it('gives up before the ZIP and the CSV together pass the room it was given', async () => {
    const zip = await zipOf([['All_Leads.csv', csv]]);
    assert.deepEqual(await stream(zip, 1000, zip.length + csv.length - 1), {
      kept: false,
      records: undefined,
    });
    assert.deepEqual(await stream(zip, 1000, zip.length + csv.length + 4096), { kept: true, records: 500 });
  });

  it('gives up on a deflated stream that is cut short', async () => {
    const zip = await zipOf([['All_Leads.csv', csv]]);
    assert.deepEqual(await stream(zip.subarray(0, Math.floor(zip.length / 2))), {
      kept: false,
      records: undefined,
    });
  });

  it('stops an entry at the first byte past the size its local header declares, writing no more', async () => {
    // An ordinary CSV (3.7 MB, deflating about 25x: inside the 100x ratio bound) whose ZIP says 1,000 bytes.
    const big = quoteHeavyJsonCsv(20_000);
    const data = zlib.deflateRawSync(big);
    assert.ok(big.length > 3_000_000 && big.length < 50 * data.length, 'a modest ratio, several MB');
    const lying = zipOfDeflated('All_Leads.csv', { data, size: big.length, crc32: zlib.crc32(big) }, 1000);
    const extraction = new StreamingExtraction(outPath, 1024 ** 3, zlib);
    for (let offset = 0; offset < lying.length; offset += 64 * 1024) {
      await extraction.push(lying.subarray(offset, offset + 64 * 1024));
    }
    assert.equal(await extraction.finish(), undefined, 'not kept: the usual extraction judges it');
    assert.ok((await stat(outPath)).size <= 1000, `wrote ${(await stat(outPath)).size} bytes`);
  });
});

import * as assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { countCsvRecords } from '../../../src/results/countCsvRecords';
import { readCsvHead } from '../../../src/results/csvHead';
import { tempDir } from './helpers';

describe('readCsvHead', () => {
  let temp: Awaited<ReturnType<typeof tempDir>>;
  beforeEach(async () => {
    temp = await tempDir();
  });
  afterEach(() => temp.remove());

  async function head(text: string, records: number, maxBytes?: number) {
    const file = path.join(temp.dir, 'x.csv');
    await writeFile(file, text);
    const taken = await readCsvHead(file, records, maxBytes);
    return { ...taken, text: taken.bytes.toString('utf8') };
  }

  it('takes the header and the first records, cut at a record end', async () => {
    const taken = await head('ID,Name\n1,a\n2,b\n3,c\n', 2);
    assert.deepEqual([taken.text, taken.records, taken.whole], ['ID,Name\n1,a\n2,b\n', 2, false]);
  });

  it('counts a quoted line break as part of its record, not a new one', async () => {
    const taken = await head('ID,Note\r\n1,"two\r\nlines"\r\n2,"say ""hi""\nnow"\r\n3,x\r\n', 2);
    assert.equal(taken.text, 'ID,Note\r\n1,"two\r\nlines"\r\n2,"say ""hi""\nnow"\r\n');
    assert.equal(taken.records, 2);
  });

  it('says when the file is shorter than asked, counting an unterminated last record', async () => {
    const taken = await head('ID\n1\n2', 10);
    assert.deepEqual([taken.text, taken.records, taken.whole], ['ID\n1\n2', 2, true]);
  });

  it('stops at maxBytes on a record end, across chunk boundaries', async () => {
    const rows = Array.from({ length: 200_000 }, (_, i) => `${i},"v\n${'x'.repeat(i % 50)}"`);
    const text = `ID,V\n${rows.join('\n')}\n`;
    const taken = await head(text, 150_000, 3 * 1024 * 1024);
    assert.ok(taken.bytes.length <= 3 * 1024 * 1024);
    assert.ok(taken.records > 1000 && taken.records < 150_000, String(taken.records));
    const file = path.join(temp.dir, 'cut.csv');
    await writeFile(file, taken.bytes);
    assert.equal(await countCsvRecords(file), taken.records);
    assert.ok(text.startsWith(taken.text));
    const far = await head(text, 120_000);
    assert.equal(far.records, 120_000);
    assert.ok(far.text.endsWith(`${rows[119_999]}\n`));
  });
});

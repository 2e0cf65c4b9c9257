// appendCsv on real files: header written once, later headers checked, line endings and quoting.
import * as assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { appendCsv, HeaderMismatchError } from '../../../src/exports/appendCsv';
import { countCsvRecords } from '../../../src/results/countCsvRecords';
import { tempDir } from '../results/helpers';

describe('appendCsv', () => {
  let temp: Awaited<ReturnType<typeof tempDir>>;
  let target: string;

  beforeEach(async () => {
    temp = await tempDir();
    target = path.join(temp.dir, 'merged.csv.part');
    await writeFile(target, '');
  });
  afterEach(() => temp.remove());

  async function batch(name: string, text: string): Promise<string> {
    const file = path.join(temp.dir, name);
    await writeFile(file, text);
    return file;
  }

  it('writes the first header once and appends later batches without theirs', async () => {
    const one = await appendCsv(
      await batch('1.csv', 'ID,Note\r\n1,a\r\n2,"b\r\nc"\r\n'),
      target,
      0,
      undefined,
    );
    assert.equal(one.header, 'ID,Note');
    const two = await appendCsv(await batch('2.csv', 'ID,Note\r\n3,d\r\n'), target, one.bytes, one.header);
    assert.equal(await readFile(target, 'utf8'), 'ID,Note\r\n1,a\r\n2,"b\r\nc"\r\n3,d\r\n');
    assert.equal(two.header, 'ID,Note');
    assert.equal(await countCsvRecords(target), 3);
    assert.deepEqual([one.records, two.records], [2, 1], "each batch's records, counted on the way through");
  });

  it('stops with a clear error when a later header differs, writing nothing of that batch', async () => {
    const one = await appendCsv(await batch('1.csv', 'ID,Email\n1,a@x\n'), target, 0, undefined);
    await assert.rejects(
      appendCsv(await batch('2.csv', 'ID,Phone\n2,555\n'), target, one.bytes, one.header),
      (error: unknown) =>
        error instanceof HeaderMismatchError && /expected "ID,Email", got "ID,Phone"/.test(error.message),
    );
    assert.equal(await readFile(target, 'utf8'), 'ID,Email\n1,a@x\n');
  });

  it('finds the header end past a quoted newline and across chunk boundaries', async () => {
    const header = `"A\nB",${'x'.repeat(70_000)}`;
    const one = await appendCsv(await batch('1.csv', `${header}\n1,2\n`), target, 0, undefined);
    assert.equal(one.header, header);
    await appendCsv(await batch('2.csv', `${header}\n3,4\n`), target, one.bytes, header);
    assert.equal(await countCsvRecords(target), 2);
  });

  it('adds the missing final line break so the next batch starts on its own line', async () => {
    const one = await appendCsv(await batch('1.csv', 'ID\n1'), target, 0, undefined);
    const two = await appendCsv(await batch('2.csv', 'ID\n2'), target, one.bytes, one.header);
    assert.equal(await readFile(target, 'utf8'), 'ID\n1\n2\n');
    assert.equal(one.bytes + two.bytes, 'ID\n1\n2\n'.length);
  });

  it('treats a header-only or empty batch as no records, and ignores a BOM', async () => {
    const one = await appendCsv(await batch('1.csv', '\uFEFFID\n1\n'), target, 0, undefined);
    assert.equal(one.header, 'ID');
    const empty = await appendCsv(await batch('2.csv', ''), target, one.bytes, one.header);
    const headerOnly = await appendCsv(await batch('3.csv', '\uFEFFID'), target, one.bytes, one.header);
    assert.equal(empty.bytes + headerOnly.bytes, 0);
    assert.equal(await readFile(target, 'utf8'), 'ID\n1\n');
  });

  it('cuts the target back to the recorded size first (a crash mid-append left more)', async () => {
    const one = await appendCsv(await batch('1.csv', 'ID\n1\n'), target, 0, undefined);
    await writeFile(target, 'ID\n1\n2\n3', { flag: 'a' }); // half of a batch that was never recorded
    await appendCsv(await batch('2.csv', 'ID\n2\n'), target, one.bytes, one.header);
    assert.equal(await readFile(target, 'utf8'), 'ID\n1\n2\n');
  });
});

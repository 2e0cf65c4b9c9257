// Compare with Previous Run's engine (src/exports/compareCsv.ts) on real files: two runs of
// 250,000 records generated here, compared through bucket files on disk, and the edge cases a
// user meets (values with commas, quotes and line ends; a column added; a file without IDs).
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { compareCsv, CompareError, parseRecord } from '../../../src/exports/compareCsv';
import { compareMarkdown } from '../../../src/exports/compareReport';
import { countCsvRecords } from '../../../src/results/countCsvRecords';

const HEADER = 'ID,Name,Status,Total,Notes';

/** Record `id` of a run; `status` and `notes` vary per run. */
function row(id: number, status: string, notes = ''): string {
  return `${id},Customer ${id},${status},${(id % 997) * 3}.50,${notes}`;
}

/** Writes a CSV of `rows()` in pieces (a 250,000-record file is never one string). */
async function writeCsv(file: string, rows: Iterable<string>): Promise<void> {
  const pieces: string[] = [HEADER];
  for (const line of rows) {
    pieces.push(line);
  }
  await writeFile(file, `${pieces.join('\r\n')}\r\n`);
}

describe('Compare two runs of an export (bucket files on disk)', function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cbj-compare-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('compares two runs of 250,000 records: counts, columns changed, first samples, every difference as CSV', async () => {
    const N = 250_000;
    const previous = path.join(dir, 'previous.csv');
    const current = path.join(dir, 'current.csv');
    // The previous run: every record Open, every 50th with a note that holds a comma and a line end.
    await writeCsv(
      previous,
      (function* () {
        for (let id = 1; id <= N; id++) {
          yield row(id, 'Open', id % 50 === 0 ? `"two lines,\r\nsaid ""hi"""` : '');
        }
      })(),
    );
    // This run: every 1000th removed (250), every 100th not removed Closed (2,250), every 7,000th
    // re-noted (36, all of them Closed too), and 120 new ones; in another order (IDs descending).
    const removed = (id: number): boolean => id % 1000 === 0;
    const closed = (id: number): boolean => id % 100 === 0 && !removed(id);
    const renoted = (id: number): boolean => id % 7000 === 700;
    await writeCsv(
      current,
      (function* () {
        for (let id = N + 120; id >= 1; id--) {
          if (removed(id)) {
            continue;
          }
          const was = id % 50 === 0 ? `"two lines,\r\nsaid ""hi"""` : '';
          yield row(id, closed(id) ? 'Closed' : 'Open', renoted(id) ? 'checked' : id > N ? '' : was);
        }
      })(),
    );
    let closedCount = 0;
    let renotedCount = 0;
    let changedCount = 0;
    for (let id = 1; id <= N; id++) {
      closedCount += closed(id) ? 1 : 0;
      renotedCount += renoted(id) ? 1 : 0;
      changedCount += closed(id) || renoted(id) ? 1 : 0;
    }
    const differences = path.join(dir, 'differences.csv');

    const summary = await compareCsv(previous, current, {
      workDir: dir,
      differencesCsv: differences,
      buckets: 7,
    });

    assert.equal(summary.previousRecords, N);
    assert.equal(summary.currentRecords, N + 120 - 250);
    assert.equal(summary.added, 120);
    assert.equal(summary.removed, 250);
    assert.equal(summary.changed, changedCount);
    assert.equal(summary.unchanged, N - 250 - changedCount);
    assert.deepEqual(
      summary.columns.map((name, i) => [name, summary.changesByColumn[i]]),
      [
        ['ID', 0],
        ['Name', 0],
        ['Status', closedCount],
        ['Total', 0],
        ['Notes', renotedCount],
      ],
    );
    const sample = summary.samples.changed[0];
    assert.deepEqual(
      sample.changed.map((c) => summary.columns[c]),
      renoted(Number(sample.id)) ? ['Status', 'Notes'] : ['Status'],
    );
    assert.equal(sample.before[2], 'Open');
    assert.equal(sample.after[2], 'Closed');
    assert.ok(summary.samples.removed.every((values) => Number(values[0]) % 1000 === 0));
    assert.ok(summary.samples.added.every((values) => Number(values[0]) > N));
    const sha = async (file: string): Promise<string> =>
      createHash('sha256')
        .update(await readFile(file))
        .digest('hex');
    assert.equal(summary.previousSha256, await sha(previous));
    assert.equal(summary.currentSha256, await sha(current));
    // One row per added and removed record, two (before, after) per changed one.
    assert.equal(await countCsvRecords(differences), 120 + 250 + 2 * changedCount);
    const text = await readFile(differences, 'utf8');
    const has = (pattern: RegExp): void =>
      assert.ok(pattern.test(text), `${pattern} in the differences file`);
    has(/^Change,Changed columns,ID,Name,Status,Total,Notes\r\n/);
    has(
      /\r\nchanged \(before\),Status; Notes,7700,Customer 7700,Open,[\d.]+,"two lines,\r\nsaid ""hi"""\r\n/,
    );
    has(/\r\nchanged \(after\),Status; Notes,7700,Customer 7700,Closed,[\d.]+,checked\r\n/);
    has(/\r\nremoved,,1000,Customer 1000,Open,[\d.]+,"two lines,\r\nsaid ""hi"""\r\n/);
    assert.deepEqual(
      (await readdir(dir)).sort(),
      ['current.csv', 'differences.csv', 'previous.csv'],
      'the bucket files are gone',
    );

    const markdown = compareMarkdown(
      'All_Orders',
      { title: 'Dec 5 14:02', file: previous },
      { title: 'Dec 6 14:02', file: current },
      summary,
      differences,
    );
    assert.match(markdown, /\*\*\+120 added · ~2,\d{3} changed · −250 removed\*\*/);
    assert.match(markdown, /\| Status \| 2,\d{3} \|/);
    assert.match(markdown, /Open → \*\*Closed\*\*/);
    assert.match(markdown, /## Removed \(first 10 of 250\)/);
  });

  it('reads quoted values whole, compares on the columns both runs have, and says which columns came and went', async () => {
    const previous = path.join(dir, 'a.csv');
    const current = path.join(dir, 'b.csv');
    await writeFile(previous, 'ID,Name,Old\n1,"Smith, ""Jo""",x\n2,"multi\nline",y\n');
    await writeFile(current, 'Name,ID,New\r\n"Smith, ""Jo""",1,z\r\n"multi\r\nline",2,w\r\n');

    const summary = await compareCsv(previous, current, { workDir: dir });

    assert.deepEqual(summary.columns, ['Name', 'ID', 'New', 'Old']);
    assert.deepEqual(summary.columnsAdded, ['New']);
    assert.deepEqual(summary.columnsRemoved, ['Old']);
    assert.equal(summary.unchanged, 1, 'the same values in another column order are unchanged');
    assert.equal(summary.changed, 1, 'a line end inside quotes is part of the value (LF against CRLF)');
    assert.deepEqual(parseRecord('"Smith, ""Jo""",1,'), ['Smith, "Jo"', '1', '']);
  });

  it('reads the same records whatever the read size: a quoted CRLF split between two reads stays in its value', async () => {
    const previous = path.join(dir, 'a.csv');
    const current = path.join(dir, 'b.csv');
    await writeFile(previous, 'ID,Notes,Total\r\n1,"first\r\nsecond",5\r\n2,"x, ""y""\r\nz",6\r\n3,plain,7');
    await writeFile(current, 'ID,Notes,Total\r\n1,"first\r\nsecond",5\r\n2,"x, ""y""\nz",6\r\n3,plain,8\r\n');
    const differences = path.join(dir, 'differences.csv');
    const whole = await compareCsv(previous, current, { workDir: dir, differencesCsv: differences });
    assert.deepEqual([whole.unchanged, whole.changed, whole.added, whole.removed], [1, 2, 0, 0]);
    assert.deepEqual(
      whole.samples.changed.map(({ id, before, after }) => [id, before[1], after[1], before[2], after[2]]),
      [
        ['2', 'x, "y"\r\nz', 'x, "y"\nz', '6', '6'],
        ['3', 'plain', 'plain', '7', '8'],
      ],
    );
    const expected = await readFile(differences, 'utf8');
    // Every read size from 1 byte up: each line end, quote and comma falls on a boundary once.
    for (let chunkBytes = 1; chunkBytes <= 24; chunkBytes++) {
      const split = await compareCsv(previous, current, {
        workDir: dir,
        differencesCsv: differences,
        chunkBytes,
      });
      assert.deepEqual(split, whole, `read ${chunkBytes} bytes at a time`);
      assert.equal(await readFile(differences, 'utf8'), expected, `read ${chunkBytes} bytes at a time`);
    }
  });

  it('matches an ID quoted in one run and not in the other, after quoted values, and counts repeated IDs', async () => {
    const previous = path.join(dir, 'a.csv');
    const current = path.join(dir, 'b.csv');
    await writeFile(previous, '\ufeffName,ID,Total\n"a, ""x""",1,5\n"b\nc",2,6\nd,é7,1\nd,é7,2\n');
    await writeFile(current, 'Name,ID,Total\n"a, ""x""","1",5\n"b\nc",2,7\nd,"é7",2\n');

    const summary = await compareCsv(previous, current, { workDir: dir, buckets: 3 });

    assert.deepEqual(summary.columns, ['Name', 'ID', 'Total']);
    assert.equal(summary.duplicateIds, 1, 'é7 twice in the previous run');
    assert.equal(summary.unchanged, 2, 'ID 1 quoted or not, and the later é7 of the previous run');
    assert.equal(summary.changed, 1);
    assert.deepEqual(summary.samples.changed[0].after, ['b\nc', '2', '7']);
    assert.equal(summary.added + summary.removed, 0);
  });

  it('refuses a file without an ID column, naming it', async () => {
    const previous = path.join(dir, 'a.csv');
    await writeFile(previous, 'Name,Total\nx,1\n');
    await assert.rejects(
      compareCsv(previous, previous, { workDir: dir }),
      (error: unknown) => error instanceof CompareError && /a\.csv has no ID column/.test(error.message),
    );
  });
});

// The snapshot of an incremental export on real files: upsert by ID, deletions on a full run, the
// record of changes, and the old snapshot kept whenever the new one could not be made exact.
import * as assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { csvRecords } from '../../../src/exports/csvRecords';
import { mergeIntoSnapshot } from '../../../src/exports/snapshot';

const HEADER = 'ID,Name,Note';

function csv(...records: string[]): string {
  return [HEADER, ...records].map((line) => `${line}\r\n`).join('');
}

describe('incremental export: the snapshot', () => {
  let dir: string;
  let snapshot: string;
  let runFile: string;
  let changesFile: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cbj-snapshot-'));
    snapshot = path.join(dir, 'Tickets.csv');
    runFile = path.join(dir, 'run.csv');
    changesFile = path.join(dir, 'run.changes.csv');
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const merge = (full: boolean) =>
    mergeIntoSnapshot({ runFile, snapshot, changesFile, full, workDir: dir, runRecords: 2 });

  it('starts a snapshot sorted by ID (numeric order), whatever order the records came in', async () => {
    await writeFile(runFile, csv('30,c,"x\r\ny"', '100,d,', '4,a,"say ""hi"", ok"', '20,b,z'));
    const result = await merge(true);
    assert.deepEqual([result.added, result.changed, result.removed, result.records], [4, 0, 0, 4]);
    assert.equal(
      await readFile(snapshot, 'utf8'),
      csv('4,a,"say ""hi"", ok"', '20,b,z', '30,c,"x\r\ny"', '100,d,'),
    );
  });

  it('upserts by ID: changed records replaced, new ones added, the rest kept; only real changes counted', async () => {
    await writeFile(snapshot, csv('1,a,', '2,b,', '3,c,', '5,e,'));
    await writeFile(runFile, csv('4,new,', '2,b,', '3,c edited,'));
    const result = await merge(false);
    assert.deepEqual([result.added, result.changed, result.removed, result.records], [1, 1, 0, 5]);
    assert.equal(await readFile(snapshot, 'utf8'), csv('1,a,', '2,b,', '3,c edited,', '4,new,', '5,e,'));
    assert.equal(await readFile(changesFile, 'utf8'), 'change,ID\r\nchanged,3\r\nadded,4\r\n');
  });

  it('a full run removes the IDs it did not see and lists them', async () => {
    await writeFile(snapshot, csv('1,a,', '2,b,', '3,c,', '5,e,'));
    await writeFile(runFile, csv('5,e,', '1,a,', '6,f,'));
    const result = await merge(true);
    assert.deepEqual([result.added, result.changed, result.removed], [1, 0, 2]);
    assert.equal(await readFile(snapshot, 'utf8'), csv('1,a,', '5,e,', '6,f,'));
    assert.equal(await readFile(changesFile, 'utf8'), 'change,ID\r\nremoved,2\r\nremoved,3\r\nadded,6\r\n');
  });

  it('an incremental run with no records leaves the snapshot as it was', async () => {
    await writeFile(snapshot, csv('1,a,', '2,b,'));
    await writeFile(runFile, csv());
    const result = await merge(false);
    assert.deepEqual([result.added, result.changed, result.removed, result.records], [0, 0, 0, 2]);
    assert.equal(await readFile(snapshot, 'utf8'), csv('1,a,', '2,b,'));
  });

  it('keeps the old snapshot when the columns changed, the snapshot was edited, or IDs are missing', async () => {
    const old = csv('1,a,', '2,b,');
    await writeFile(snapshot, old);
    await writeFile(runFile, 'ID,Name\r\n3,c\r\n');
    await assert.rejects(merge(false), /columns of the report changed/);
    assert.equal(await readFile(snapshot, 'utf8'), old);

    await writeFile(snapshot, csv('2,b,', '1,a,'));
    await writeFile(runFile, csv('3,c,'));
    await assert.rejects(merge(false), /not sorted by ID/);
    assert.equal(await readFile(snapshot, 'utf8'), csv('2,b,', '1,a,'));

    await writeFile(snapshot, old);
    await writeFile(runFile, 'Name,Note\r\nc,\r\n');
    await assert.rejects(merge(true), /no ID column/);
    assert.equal(await readFile(snapshot, 'utf8'), old);
  });

  it('reads records with quoted line breaks, CRLF, LF and CR endings alike', async () => {
    await writeFile(runFile, 'ID,Note\n1,"a\nb"\r\n2,c\r3,"d""e"');
    const records: string[] = [];
    for await (const record of csvRecords(runFile)) {
      records.push(record);
    }
    assert.deepEqual(records, ['ID,Note', '1,"a\nb"', '2,c', '3,"d""e"']);
  });
});

// One item file of a shared collection (src/core/itemFile.ts): what updateItem tells its caller
// about the file it wrote. Real files in a temp folder.
import * as assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { itemFileName, updateItem } from '../../../src/core/itemFile';
import { silentLogger, systemClock } from '../../../src/core/ports';
import { fileStamp } from '../../../src/core/sharedFolder';
import { increment, isCounter, type Counter } from './counters';

describe('updateItem (one item file)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'cbj-item-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const write = (file: string, who: string, merge = increment('x', who)) =>
    updateItem<Counter>(file, 'x', [{ merge, order: 1 }], isCounter, systemClock, silentLogger);

  it('tells the stamp of the revision it wrote, taken under the lock, not that of a later write by another window', async () => {
    const file = path.join(dir, itemFileName('x'));
    const mine = await write(file, 'a');
    const stampOfMine = await fileStamp(file);
    // Another window writes the item right after this one released the lock.
    const theirs = await write(file, 'b');

    assert.equal(mine.entry?.rev, 1);
    assert.equal(mine.stamp, stampOfMine, 'the stamp of the file that holds rev 1');
    assert.equal(theirs.stamp, await fileStamp(file));
    assert.notEqual(mine.stamp, theirs.stamp, 'never paired with the other window’s file');

    const unchanged = await write(file, 'a', (stored) => stored);
    assert.equal(unchanged.stamp, theirs.stamp, 'nothing written: the stamp of the file as read');
    const removed = await write(file, 'a', () => undefined);
    assert.equal(removed.stamp, 'missing');
  });
});

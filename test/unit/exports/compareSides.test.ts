// What Compare with Previous Run says of its sides when they are incremental runs' snapshot
// copies: a pruned copy is said to be pruned (and why), and runs the history does not list (the
// command line's) that updated the snapshot in between are counted. Real files.
import * as assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { previousGoneReason, runsInBetween } from '../../../src/exports/compareSides';
import { tempDir } from '../results/helpers';

describe('compare sides of incremental runs', () => {
  let temp: Awaited<ReturnType<typeof tempDir>>;
  let runs: string;
  beforeEach(async () => {
    temp = await tempDir();
    runs = path.join(temp.dir, 'exports', 'All_Tickets.csv.runs');
    await mkdir(runs, { recursive: true });
  });
  afterEach(() => temp.remove());

  const copy = (stamp: string, mode = 'incremental'): string =>
    path.join(runs, `${stamp}-${mode}.snapshot.csv`);
  const A = '2026-12-06-135004282Z';
  const B = '2026-12-06-140000000Z';
  const C = '2026-12-06-141500000Z';

  it('says a pruned snapshot copy was removed because only the newest are kept, the command line counting too', () => {
    const reason = previousGoneReason({ file: copy(A, 'full'), sha256: 'a' }, { file: copy(C), sha256: 'c' });
    assert.match(
      reason,
      /^the snapshot as of that run was removed: only the newest 2 runs' snapshots are kept/,
    );
    assert.match(reason, /runs from the command line count too/);
    assert.doesNotMatch(reason, /no longer exists/);
  });

  it('keeps the plain words for a plain file gone or replaced', () => {
    const plain = path.join(temp.dir, 'exports', 'tickets.csv');
    assert.equal(previousGoneReason({ file: plain }, { file: `${plain}.x` }), 'tickets.csv no longer exists');
    assert.match(
      previousGoneReason({ file: plain, sha256: '1' }, { file: plain, sha256: '2' }),
      /this run wrote the same file/,
    );
    assert.equal(previousGoneReason({}, { file: plain }), 'it left no file');
  });

  it('counts the runs that updated the snapshot between two listed runs', async () => {
    for (const name of [
      `${A}-full.csv`,
      `${A}-full.changes.csv`,
      `${B}-incremental.csv`,
      `${B}-incremental.changes.csv`,
      `${C}-incremental.csv`,
      `${C}-incremental.snapshot.csv`,
      'state.json',
    ]) {
      await writeFile(path.join(runs, name), '');
    }
    assert.equal(await runsInBetween({ file: copy(A, 'full') }, { file: copy(C) }), 1);
    assert.equal(await runsInBetween({ file: copy(B) }, { file: copy(C) }), 0);
    const plain = path.join(temp.dir, 'exports', 'tickets.csv');
    assert.equal(await runsInBetween({ file: plain }, { file: plain }), 0, 'not snapshot copies');
  });
});

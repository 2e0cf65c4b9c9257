import * as assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { keepNewestFiles } from '../../../src/core/keepNewest';

describe('keepNewestFiles (a bounded folder of generated files)', () => {
  it('keeps the newest matching files, and leaves other files and folders alone', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'cbj-keep-'));
    try {
      for (let n = 1; n <= 5; n++) {
        const file = path.join(dir, `run ${n}.csv`);
        await writeFile(file, 'x');
        await utimes(file, 1_000 + n, 1_000 + n); // run 5 is the newest
      }
      await writeFile(path.join(dir, 'notes.txt'), 'kept: it does not match');
      await mkdir(path.join(dir, 'compare-abc.csv')); // a folder (a compare under way)
      await keepNewestFiles(dir, 2, (name) => name.endsWith('.csv'));
      assert.deepEqual((await readdir(dir)).sort(), [
        'compare-abc.csv',
        'notes.txt',
        'run 4.csv',
        'run 5.csv',
      ]);
      await keepNewestFiles(path.join(dir, 'missing'), 2, () => true); // no folder: nothing to do
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { resultFileName, resultPaths } from '../../../src/results/resultPaths';

describe('resultFileName', () => {
  it('is `${report}_${jobId}.csv`', () => {
    assert.equal(
      resultFileName({ owner: 'o', app: 'a', report: 'All_Orders' }, '2000000018003'),
      'All_Orders_2000000018003.csv',
    );
  });

  it('can never leave the results folder', () => {
    const name = resultFileName({ owner: 'o', app: 'a', report: '../../etc/passwd' }, '..\\x:y');
    assert.equal(path.basename(name), name);
    assert.ok(!name.includes('..'), name);
    assert.match(name, /^[A-Za-z0-9._-]+\.csv$/);
  });

  it("keeps every working file in the job's own folder, named after owner, app and a hash of the job", () => {
    const paths = resultPaths('/r', {
      accountId: 'acc',
      ref: { owner: 'o', app: 'a', report: 'R' },
      jobId: '1',
    });
    const folder = path.basename(paths.folder);
    assert.match(folder, /^o_a_[0-9a-f]{12}$/);
    assert.deepEqual(paths, {
      folder: path.join('/r', folder),
      csv: path.join('/r', folder, 'R_1.csv'),
      downloadPart: path.join('/r', folder, 'R_1.download.part'),
      extractPart: path.join('/r', folder, 'R_1.csv.part'),
      lock: path.join('/r', folder, 'R_1.lock'),
    });
  });

  it('gives two different jobs two different files, even when their names clean up alike', () => {
    const job = (accountId: string, owner: string, app: string, report = 'R', jobId = '1') =>
      resultPaths('/r', { accountId, ref: { owner, app, report }, jobId }).csv;
    const files = [
      job('acc-1', 'o', 'a'),
      job('acc-2', 'o', 'a'), // same job seen through another account
      job('acc-1', 'o2', 'a'),
      job('acc-1', 'o', 'a2'),
      job('acc-1', 'o', 'a.b'),
      job('acc-1', 'o', 'a_b'),
      job('acc-1', 'o', 'a', 'R', '2'),
    ];
    assert.equal(new Set(files).size, files.length, files.join('\n'));
    assert.equal(job('acc-1', 'o', 'a'), job('acc-1', 'o', 'a'), 'stable for one job');
  });
});

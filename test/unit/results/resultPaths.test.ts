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

  it('keeps every working file in the folder', () => {
    const paths = resultPaths('/r', { owner: 'o', app: 'a', report: 'R' }, '1');
    assert.deepEqual(paths, {
      csv: path.join('/r', 'R_1.csv'),
      downloadPart: path.join('/r', 'R_1.download.part'),
      extractPart: path.join('/r', 'R_1.csv.part'),
      lock: path.join('/r', 'R_1.lock'),
    });
  });
});

import * as assert from 'node:assert/strict';
import type { TrackedJob } from '../../../src/jobs/model';
import { jobDescription, noRecordsNote, recordCount } from '../../../src/views/jobDescription';

const NOW = Date.UTC(2025, 0, 1);

function job(count: number | undefined, noRecords?: 'headerOnly' | 'emptyFile'): TrackedJob {
  return {
    key: 'a|demo|app|R|1',
    accountId: 'a',
    ref: { owner: 'demo', app: 'app', report: 'R' },
    jobId: '1',
    state: 'completed',
    details: {
      id: '1',
      status: 'Completed',
      state: 'completed',
      result: count === undefined ? {} : { count },
    },
    batch: 1,
    trackedAt: NOW,
    changedAt: NOW,
    download: 'ready',
    result: { path: '/tmp/R_1.csv', bytes: 0, downloadedAt: NOW, ...(noRecords ? { noRecords } : {}) },
  };
}

describe('texts of a job with no records', () => {
  it('says 0 records, also when only the downloaded result showed it', () => {
    assert.equal(jobDescription(job(0, 'headerOnly'), NOW), '0 records · just now');
    assert.equal(jobDescription(job(undefined, 'emptyFile'), NOW), '0 records · just now');
    assert.equal(recordCount(job(undefined)), undefined);
    assert.equal(jobDescription(job(undefined), NOW), 'completed · just now');
  });

  it('explains what the file holds', () => {
    assert.match(
      noRecordsNote(job(0, 'headerOnly').result!) ?? '',
      /^no records matched; the CSV holds only the header row\.$/,
    );
    assert.match(
      noRecordsNote(job(0, 'emptyFile').result!) ?? '',
      /^no records matched; Zoho sent no file .* the CSV is empty\.$/,
    );
    assert.equal(noRecordsNote(job(5).result!), undefined);
  });
});

import * as assert from 'node:assert/strict';
import { noRecordsNote } from '../../../src/views/noRecordsNote';

describe('the note on a result with no records', () => {
  const at = { path: '/tmp/R_1.csv', downloadedAt: 0 };

  it('says the CSV holds only the header row, or is empty because Zoho sent no file', () => {
    assert.equal(
      noRecordsNote({ ...at, bytes: 120, records: 0 }),
      'no records matched; the CSV holds only the header row.',
    );
    assert.equal(
      noRecordsNote({ ...at, bytes: 0, records: 0 }),
      'no records matched; Zoho sent no file (not even a header row), so the CSV is empty.',
    );
  });

  it('says nothing about a result with records, or one never counted', () => {
    assert.equal(noRecordsNote({ ...at, bytes: 120, records: 3 }), undefined);
    assert.equal(noRecordsNote({ ...at, bytes: 9_000_000 }), undefined);
  });
});

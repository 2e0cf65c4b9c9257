import * as assert from 'node:assert/strict';
import { clockTime, errorMessage } from '../../../src/core/format';
import { jobIdOfKey, jobKey } from '../../../src/jobs/model';

describe('shared formatters', () => {
  it('clockTime gives zero-padded local HH:MM', () => {
    assert.equal(clockTime(new Date(2026, 0, 2, 7, 5).getTime()), '07:05');
    assert.equal(clockTime(new Date(2026, 0, 2, 23, 59).getTime()), '23:59');
  });

  it('errorMessage gives the message of an Error and the text of anything else', () => {
    assert.equal(errorMessage(new Error('boom')), 'boom');
    assert.equal(errorMessage('plain'), 'plain');
  });

  it('jobIdOfKey undoes jobKey', () => {
    const key = jobKey(
      '127.0.0.1:8780/demo',
      { owner: 'demo', app: 'zylker-store', report: 'All_Orders' },
      '2000000018003',
    );
    assert.equal(jobIdOfKey(key), '2000000018003');
  });
});

// What the command line makes of an error the core throws (src/cli/follow.ts, describeError).
import * as assert from 'node:assert/strict';
import { EXIT } from '../../../src/cli/exitCodes';
import { describeError } from '../../../src/cli/follow';
import { LocalRefusal } from '../../../src/core/refusal';

describe('cli describeError', () => {
  it("a request the tool refuses by itself is a usage error (2), with the core's message, not an unexpected one (1)", () => {
    const message =
      'An export into All_Orders.csv is being started (in this or another window). Look for it in the jobs view, or choose another file.';
    assert.deepEqual(describeError(new LocalRefusal(message)), { code: EXIT.usage, message });
  });

  it('anything else unknown stays an unexpected error', () => {
    assert.deepEqual(describeError(new Error('boom')), { code: EXIT.failure, message: 'boom' });
  });
});

import * as assert from 'node:assert/strict';
import { activationExports, exportsTestApi } from '../../../src/host/testMode';

describe('activate() exports', () => {
  it('a production activation returns nothing to other extensions, whatever the environment says', () => {
    let built = 0;
    const build = () => {
      built++;
      return { secrets: 'would leak' };
    };
    assert.equal(activationExports(false, { CBJ_TEST_API: '1' }, build), undefined);
    assert.equal(activationExports(false, {}, build), undefined);
    assert.equal(built, 0, 'the test API is not even built');
  });

  it('test mode alone is not enough: the test runner must ask (CBJ_TEST_API=1)', () => {
    assert.equal(exportsTestApi(true, {}), false);
    assert.equal(exportsTestApi(true, { CBJ_TEST_API: 'true' }), false);
    assert.equal(exportsTestApi(true, { CBJ_TEST_API: '1' }), true);
    assert.deepEqual(
      activationExports(true, { CBJ_TEST_API: '1' }, () => ({ ok: 1 })),
      { ok: 1 },
    );
  });
});

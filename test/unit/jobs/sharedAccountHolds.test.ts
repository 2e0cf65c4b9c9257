// The shared account holds (one file per account, moved from the one-file list of older versions)
// as a new window reads them: what another version, a crash or a hand
// edit left there must never stop the window, and a hold already over is not taken on.
import * as assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { tryLock } from '../../../src/core/fileLock';
import { silentLogger } from '../../../src/core/ports';
import { AccountStates } from '../../../src/jobs/accountStates';
import {
  ACCOUNT_HOLDS_FILE_NAME,
  ACCOUNT_HOLDS_FOLDER_NAME,
  SharedAccountHolds,
} from '../../../src/jobs/sharedAccountHolds';
import { ZohoError } from '../../../src/zoho/errors';
import { FakeClock } from '../helpers/fakeClock';
import { SharedStorage } from './sharedStorage';

describe('SharedAccountHolds', () => {
  const now = Date.UTC(2026, 0, 5, 9, 0, 0);
  let shared: SharedStorage;
  let clock: FakeClock;
  const owned: Array<{ dispose(): void }> = [];

  beforeEach(async () => {
    shared = await SharedStorage.create();
    clock = new FakeClock(now);
  });
  afterEach(async () => {
    owned.splice(0).forEach((states) => states.dispose());
    await shared.dispose();
  });

  function window(holds: [string, number | undefined][] = []): AccountStates {
    const file = shared.file(ACCOUNT_HOLDS_FILE_NAME, clock);
    const states = new AccountStates(
      clock,
      silentLogger,
      (id, until) => holds.push([id, until]),
      owned[owned.push(new SharedAccountHolds(file, silentLogger)) - 1] as SharedAccountHolds,
    );
    owned.push(states);
    return states;
  }

  async function store(value: string): Promise<void> {
    await writeFile(path.join(shared.dir, ACCOUNT_HOLDS_FILE_NAME), value);
  }

  it('a file that is not JSON, or not holds, leaves every account ok', async () => {
    for (const text of ['{not json', '[1,2]', '{"a": {"throttle": {"reason": "nap", "until": "soon"}}}']) {
      await store(text);
      assert.deepEqual(window().held(), [], text);
      // The same in an account's own file.
      await mkdir(path.join(shared.dir, ACCOUNT_HOLDS_FOLDER_NAME), { recursive: true });
      await writeFile(shared.itemPath('a', ACCOUNT_HOLDS_FOLDER_NAME), text);
      assert.deepEqual(window().held(), [], text);
    }
  });

  it('takes on a throttle still running, with its end, and not one already over', async () => {
    await store(
      JSON.stringify({
        a: { throttle: { reason: 'rateLimited', until: now + 90_000, message: 'Zoho rate limit reached.' } },
        b: { throttle: { reason: 'dailyLimit', until: now - 1, message: 'over' } },
      }),
    );
    const holds: [string, number | undefined][] = [];
    const states = window(holds);
    assert.equal(states.get('a').kind, 'throttled');
    assert.deepEqual(holds, [['a', now + 90_000]], 'the scheduler holds a until the stored end');
    assert.equal(states.get('b').kind, 'ok');
    clock.tick(90_000);
    assert.equal(states.get('a').kind, 'ok', 'and lets it go then');
  });

  it('a sign-in right after a rejected token is stored after it, whatever the lock made each wait', async () => {
    const states = window();
    // Another window holds the file's lock for a moment: both writes below must queue behind it.
    await mkdir(path.join(shared.dir, ACCOUNT_HOLDS_FOLDER_NAME), { recursive: true });
    const theirs = await tryLock(`${shared.itemPath('a', ACCOUNT_HOLDS_FOLDER_NAME)}.lock`);
    assert.ok(theirs);
    states.authProblem('a', new ZohoError({ kind: 'authExpired', message: 'The token was rejected.' }));
    await new Promise((resolve) => setTimeout(resolve, 20));
    states.clearAuthProblem('a'); // signed in again
    await new Promise((resolve) => setTimeout(resolve, 60));
    await theirs.release();
    await states.flushed();
    // Time for any write that did not queue behind the others to land (the lock backs off up to 80 ms).
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(
      await shared.readItem('a', ACCOUNT_HOLDS_FOLDER_NAME),
      undefined,
      'no hold is stored in the end',
    );
    assert.equal(states.get('a').kind, 'ok');
    assert.equal(window().get('a').kind, 'ok', 'nor does a new window take one on');
  });
});

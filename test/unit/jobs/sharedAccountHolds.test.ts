// The shared account holds file as a new window reads it: what another version, a crash or a hand
// edit left there must never stop the window, and a hold already over is not taken on.
import * as assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { silentLogger } from '../../../src/core/ports';
import { AccountStates } from '../../../src/jobs/accountStates';
import { ACCOUNT_HOLDS_FILE_NAME, SharedAccountHolds } from '../../../src/jobs/sharedAccountHolds';
import { FakeClock } from '../helpers/fakeClock';
import { SharedStorage } from './sharedStorage';

describe('SharedAccountHolds', () => {
  const now = Date.UTC(2026, 0, 5, 9, 0, 0);
  let shared: SharedStorage;
  let clock: FakeClock;
  const owned: AccountStates[] = [];

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
      new SharedAccountHolds(file, silentLogger),
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
});

// The account-state model: one state per account (ok, throttled, daily limit, needs sign-in,
// missing scope), the hold it puts on the scheduler, and its events.
import * as assert from 'assert';
import { silentLogger } from '../../../src/core/ports';
import { AccountStates, DAILY_LIMIT_PAUSE_MS, type AccountState } from '../../../src/jobs/accountStates';
import { ZohoError } from '../../../src/zoho/errors';
import { FakeClock } from '../helpers/fakeClock';

describe('AccountStates', () => {
  const start = Date.UTC(2025, 0, 1, 12, 0, 0);
  let clock: FakeClock;
  let holds: [string, number | undefined][];
  let states: AccountStates;
  let events: AccountState[];

  beforeEach(() => {
    clock = new FakeClock(start);
    holds = [];
    states = new AccountStates(clock, silentLogger, (id, until) => holds.push([id, until]));
    events = [];
    states.onDidChange((state) => events.push(state));
  });
  afterEach(() => states.dispose());

  it('is ok until something holds the account', () => {
    assert.strictEqual(states.get('a').kind, 'ok');
    assert.deepStrictEqual(states.held(), []);
  });

  it('a rate limit holds until Retry-After, then ends by itself with an event', () => {
    states.rateLimited('a', 120_000);
    const state = states.get('a');
    assert.strictEqual(state.kind, 'throttled');
    assert.strictEqual(state.until, start + 120_000);
    assert.match(state.summary, /^rate limited until \d\d:\d\d$/);
    assert.deepStrictEqual(holds.at(-1), ['a', start + 120_000], 'the scheduler holds the account');
    clock.tick(120_000);
    assert.strictEqual(states.get('a').kind, 'ok');
    assert.deepStrictEqual(holds.at(-1), ['a', undefined], 'and releases it');
    assert.deepStrictEqual(
      events.map((e) => e.kind),
      ['throttled', 'ok'],
    );
  });

  it('the daily limit holds an hour; an auth problem outranks a throttle and holds the later end', () => {
    states.dailyLimit('a');
    assert.strictEqual(states.get('a').kind, 'dailyLimit');
    states.authProblem(
      'a',
      new ZohoError({ kind: 'missingScope', message: 'scope', scope: 'ZohoCreator.bulk.READ' }),
    );
    const state = states.get('a');
    assert.strictEqual(state.kind, 'missingScope');
    assert.strictEqual(state.summary, 'needs the scope ZohoCreator.bulk.READ');
    assert.ok((holds.at(-1)?.[1] ?? 0) >= start + DAILY_LIMIT_PAUSE_MS);
    states.clearAuthProblem('a');
    assert.strictEqual(states.get('a').kind, 'dailyLimit', 'the throttle remains');
  });

  it('an expired token needs sign-in, fires one problem event, and forget() ends every hold', () => {
    const problems: string[] = [];
    states.onDidHitProblem((p) => problems.push(p.accountId));
    const expired = new ZohoError({ kind: 'authExpired', message: 'expired' });
    states.authProblem('a', expired);
    states.authProblem('a', expired);
    assert.deepStrictEqual(problems, ['a'], 'said once');
    assert.strictEqual(states.get('a').kind, 'needsSignIn');
    states.rateLimited('a', 60_000);
    states.forget('a');
    assert.strictEqual(states.get('a').kind, 'ok');
    assert.deepStrictEqual(holds.at(-1), ['a', undefined]);
  });
});

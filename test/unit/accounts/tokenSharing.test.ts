// Windows share one access token (issue 16, item 8). Each "window" is an AccountStore, as each VS
// Code window runs its own extension host; they share what the windows of one profile share: the
// SecretStorage (one MemorySecretStore), globalState (one MemoryKeyValueStore) and the global
// storage folder (a temp dir, where the cross-window lock file lives). The simulator counts the
// access tokens minted and, like Zoho, refuses an 11th within 10 minutes.
//
// Fencing: a window that holds the access-token lock and then pauses (a laptop lid, a debugger) must
// not write over what another window shared meanwhile, and a sign-out must not be undone by a window
// minting at that moment. The pause is a promise the test holds, and the lock's age is set on its
// file (core/fileLock.ts judges staleness by file times): no sleeps.
import * as assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { AccountStore } from '../../../src/accounts/accountStore';
import { secretKey, type Credentials } from '../../../src/accounts/credentials';
import { accessTokenKey } from '../../../src/accounts/tokenShare';
import { STALE_LOCK_MS } from '../../../src/core/fileLock';
import { MemoryKeyValueStore, MemorySecretStore, type SecretStore } from '../../../src/core/ports';
import { isZohoError, type ZohoError } from '../../../src/zoho/errors';
import type { AccountTarget } from '../../../src/zoho/types';
import { DEMO, startSimulator, type Simulator } from '../../simulator';
import { FakeClock } from '../helpers/fakeClock';

const MINUTE = 60_000;
const CREDENTIALS: Credentials = {
  kind: 'refreshToken',
  clientId: DEMO.clientId,
  clientSecret: DEMO.clientSecret,
  refreshToken: DEMO.refreshToken,
};

/** A promise the test resolves when it likes. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

/**
 * The shared secrets as one window sees them: its `nth` read of `key` returns what it read, but
 * only once `resume` opens (the window paused right after that read); `paused` says it got there.
 */
function pausingAt(secrets: SecretStore, key: string, nth: number) {
  const paused = gate();
  const resume = gate();
  let reads = 0;
  const store: SecretStore = {
    get: async (asked) => {
      const value = await secrets.get(asked);
      if (asked === key && ++reads === nth) {
        paused.open();
        await resume.promise;
      }
      return value;
    },
    store: (asked, value) => secrets.store(asked, value),
    delete: (asked) => secrets.delete(asked),
  };
  return { store, paused: paused.promise, resume: resume.open };
}

describe('One access token for every window of the machine', () => {
  let sim: Simulator;
  let dir: string;
  let secrets: MemorySecretStore;
  let storage: MemoryKeyValueStore;
  /** The machine's time, shared by every window (the simulator's clock is moved alongside). */
  let clock: FakeClock;
  let target: AccountTarget;
  const open: AccountStore[] = [];

  function startWindow(windowSecrets: SecretStore = secrets): AccountStore {
    const store = new AccountStore({ storage, secrets: windowSecrets, clock, lockDir: dir });
    open.push(store);
    return store;
  }

  function minutesPass(minutes: number): void {
    clock.tick(minutes * MINUTE);
    sim.clock.advance(minutes * MINUTE);
  }

  const tokenRequests = (): number => sim.requests.filter((r) => r.path.endsWith('/oauth/v2/token')).length;

  /** What a window does with the account: a status-like call that needs an access token. */
  async function use(window: AccountStore, accountId: string): Promise<void> {
    await (await window.clientFor(accountId)).listApplications();
  }

  async function rejection(promise: Promise<unknown>): Promise<ZohoError> {
    const error = await promise.then(
      () => assert.fail('expected a refusal'),
      (caught: unknown) => caught,
    );
    assert.ok(isZohoError(error), String(error));
    return error;
  }

  async function sharedToken(accountId: string): Promise<string | undefined> {
    const raw = await secrets.get(accessTokenKey(accountId));
    return raw === undefined ? undefined : ((JSON.parse(raw) as { accessToken?: string }).accessToken ?? '');
  }

  /** The holder "hung": its lock file was not touched for longer than STALE_LOCK_MS. */
  async function ageLocks(): Promise<void> {
    const past = new Date(Date.now() - 6 * STALE_LOCK_MS);
    for (const name of (await readdir(dir)).filter((each) => each.endsWith('.lock'))) {
      await utimes(path.join(dir, name), past, past);
    }
  }

  /** Zoho's allowance of 10 tokens in 10 minutes, `count` of them spent by another tool. */
  async function spendTokens(count: number): Promise<void> {
    for (let i = 0; i < count; i++) {
      const answer = await fetch(`${sim.url}/oauth/v2/token`, {
        method: 'POST',
        body: new URLSearchParams({
          grant_type: 'refresh_token',
          client_id: DEMO.clientId,
          client_secret: DEMO.clientSecret,
          refresh_token: DEMO.refreshToken,
        }),
      });
      assert.equal(answer.status, 200);
    }
  }

  beforeEach(async () => {
    sim = await startSimulator({ ordersRows: 10, customersRows: 10 });
    dir = await mkdtemp(path.join(tmpdir(), 'cbj-tokens-'));
    secrets = new MemorySecretStore();
    storage = new MemoryKeyValueStore();
    clock = new FakeClock(Date.now());
    target = { dataCentre: 'custom', customHost: sim.url, family: 'B', owner: DEMO.owner };
  });

  afterEach(async () => {
    for (const store of open.splice(0)) {
      store.dispose();
    }
    await sim.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('three windows, five reloads and a second process in ten minutes mint at most 2 access tokens', async () => {
    const windows = [startWindow(), startWindow(), startWindow()];
    const account = await windows[0].addAccount(target, CREDENTIALS);
    const before = sim.refreshCount;

    // All three start at once, as after a restart of VS Code with three windows open.
    await Promise.all(windows.map((window) => use(window, account.id)));
    for (let minute = 1; minute <= 10; minute++) {
      minutesPass(1);
      if (minute <= 5) {
        // A reload: that window's extension host (and everything it kept in memory) is gone.
        const reloaded = minute % windows.length;
        windows[reloaded].dispose();
        windows[reloaded] = startWindow();
      }
      // A second process over the same storage (a CLI run) in the middle of it.
      const others = minute === 7 ? [startWindow()] : [];
      await Promise.all([...windows, ...others].map((window) => use(window, account.id)));
    }
    const minted = sim.refreshCount - before;
    assert.ok(minted <= 2, `${minted} access tokens minted in ten minutes (Zoho blocks after 10)`);
    assert.equal(minted, 1, 'one token lives an hour: one mint serves them all');

    // The token is in the secret store and in no file of the shared folder.
    const token = JSON.parse((await secrets.get(accessTokenKey(account.id))) ?? '{}') as {
      accessToken?: string;
    };
    assert.ok(token.accessToken);
    for (const name of await readdir(dir)) {
      assert.ok(!(await readFile(path.join(dir, name), 'utf8')).includes(token.accessToken), name);
    }
    assert.ok(!storage.dump().includes(token.accessToken), 'not in globalState');
  });

  it('a token Zoho rejects is minted again once, by one window, and the others take the new one', async () => {
    const [a, b] = [startWindow(), startWindow()];
    const account = await a.addAccount(target, CREDENTIALS);
    await use(a, account.id);
    await use(b, account.id);
    const shared = JSON.parse((await secrets.get(accessTokenKey(account.id))) ?? '{}') as {
      accessToken: string;
    };
    sim.expireAccessToken(shared.accessToken);
    const before = sim.refreshCount;
    await Promise.all([use(a, account.id), use(b, account.id)]);
    assert.equal(sim.refreshCount - before, 1);
  });

  it("Zoho's too-many-requests answer pauses every window until it lifts, says when, and nobody asks again before", async () => {
    const [a, b] = [startWindow(), startWindow()];
    const account = await a.addAccount(target, CREDENTIALS);
    // Another tool spent the ten tokens Zoho allows this refresh token in ten minutes.
    await spendTokens(10);
    const asked = tokenRequests();

    const refused = await rejection(use(a, account.id));
    assert.equal(refused.kind, 'rateLimited', refused.message);
    assert.equal(refused.retryAfterMs, 10 * MINUTE);
    const lifts = new Date(clock.now() + 10 * MINUTE);
    const hhmm = `${String(lifts.getHours()).padStart(2, '0')}:${String(lifts.getMinutes()).padStart(2, '0')}`;
    assert.match(refused.message, new RegExp(`too many.*until ${hhmm}`, 'i'));
    assert.equal(tokenRequests() - asked, 1);

    // The other window, a reload and a second try: the same pause, no request to Zoho.
    minutesPass(3);
    for (const window of [b, startWindow(), a]) {
      const again = await rejection(use(window, account.id));
      assert.equal(again.kind, 'rateLimited');
      assert.match(again.message, new RegExp(`until ${hhmm}`));
      assert.equal(again.retryAfterMs, 7 * MINUTE);
    }
    assert.equal(tokenRequests() - asked, 1, 'nobody asked the accounts server again during the pause');

    minutesPass(7);
    await Promise.all([use(a, account.id), use(b, account.id)]);
    assert.equal(tokenRequests() - asked, 2, 'one window mints when it lifts; the other takes its token');
  });

  describe('shared writes are fenced (a paused holder, a sign-out)', () => {
    /** Window A takes the lock, reads the share (empty) and pauses; B breaks the stale lock and mints. */
    async function pausedHolderAndTakeover(): Promise<{
      a: Promise<void>;
      accountId: string;
      token: string;
    }> {
      const b = startWindow();
      const account = await b.addAccount(target, CREDENTIALS);
      // A's 2nd read of the share is the one under the lock (the 1st is the lock-free look).
      const paused = pausingAt(secrets, accessTokenKey(account.id), 2);
      const a = use(startWindow(paused.store), account.id);
      await paused.paused;
      await ageLocks();
      await use(b, account.id);
      const token = await sharedToken(account.id);
      assert.ok(token, 'B shared its token');
      paused.resume();
      return { a, accountId: account.id, token };
    }

    it('a holder that wakes after another window took over writes nothing over its token', async () => {
      const before = sim.refreshCount;
      const { a, accountId, token } = await pausedHolderAndTakeover();
      await a;
      assert.equal(
        await sharedToken(accountId),
        token,
        "the paused window wrote over the other window's token",
      );
      assert.equal(sim.refreshCount - before, 1, 'the paused window minted a second token');
    });

    it('a holder that wakes into "too many requests" does not pause every window while a token is valid', async () => {
      await spendTokens(9); // B's mint is the 10th Zoho allows; A's would be refused
      const { a, accountId, token } = await pausedHolderAndTakeover();
      await a.catch(() => undefined);
      assert.equal(await sharedToken(accountId), token);
      await use(startWindow(), accountId); // a third window (or a reload) works, no pause
    });

    it('a holder paused between its mint and its write shares nothing once its lock was taken', async () => {
      const b = startWindow();
      const account = await b.addAccount(target, CREDENTIALS);
      // A's 3rd read: after it minted, the check just before it writes.
      const paused = pausingAt(secrets, accessTokenKey(account.id), 3);
      const a = use(startWindow(paused.store), account.id);
      await paused.paused;
      await ageLocks();
      await use(b, account.id);
      const token = await sharedToken(account.id);
      paused.resume();
      await a;
      assert.equal(
        await sharedToken(account.id),
        token,
        "the paused window wrote over the other window's token",
      );
    });

    it('signing out while another window mints leaves no access token behind', async () => {
      const b = startWindow();
      const account = await b.addAccount(target, CREDENTIALS);
      const paused = pausingAt(secrets, accessTokenKey(account.id), 2);
      const a = use(startWindow(paused.store), account.id);
      await paused.paused; // A holds the lock and is about to mint
      const credentialsGone = gate();
      const signingOut = startWindow({
        get: (key) => secrets.get(key),
        store: (key, value) => secrets.store(key, value),
        delete: async (key) => {
          await secrets.delete(key);
          if (key === secretKey(account.id)) {
            credentialsGone.open();
          }
        },
      }).removeAccount(account.id);
      await credentialsGone.promise;
      paused.resume();
      await a.catch(() => undefined);
      await signingOut;
      assert.equal(
        await secrets.get(accessTokenKey(account.id)),
        undefined,
        'an access token outlived the sign-out',
      );
    });
  });
});

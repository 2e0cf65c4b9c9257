import * as assert from 'node:assert/strict';
import { AccountStore, accountIdFor } from '../../../src/accounts/accountStore';
import { ACCOUNTS_KEY, secretKey, type Credentials } from '../../../src/accounts/credentials';
import { MemoryKeyValueStore, MemorySecretStore } from '../../../src/core/ports';
import { isZohoError } from '../../../src/zoho/errors';
import type { AccountTarget } from '../../../src/zoho/types';
import { DEMO, startSimulator, type Simulator } from '../../simulator';

describe('AccountStore', () => {
  let sim: Simulator;
  let storage: MemoryKeyValueStore;
  let secrets: MemorySecretStore;
  let accounts: AccountStore;
  let target: AccountTarget;

  before(async () => {
    sim = await startSimulator({ ordersRows: 10, customersRows: 10 });
  });
  after(async () => {
    await sim.close();
  });
  beforeEach(() => {
    storage = new MemoryKeyValueStore();
    secrets = new MemorySecretStore();
    accounts = new AccountStore({ storage, secrets });
    target = { dataCentre: 'custom', customHost: sim.url, family: 'B', owner: DEMO.owner };
  });
  afterEach(() => accounts.dispose());

  function lastAuthorization(): string | undefined {
    return sim.requests[sim.requests.length - 1]?.authorization;
  }

  it('keeps the token in the secret store only, never in the key/value store', async () => {
    sim.addAccessToken('tok-secret-1111');
    const account = await accounts.addAccount(target, {
      kind: 'accessToken',
      accessToken: 'tok-secret-1111',
    });

    assert.deepEqual(
      accounts.list().map((a) => a.id),
      [account.id],
    );
    assert.equal(account.credentialKind, 'accessToken');
    assert.ok(!storage.dump().includes('tok-secret-1111'), 'token leaked into the key/value store');
    assert.deepEqual(storage.keys(), [ACCOUNTS_KEY]);
    const stored = JSON.parse((await secrets.get(secretKey(account.id))) ?? '{}');
    assert.deepEqual(stored, { kind: 'accessToken', accessToken: 'tok-secret-1111' });
  });

  it('keeps client id, client secret and refresh token out of the key/value store', async () => {
    const credentials: Credentials = {
      kind: 'refreshToken',
      clientId: DEMO.clientId,
      clientSecret: DEMO.clientSecret,
      refreshToken: DEMO.refreshToken,
    };
    const account = await accounts.addAccount(target, credentials);
    const dump = storage.dump();
    for (const secret of [DEMO.clientSecret, DEMO.refreshToken]) {
      assert.ok(!dump.includes(secret), `${secret} leaked into the key/value store`);
    }
    assert.equal(account.credentialKind, 'refreshToken');
  });

  it('builds a client that sends the stored token to the account host', async () => {
    sim.addAccessToken('tok-client-2222');
    const account = await accounts.addAccount(target, {
      kind: 'accessToken',
      accessToken: 'tok-client-2222',
    });
    const client = await accounts.clientFor(account.id);
    const apps = await client.listApplications();
    assert.ok(apps.some((app) => app.link_name === DEMO.app));
    assert.equal(lastAuthorization(), 'Zoho-oauthtoken tok-client-2222');
  });

  it('replaces the credentials when signing in again to the same host and owner', async () => {
    sim.addAccessToken('tok-old-3333');
    sim.addAccessToken('tok-new-4444');
    const first = await accounts.addAccount(target, { kind: 'accessToken', accessToken: 'tok-old-3333' });
    await (await accounts.clientFor(first.id)).listApplications();
    const second = await accounts.addAccount(
      { ...target, customHost: `${sim.url}/` },
      {
        kind: 'accessToken',
        accessToken: 'tok-new-4444',
      },
    );

    assert.equal(second.id, first.id);
    assert.equal(accounts.list().length, 1);
    await (await accounts.clientFor(first.id)).listApplications();
    assert.equal(lastAuthorization(), 'Zoho-oauthtoken tok-new-4444');
  });

  it('gives distinct ids to different owners and data centres', () => {
    const ids = new Set([
      accountIdFor(target),
      accountIdFor({ ...target, owner: 'other' }),
      accountIdFor({ dataCentre: 'EU', family: 'B', owner: DEMO.owner }),
      accountIdFor({ dataCentre: 'US', family: 'B', owner: DEMO.owner }),
    ]);
    assert.equal(ids.size, 4);
    for (const id of ids) {
      assert.ok(!id.includes('|'), `an account id must not contain the job-key separator: ${id}`);
    }
  });

  it('refuses a plain-http custom host that is not on this machine', () => {
    assert.throws(
      () => accountIdFor({ ...target, customHost: 'http://creator.example.com' }),
      /must use https/,
    );
  });

  it('rejects clientFor of an unknown account with a clear error', async () => {
    await assert.rejects(accounts.clientFor('nowhere/nobody'), (error: unknown) => {
      assert.ok(isZohoError(error, 'authFailed'));
      assert.match(error.message, /No signed-in account "nowhere\/nobody"/);
      return true;
    });
  });

  it('rejects clientFor when the secret is gone, and recovers once it is back', async () => {
    sim.addAccessToken('tok-back-5555');
    const account = await accounts.addAccount(target, { kind: 'accessToken', accessToken: 'tok-back-5555' });
    await secrets.delete(secretKey(account.id));
    await accounts.credentialsChanged(account.id);
    await assert.rejects(accounts.clientFor(account.id), /No credentials are stored/);

    await secrets.store(
      secretKey(account.id),
      JSON.stringify({ kind: 'accessToken', accessToken: 'tok-back-5555' }),
    );
    await accounts.credentialsChanged(account.id);
    await (await accounts.clientFor(account.id)).listApplications();
    assert.equal(lastAuthorization(), 'Zoho-oauthtoken tok-back-5555');
  });

  it('picks up credentials changed elsewhere (another window) after credentialsChanged', async () => {
    sim.addAccessToken('tok-win1-6666');
    sim.addAccessToken('tok-win2-7777');
    const account = await accounts.addAccount(target, { kind: 'accessToken', accessToken: 'tok-win1-6666' });
    await (await accounts.clientFor(account.id)).listApplications();

    // Another window stores new credentials in the shared secret storage.
    await secrets.store(
      secretKey(account.id),
      JSON.stringify({ kind: 'accessToken', accessToken: 'tok-win2-7777' }),
    );
    await (await accounts.clientFor(account.id)).listApplications();
    assert.equal(lastAuthorization(), 'Zoho-oauthtoken tok-win1-6666', 'cached client is reused until told');

    let changes = 0;
    const subscription = accounts.onDidChange(() => changes++);
    await accounts.credentialsChanged(account.id);
    subscription.dispose();
    await (await accounts.clientFor(account.id)).listApplications();
    assert.equal(lastAuthorization(), 'Zoho-oauthtoken tok-win2-7777');
    assert.equal(changes, 1);
  });

  it('ignores the echo of its own secret write, keeping the verified client', async () => {
    sim.addAccessToken('tok-echo-9999');
    const credentials: Credentials = { kind: 'accessToken', accessToken: 'tok-echo-9999' };
    const verified = accounts.createClient(target, credentials);
    const account = await accounts.addAccount(target, credentials, undefined, verified);
    let changes = 0;
    const subscription = accounts.onDidChange(() => changes++);
    await accounts.credentialsChanged(account.id);
    subscription.dispose();
    assert.equal(await accounts.clientFor(account.id), verified);
    assert.equal(changes, 0);
  });

  it('names the account whose credentials changed, on sign-in and from elsewhere, not on its echo', async () => {
    sim.addAccessToken('tok-named-1212');
    const changed: string[] = [];
    const subscription = accounts.onDidChangeCredentials((id) => changed.push(id));
    const account = await accounts.addAccount(target, { kind: 'accessToken', accessToken: 'tok-named-1212' });
    await accounts.credentialsChanged(account.id); // the echo of that write
    assert.deepEqual(changed, [account.id]);

    await secrets.store(secretKey(account.id), JSON.stringify({ kind: 'accessToken', accessToken: 'other' }));
    await accounts.credentialsChanged(account.id);
    subscription.dispose();
    assert.deepEqual(changed, [account.id, account.id]);
  });

  it('shares one token refresh between concurrent callers of a refresh-token account', async () => {
    const account = await accounts.addAccount(target, {
      kind: 'refreshToken',
      clientId: DEMO.clientId,
      clientSecret: DEMO.clientSecret,
      refreshToken: DEMO.refreshToken,
    });
    const before = sim.refreshCount;
    const [a, b] = await Promise.all([accounts.clientFor(account.id), accounts.clientFor(account.id)]);
    await Promise.all([a.listApplications(), b.listApplications(), a.listApplications()]);
    assert.equal(sim.refreshCount - before, 1);
  });

  it('removes the account and its secret on removeAccount', async () => {
    sim.addAccessToken('tok-gone-8888');
    const account = await accounts.addAccount(target, { kind: 'accessToken', accessToken: 'tok-gone-8888' });
    let changes = 0;
    const subscription = accounts.onDidChange(() => changes++);
    await accounts.removeAccount(account.id);
    subscription.dispose();

    assert.deepEqual(accounts.list(), []);
    assert.equal(await secrets.get(secretKey(account.id)), undefined);
    assert.equal(changes, 1);
    await assert.rejects(accounts.clientFor(account.id), /No signed-in account/);
  });
});

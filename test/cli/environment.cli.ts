// The built command-line tool signing in from the environment as CI does: a definition's `account`
// reads its own suffixed variables (ZOHO_ACCOUNTS_URL_… included) before the plain ones, and after
// the run no secret is in any line it printed (its debug log included) or any file of its state
// folder. The simulator is the Creator API; a test server plays the accounts server, so that the
// token request is seen to go where ZOHO_ACCOUNTS_URL_… says, with the suffixed credentials.
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { HostileZoho, json } from '../faults/hostileServer';
import { startSimulator, type Simulator } from '../simulator';
import { events, Workspace } from './harness';

const DEFINITIONS = `{
  "exports": [
    { "name": "Customers", "app": "zylker-store", "report": "All_Customers", "destination": "out/{report}.csv", "account": "Zylker (EU)" }
  ]
}
`;

/** An access token as Zoho mints them (the pattern src/zoho/redact.ts must mask wherever it shows). */
const mintToken = (): string => `1000.${randomBytes(16).toString('hex')}.${randomBytes(16).toString('hex')}`;

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => path.join(entry.parentPath, entry.name));
}

describe('command line: credentials from the environment', function () {
  this.timeout(120_000);
  let sim: Simulator;
  let accounts: HostileZoho;
  let ws: Workspace;

  before(async () => {
    sim = await startSimulator({ jobDurationMs: 0, throttles: false });
    accounts = new HostileZoho();
    await accounts.start();
    ws = await Workspace.create(DEFINITIONS);
  });

  after(async () => {
    await sim?.close();
    await accounts?.stop();
    await ws?.remove();
  });

  it("a definition's account signs in with its own variables, ZOHO_ACCOUNTS_URL_… included; no secret in any output line or state file", async () => {
    const secrets = {
      refreshToken: mintToken(),
      clientId: `1000.${randomBytes(12).toString('hex').toUpperCase()}`,
      clientSecret: randomBytes(20).toString('hex'),
      plainRefreshToken: mintToken(),
      plainClientSecret: randomBytes(20).toString('hex'),
    };
    const accessToken = mintToken();
    sim.addAccessToken(accessToken);
    const tokenBodies: string[] = [];
    accounts.handlers.token = (_req, res, hit) => {
      tokenBodies.push(hit.body);
      json(res, 200, {
        access_token: accessToken,
        api_domain: sim.url,
        token_type: 'Bearer',
        expires_in: 3600,
      });
    };
    const env = {
      // The plain set is another account's: "Zylker (EU)" must not sign in with it.
      ZOHO_REFRESH_TOKEN: secrets.plainRefreshToken,
      ZOHO_CLIENT_ID: '1000.PLAINCLIENT',
      ZOHO_CLIENT_SECRET: secrets.plainClientSecret,
      ZOHO_DATA_CENTRE: 'US',
      ZOHO_OWNER: 'someone-else',
      ZOHO_REFRESH_TOKEN_ZYLKER_EU: secrets.refreshToken,
      ZOHO_CLIENT_ID_ZYLKER_EU: secrets.clientId,
      ZOHO_CLIENT_SECRET_ZYLKER_EU: secrets.clientSecret,
      ZOHO_API_URL_ZYLKER_EU: sim.url,
      ZOHO_ACCOUNTS_URL_ZYLKER_EU: accounts.url,
      ZOHO_OWNER_ZYLKER_EU: 'demo',
      CREATOR_BULK_JOBS_LOG: 'debug', // the core's log too: every request line
    };
    const poll = ['--poll-seconds', '0.2', '--max-poll-seconds', '1'];
    const text = await ws.run(['export', 'Customers', ...poll], env).finished;
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /✔ Customers: 1,000 records, 1 batch, .* → out\/All_Customers\.csv/);
    const lines = await ws.run(['export', 'Customers', '--overwrite', '--json', ...poll], env).finished;
    assert.equal(lines.code, 0, lines.stderr);
    assert.equal(events(lines.stdout).at(-1)?.records, 1000);

    // The token came from ZOHO_ACCOUNTS_URL_ZYLKER_EU, asked with the suffixed credentials only.
    assert.ok(tokenBodies.length >= 1, 'the accounts server of ZOHO_ACCOUNTS_URL_ZYLKER_EU was asked');
    for (const body of tokenBodies) {
      const form = new URLSearchParams(body);
      assert.equal(form.get('refresh_token'), secrets.refreshToken);
      assert.equal(form.get('client_id'), secrets.clientId);
      assert.equal(form.get('client_secret'), secrets.clientSecret);
    }
    assert.ok(
      sim.requests.some((request) => request.authorization === `Zoho-oauthtoken ${accessToken}`),
      'the Creator requests went to ZOHO_API_URL_ZYLKER_EU with the token it minted',
    );

    const leaks = (where: string, text: string): string[] =>
      [...Object.values(secrets), accessToken]
        .filter((secret) => text.includes(secret))
        .map((secret) => `${where} holds ${secret.slice(0, 8)}…`);
    const found = [
      ...leaks('the text run', text.stdout + text.stderr),
      ...leaks('the --json run', lines.stdout + lines.stderr),
    ];
    assert.match(text.stderr, /\[debug\] POST \/creator\//, 'the debug log was printed (and checked)');
    const files = await filesUnder(ws.state);
    assert.ok(files.length > 0, 'the state folder holds the runs');
    for (const file of files) {
      found.push(...leaks(path.relative(ws.state, file), await readFile(file, 'latin1')));
    }
    assert.deepEqual(found, [], 'no secret in any output line or state file');
  });
});

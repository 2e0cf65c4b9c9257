// The built command-line tool where things go wrong: missing credentials, a bad definition, a
// hostile server (test/faults) that refuses and echoes the secrets back, usage errors. Each ends
// with its documented exit code and a message that says what to do; no secret is ever printed.
import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { csvOf, HostileZoho, json } from '../faults/hostileServer';
import { Workspace, type Finished } from './harness';

const ACCESS_TOKEN = '1000.clisecretaccesstoken5d1e';
const REFRESH_TOKEN = '1000.clisecretrefreshtoken77a0';
const CLIENT_SECRET = 'clisecretclientsecret93f1';
const CLIENT_ID = '1000.CLICLIENTID';

const DEFINITIONS = `{
  "exports": [
    { "name": "Orders", "app": "zylker", "report": "All_Orders", "destination": "out/{report}.csv" }
  ]
}
`;

/** Neither output holds any secret value, whole or as the access token's tail. */
function assertNoSecret(result: Finished): void {
  for (const secret of [ACCESS_TOKEN, REFRESH_TOKEN, CLIENT_SECRET]) {
    for (const [name, text] of [
      ['stdout', result.stdout],
      ['stderr', result.stderr],
    ]) {
      assert.ok(!text.includes(secret), `${name} holds a secret:\n${text}`);
    }
  }
}

describe('command line: failures and their exit codes', function () {
  this.timeout(60_000);
  let ws: Workspace;
  let server: HostileZoho;

  beforeEach(async () => {
    ws = await Workspace.create(DEFINITIONS);
    server = new HostileZoho();
    await server.start();
  });

  afterEach(async () => {
    await server.stop();
    await ws.remove();
  });

  it('missing credentials: exit 3, naming the variable, before any request', async () => {
    const none = await ws.run(['export', 'Orders']).finished;
    assert.equal(none.code, 3);
    assert.match(
      none.stderr,
      /ZOHO_REFRESH_TOKEN \(with ZOHO_CLIENT_ID and ZOHO_CLIENT_SECRET\), or ZOHO_ACCESS_TOKEN, is not set/,
    );
    const noClient = await ws.run(['export', '--all'], {
      ZOHO_REFRESH_TOKEN: REFRESH_TOKEN,
      ZOHO_DATA_CENTRE: 'EU',
    }).finished;
    assert.equal(noClient.code, 3);
    assert.match(noClient.stderr, /ZOHO_CLIENT_ID is not set/);
    const noPlace = await ws.run(['export', 'Orders'], {
      ZOHO_ACCESS_TOKEN: ACCESS_TOKEN,
      ZOHO_OWNER: 'jason18',
    }).finished;
    assert.equal(noPlace.code, 3);
    assert.match(noPlace.stderr, /ZOHO_DATA_CENTRE \(one of US, EU, .*\) or ZOHO_ACCOUNTS_URL is not set/);
    assertNoSecret(noPlace);
    assert.equal(server.requests.length, 0);
  });

  it('a bad definition: exit 2 with file:line:column, as the editor marks it', async () => {
    const bad = await Workspace.create(`{
  "exports": [
    { "name": "Orders", "app": "zylker", "report": "All Orders", "batchSize": 5 }
  ]
}
`);
    try {
      const result = await bad.run(['export', '--all', '--simulator', server.url]).finished;
      assert.equal(result.code, 2);
      assert.match(
        result.stderr,
        /^\.vscode\/zoho-exports\.json:3:52: error: "All Orders" is not a link name/m,
      );
      assert.match(
        result.stderr,
        /^\.vscode\/zoho-exports\.json:3:79: error: Records per batch must be a multiple of 1000/m,
      );
      assert.match(result.stderr, /has problems \(above\): fix them, or name the exports to run/);
      const list = await bad.run(['list', '--json']).finished;
      assert.equal(list.code, 2);
      const problems = list.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      assert.deepEqual(
        problems.map((p) => [p.type, p.line, p.column, p.severity]),
        [
          ['problem', 3, 52, 'error'],
          ['problem', 3, 79, 'error'],
        ],
      );
      assert.equal(server.requests.length, 0);
    } finally {
      await bad.remove();
    }
  });

  it('Zoho refuses, echoing the access token: exit 4 with the code, the token masked everywhere', async () => {
    server.handlers.create = (req, res) =>
      json(res, 404, {
        code: 2894,
        message: `No report All_Orders for ${req.headers.authorization} (${ACCESS_TOKEN})`,
      });
    const env = { ZOHO_ACCESS_TOKEN: ACCESS_TOKEN, ZOHO_API_URL: server.url, ZOHO_OWNER: 'jason18' };
    const text = await ws.run(['export', 'Orders'], env).finished;
    assert.equal(text.code, 4, text.stderr);
    assert.match(text.stderr, /Orders: Zoho refused: .*\(Zoho code 2894, HTTP 404\)/);
    assert.match(text.stderr, /\*\*\*/);
    assertNoSecret(text);
    const lines = await ws.run(['export', 'Orders', '--json'], env).finished;
    assert.equal(lines.code, 4);
    const [error] = lines.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.equal(error.type, 'error');
    assert.equal(error.exitCode, 4);
    assertNoSecret(lines);
    assert.ok(server.requests.every((request) => request.route === 'create'));
  });

  it('a refresh token the accounts server rejects, echoing the secrets: exit 3, nothing secret printed', async () => {
    server.handlers.token = (_req, res) =>
      json(res, 200, {
        error: 'invalid_client',
        detail: `client_secret=${CLIENT_SECRET} refresh_token=${REFRESH_TOKEN}`,
      });
    const result = await ws.run(['export', 'Orders', '--json'], {
      ZOHO_REFRESH_TOKEN: REFRESH_TOKEN,
      ZOHO_CLIENT_ID: CLIENT_ID,
      ZOHO_CLIENT_SECRET: CLIENT_SECRET,
      ZOHO_API_URL: server.url,
      ZOHO_OWNER: 'jason18',
    }).finished;
    assert.equal(result.code, 3, result.stdout + result.stderr);
    assertNoSecret(result);
    assert.equal(server.hits('create'), 0, 'no Creator request without a token');
  });

  it('batches that do not fit together: exit 5, nothing under the final name and no working file', async () => {
    const first = '2000000018003';
    server.handlers.create = (_req, res, hit) =>
      json(res, 200, {
        code: 3000,
        details: { id: String(Number(first) + (hit.n - 1) * 1000), operation: 'read', status: 'In-progress' },
      });
    server.handlers.status = (_req, res, hit) =>
      json(res, 200, {
        code: 3000,
        details: {
          id: hit.jobId,
          operation: 'read',
          status: 'Completed',
          result: {
            count: hit.jobId === first ? 3 : 2,
            download_url: `/creator/v2.1/bulk/jason18/zylker/report/All_Orders/read/${hit.jobId}/result`,
            ...(hit.jobId === first ? { record_cursor: 'cursor-of-batch-1' } : {}),
          },
        },
      });
    server.handlers.download = (_req, res, hit) => {
      res.writeHead(200, { 'Content-Type': 'text/csv' });
      // The second batch has other columns: appended, the file would not be one table.
      res.end(hit.jobId === first ? csvOf(3) : csvOf(2, 'ID,Other'));
    };
    const env = { ZOHO_ACCESS_TOKEN: ACCESS_TOKEN, ZOHO_API_URL: server.url, ZOHO_OWNER: 'jason18' };
    const result = await ws.run(['export', 'Orders', '--poll-seconds', '0.1', '--max-poll-seconds', '1'], env)
      .finished;
    assert.equal(result.code, 5, result.stdout + result.stderr);
    assert.match(
      result.stderr,
      /✖ Orders: Batch 2 \(job 2000000019003\) cannot be merged: .*\(3 records, 2 batches/,
    );
    assert.equal(existsSync(ws.file('out/All_Orders.csv')), false);
    assert.deepEqual(await readdir(ws.file('out')), [], 'no working or partial file');
    assertNoSecret(result);
  });

  it('usage: unknown option or command exit 2; --help of every command has an example; --version', async () => {
    const unknown = await ws.run(['export', '--everything']).finished;
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /Unknown option '--everything'/);
    const wrong = await ws.run(['list', '--all']).finished;
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /list does not take --all/);
    const nothing = await ws.run(['export', '--simulator', server.url]).finished;
    assert.equal(nothing.code, 2);
    assert.match(nothing.stderr, /Name the exports to run, or pass --all/);
    for (const command of ['export', 'list', 'status', 'download', 'resume']) {
      const help = await ws.run([command, '--help']).finished;
      assert.equal(help.code, 0);
      assert.match(help.stdout, new RegExp(`^Usage: creator-bulk-jobs ${command}`));
      assert.match(help.stdout, /Examples?:\n {2}creator-bulk-jobs /);
    }
    const version = await ws.run(['--version']).finished;
    assert.equal(version.code, 0);
    assert.match(version.stdout, /^\d+\.\d+\.\d+\n$/);
  });
});

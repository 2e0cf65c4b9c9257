import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as path from 'node:path';

const CLI = path.resolve(__dirname, '../../simulator/cli.ts');
const CUSTOMERS = '/creator/v2.1/bulk/demo/zylker-store/report/All_Customers/read';
const PIVOT = '/creator/v2.1/bulk/demo/zylker-store/report/Sales_Pivot/read';
const AUTH = { Authorization: 'Zoho-oauthtoken demo-token' };

/** Runs the CLI with `args`, hands its URL to `use`, then stops it and checks it exits cleanly. */
async function withCli(args: string[], use: (url: string) => Promise<void>): Promise<void> {
  const child = spawn(process.execPath, ['-r', 'esbuild-register', CLI, '--port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('\n')) {
          resolve(out.trim());
        }
      });
      child.on('exit', () => reject(new Error(`CLI exited early: ${out}`)));
    });
    const match = /^Zoho Creator simulator listening on (http:\/\/127\.0\.0\.1:\d+)$/.exec(line);
    assert.ok(match, line);
    await use(match[1]);
  } finally {
    child.kill('SIGTERM');
  }
  assert.equal(await exited, 0);
}

async function create(url: string, path: string, body: string): Promise<Response> {
  return fetch(`${url}${path}`, { method: 'POST', headers: AUTH, body });
}

describe('simulator: CLI', () => {
  it('prints its URL, serves requests and exits cleanly on SIGTERM', async () => {
    await withCli(['--job-seconds', '0', '--status-profile', 'doc'], async (url) => {
      const answer = await create(url, CUSTOMERS, '{"query":{}}');
      assert.equal(((await answer.json()) as { details: { status: string } }).details.status, 'COMPLETED');
    });
  });

  it('takes --status-profile prose, --empty-result, --pivot-status and --no-retry-after', async () => {
    const args = ['--job-seconds', '0', '--status-profile', 'prose', '--empty-result', 'code3000'];
    await withCli([...args, '--pivot-status', '200', '--no-retry-after'], async (url) => {
      const created = (await (
        await create(url, CUSTOMERS, '{"query":{"criteria":"ID == \\"none\\""}}')
      ).json()) as {
        details: { status: string; result: { count: number; download_url: string } };
      };
      assert.equal(created.details.status, 'COMPLETED');
      assert.equal(created.details.result.count, 0);
      assert.match(created.details.result.download_url, /^\/api\/bulk\/v2\.1\/.*\/result\/$/);
      const empty = await fetch(`${url}${created.details.result.download_url}`, { headers: AUTH });
      assert.equal(empty.status, 200);
      assert.equal(((await empty.json()) as { code: number }).code, 3000);
      const pivot = await create(url, PIVOT, '{}');
      assert.equal(pivot.status, 200);
      assert.equal(((await pivot.json()) as { code: number }).code, 7150);
      // The first create counted, the refused pivot create did not: four more fill the minute.
      for (let i = 0; i < 4; i++) {
        assert.equal((await create(url, CUSTOMERS, '{}')).status, 200);
      }
      const throttled = await create(url, CUSTOMERS, '{}');
      assert.equal(throttled.status, 429);
      assert.equal(throttled.headers.get('retry-after'), null);
    });
  });
});

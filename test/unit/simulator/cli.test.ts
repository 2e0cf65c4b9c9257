import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as path from 'node:path';

const CLI = path.resolve(__dirname, '../../simulator/cli.ts');

describe('simulator: CLI', () => {
  it('prints its URL, serves requests and exits cleanly on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      ['-r', 'esbuild-register', CLI, '--port', '0', '--job-seconds', '0', '--status-profile', 'doc'],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
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
      const answer = await fetch(
        `${match[1]}/creator/v2.1/bulk/demo/zylker-store/report/All_Customers/read`,
        {
          method: 'POST',
          headers: { Authorization: 'Zoho-oauthtoken demo-token' },
          body: '{"query":{}}',
        },
      );
      assert.equal(((await answer.json()) as { details: { status: string } }).details.status, 'COMPLETED');
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0);
  });
});

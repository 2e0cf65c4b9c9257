// What a window start loads and does when nobody uses the extension there: the production bundle,
// required and activated in a fresh Node process on the bench's stub host (test/bench/
// activationProbe.js), with an empty storage folder. Structure only: the times are the bench's.
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';

// esbuild.js is the build script itself (CommonJS): its production options are what ships.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { extensionBuilds } = require('../../../esbuild.js') as {
  extensionBuilds(minified: boolean, outdir: string): import('esbuild').BuildOptions[];
};

interface Probe {
  builtins: string[];
  vendor: string[];
  fsCalls: string[];
  idle: { fsCalls: number; watchers: number; timers: number };
}

describe('a window start with nothing to do (production bundle, stub host)', function () {
  this.timeout(60_000);
  let dir: string;
  let probe: Probe;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cbj-start-'));
    await Promise.all(extensionBuilds(true, dir).map((options) => build({ ...options, logLevel: 'silent' })));
    const { stdout } = await promisify(execFile)(process.execPath, [
      join(__dirname, '../../bench/activationProbe.js'),
      join(dir, 'extension.js'),
      '--idle-simulated',
      '10',
    ]);
    probe = JSON.parse(stdout) as Probe;
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('loads no library meant for first use (axios, yauzl, jsonc-parser) and no node:crypto', () => {
    assert.deepEqual(probe.vendor, []);
    assert.ok(!probe.builtins.includes('crypto'), `built-ins loaded: ${probe.builtins.join(', ')}`);
  });

  it('opens one watcher and arms no timer, and touches no file while it waits', () => {
    assert.equal(probe.idle.watchers, 1);
    assert.equal(probe.idle.timers, 0);
    assert.equal(probe.idle.fsCalls, 0);
    assert.ok(
      !probe.fsCalls.some(
        (call) => /writeFile|rename|open|mkdir\b/.test(call) && !call.endsWith('mkdirSync'),
      ),
      `file system calls at start: ${probe.fsCalls.join(', ')}`,
    );
  });
});

// What a window start loads and does when nobody uses the extension there: the production bundle,
// required and activated in a fresh Node process on the bench's stub host (test/bench/
// activationProbe.js), with an empty storage folder. Structure only: the times are the bench's.
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { BuildOptions } from 'esbuild';

// esbuild.js is the build script itself (CommonJS): its production build is what ships.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { buildExtension } = require('../../../esbuild.js') as {
  buildExtension(
    minified: boolean,
    outdir: string,
    entryPoint: undefined,
    extra: BuildOptions,
  ): Promise<unknown>;
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
    await buildExtension(true, dir, undefined, { logLevel: 'silent' });
    const { stdout } = await promisify(execFile)(process.execPath, [
      join(__dirname, '../../bench/activationProbe.js'),
      join(dir, 'extension.js'),
      '--idle-simulated',
      '10',
    ]);
    probe = JSON.parse(stdout) as Probe;
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('loads nothing meant for first use: no command, download or compare code (later.js), no vendor library, no node:crypto or streams', () => {
    assert.deepEqual(probe.vendor, []);
    const early = probe.builtins.filter((name) => /^(crypto|stream|readline|zlib|fs\/promises)/.test(name));
    assert.deepEqual(early, [], `built-ins loaded: ${probe.builtins.join(', ')}`);
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

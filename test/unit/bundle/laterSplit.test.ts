// The cut of esbuild.js (buildSplit) that keeps a window start small: a module src loads with
// import() or a require() inside a function goes to later.js, loaded on first use, and a module
// both sides use runs once, from the start bundle (its classes and its state are one). Built with
// the production options on a small fixture (split/), then run in a fresh Node process.
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
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
    entryPoint: string,
    extra: BuildOptions,
  ): Promise<unknown>;
};

describe('the build cut between the window start (extension.js) and first use (later.js)', function () {
  this.timeout(60_000);
  let dir: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cbj-split-'));
    await buildExtension(true, dir, join(__dirname, 'split', 'entry.ts'), { logLevel: 'silent' });
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('leaves the modules loaded on first use out of the start bundle', async () => {
    const start = await readFile(join(dir, 'extension.js'), 'utf8');
    const later = await readFile(join(dir, 'later.js'), 'utf8');
    assert.ok(!start.includes('split-fixture-later'), 'extension.js holds code meant for later.js');
    assert.ok(
      later.includes('split-fixture-later-module') && later.includes('split-fixture-later-sync-module'),
    );
  });

  it('loads later.js only when first used (and no library with it), with one copy of what both sides share', async () => {
    const script = `
      const bundle = require(${JSON.stringify(join(dir, 'extension.js'))});
      const loaded = () => Object.keys(require.cache).some((file) => file.endsWith('later.js'));
      const vendor = () => Object.keys(require.cache).filter((file) => file.includes('vendor'));
      const before = loaded();
      bundle.run().then((result) => console.log(JSON.stringify({ before, after: loaded(), vendor: vendor(), ...result })));`;
    const { stdout } = await promisify(execFile)(process.execPath, ['-e', script]);
    assert.deepEqual(JSON.parse(stdout), {
      before: false,
      after: true,
      vendor: [],
      sameClass: true,
      message: 'split-fixture-later-module',
      calls: 3,
    });
  });
});

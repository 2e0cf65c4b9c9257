import * as assert from 'assert';
import { spawnSync } from 'child_process';
import * as path from 'path';
import { PACKAGES, plan } from '../../host/prerequisites';

const SCRIPT = path.resolve(__dirname, '../../host/prerequisites.js');

/** Runs the real script as the demo and the test runners do, never letting it call apt-get. */
function runScript(purpose: string, absent: string) {
  const result = spawnSync(process.execPath, [SCRIPT, purpose], {
    encoding: 'utf8',
    env: { ...process.env, CBJ_PREREQS_NO_INSTALL: '1', CBJ_PREREQS_ABSENT: absent },
  });
  return { code: result.status, out: result.stdout + result.stderr };
}

describe('system prerequisites (test/host/prerequisites.js)', () => {
  it('installs every missing package the purpose needs when apt-get runs without a password', () => {
    const decision = plan({
      purpose: 'test',
      missing: ['chromium', 'ripgrep'],
      canInstall: true,
      debian: true,
      root: true,
    });
    assert.deepStrictEqual(decision.install, ['chromium', 'ripgrep']);
    assert.strictEqual(decision.stop, undefined);
  });

  it('stops with the one command that installs everything missing, required and optional', () => {
    const decision = plan({
      purpose: 'test',
      missing: ['build-essential', 'chromium', 'libkrb5-dev'],
      canInstall: false,
      debian: true,
      root: false,
    });
    assert.deepStrictEqual(decision.install, []);
    assert.match(
      decision.stop ?? '',
      /sudo apt-get update && sudo apt-get install -y build-essential chromium libkrb5-dev/,
    );
    assert.match(decision.stop ?? '', /chromium +the integration and end-to-end tests/);
  });

  it('lets the demo go on without chromium, ripgrep and libkrb5-dev, warning about the last two', () => {
    const decision = plan({
      purpose: 'demo',
      missing: ['chromium', 'ripgrep', 'libkrb5-dev'],
      canInstall: false,
      debian: true,
      root: false,
    });
    assert.strictEqual(decision.stop, undefined);
    assert.deepStrictEqual(decision.without, ['ripgrep', 'libkrb5-dev']);
    assert.strictEqual(decision.warnings.length, 2);
    assert.match(
      decision.warnings[0],
      /ripgrep is not installed, so Find in Files and Go to File fail.*sudo apt-get install -y ripgrep/,
    );
  });

  it('names the packages, not apt-get, off Debian, and points to desktop VS Code', () => {
    const decision = plan({
      purpose: 'demo',
      missing: ['python3'],
      canInstall: false,
      debian: false,
      root: false,
    });
    assert.doesNotMatch(decision.stop ?? '', /apt-get/);
    assert.match(decision.stop ?? '', /python3/);
    assert.match(decision.stop ?? '', /install the VSIX in desktop VS Code/);
  });

  it('gives every package a reason, and only ripgrep and libkrb5-dev are optional', () => {
    assert.ok(PACKAGES.every((p) => p.why.length > 0 && p.needs.length > 0));
    assert.deepStrictEqual(
      PACKAGES.filter((p) => p.without).map((p) => p.name),
      ['ripgrep', 'libkrb5-dev'],
    );
  });

  it('as a script, exits 1 before any work when chromium is missing, naming the command', () => {
    const { code, out } = runScript('test', 'chromium');
    assert.strictEqual(code, 1, out);
    assert.match(out, /npm test needs system packages that are not installed/);
    assert.match(out, /apt-get install -y chromium/);
  });

  it('as a script, lets npm run demo go on (exit 0) without chromium or ripgrep, with a warning', () => {
    const { code, out } = runScript('demo', 'chromium,ripgrep');
    assert.strictEqual(code, 0, out);
    assert.match(out, /warning: ripgrep is not installed/);
    assert.doesNotMatch(out, /chromium/);
  });
});

#!/usr/bin/env node
// The checks between the type check and the end-to-end tests, in two lanes at once to keep
// `npm test` (and .ci/run, which must stay under 15 minutes) short: the unit, fault and command-line
// suites (plain Node, one after another) beside the integration suite (a VS Code host, mostly
// waiting). Everything is built once first, so the lanes never write the same bundle at the same
// time. The integration lane prints as it goes; the other lane's output is printed whole when it
// ends, so neither is interleaved line by line. Exits 1 if any suite failed.
const { spawn, spawnSync } = require('node:child_process');
const path = require('node:path');

const ROOT = path.join(__dirname, '..', '..');
const MOCHA = path.join(ROOT, 'node_modules', 'mocha', 'bin', 'mocha.js');

function lane(name, steps, stream) {
  const started = Date.now();
  const output = [];
  const runStep = ([label, args, env]) =>
    new Promise((resolve) => {
      const child = spawn(process.execPath, args, {
        cwd: ROOT,
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const take = (chunk) => (stream ? process.stdout.write(chunk) : output.push(chunk));
      child.stdout.on('data', take);
      child.stderr.on('data', take);
      child.on('close', (code) => resolve({ label, code: code ?? 1 }));
    });
  return (async () => {
    const results = [];
    for (const step of steps) {
      results.push(await runStep(step));
    }
    if (!stream) {
      process.stdout.write(`\n[test:checks] ${name}:\n`);
      for (const chunk of output) {
        process.stdout.write(chunk);
      }
    }
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    for (const { label, code } of results) {
      process.stdout.write(`[test:checks] ${label}: ${code === 0 ? 'passed' : `FAILED (exit ${code})`}\n`);
    }
    process.stdout.write(`[test:checks] ${name} took ${seconds} s\n`);
    return results.every(({ code }) => code === 0);
  })();
}

async function main() {
  const built = spawnSync(process.execPath, ['esbuild.js', '--tests'], { cwd: ROOT, stdio: 'inherit' });
  if (built.status !== 0) {
    process.exit(1);
  }
  const [plain, host] = await Promise.all([
    lane(
      'unit, faults, command line',
      [
        ['unit', [MOCHA]],
        ['faults', [MOCHA, '--config', 'test/faults/.mocharc.json']],
        ['command line', [MOCHA, '--config', 'test/cli/.mocharc.json']],
      ],
      false,
    ),
    lane('integration', [['integration', ['test/host/run-integration.js'], { CBJ_BUILT: '1' }]], true),
  ]);
  process.exit(plain && host ? 0 : 1);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});

// `npm run test:integration`: bundles the integration tests, makes sure code-server is installed,
// starts the simulator (its URL reaches the tests as CBJ_SIMULATOR_URL), opens a fresh temporary
// workspace folder and runs `vscode-test` (.vscode-test.mjs). Exits with the suite's result.
// Words after `--` go to vscode-test, e.g. `npm run test:integration -- --run out/integration/exports.test.js`.
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');
const { ROOT, VSCODE_TEST_DIR } = require('./paths');
const { startSimulator } = require('./simulator');
const { ensurePrerequisites } = require('./prerequisites');

const started = Date.now();
const seconds = (since) => ((Date.now() - since) / 1000).toFixed(1) + ' s';

function run(command, args, env = process.env) {
  const result = spawnSync(command, args, { cwd: ROOT, env, stdio: 'inherit' });
  return result.status ?? 1;
}

async function main() {
  // A desktop VS Code (see .vscode-test.mjs) needs neither code-server nor chromium.
  const desktop = Boolean(process.env.CBJ_VSCODE_EXECUTABLE || process.env.CBJ_VSCODE_DESKTOP);
  if (!desktop) {
    ensurePrerequisites('test');
  }
  // CBJ_BUILT: test/host/run-checks.js built the bundles already (it runs other suites beside this one).
  if (!process.env.CBJ_BUILT && run(process.execPath, ['esbuild.js', '--tests']) !== 0) {
    throw new Error('bundling the extension and the integration tests failed');
  }
  if (!desktop && run(process.execPath, [path.join(__dirname, 'setup-vscode-server.js')]) !== 0) {
    throw new Error('setting up code-server failed');
  }
  // test-cli spawns the launcher directly: it must be executable even if a checkout lost the bit.
  fs.chmodSync(path.join(__dirname, 'code-server-launcher.js'), 0o755);
  // Same folders test-electron picks by default, emptied so no state leaks between runs.
  fs.rmSync(path.join(VSCODE_TEST_DIR, 'user-data'), { recursive: true, force: true });
  fs.mkdirSync(path.join(VSCODE_TEST_DIR, 'extensions'), { recursive: true });

  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'cbj-it-workspace-'));
  const simulator = await startSimulator({ args: ['--job-seconds', '2'] });
  console.log(`[test:integration] simulator ${simulator.url}, workspace ${workspace}`);
  let code;
  const stopAll = async () => {
    await simulator.stop();
    fs.rmSync(workspace, { recursive: true, force: true });
  };
  process.on('SIGINT', () => stopAll().finally(() => process.exit(130)));
  process.on('SIGTERM', () => stopAll().finally(() => process.exit(143)));
  try {
    const t = Date.now();
    // The CLI's script run by this Node, rather than node_modules/.bin, which is a .cmd on Windows.
    const cli = path.join(ROOT, 'node_modules', '@vscode', 'test-cli', 'out', 'bin.mjs');
    code = run(process.execPath, [cli, ...process.argv.slice(2)], {
      ...process.env,
      CBJ_SIMULATOR_URL: simulator.url,
      CBJ_TEST_WORKSPACE: workspace,
    });
    console.log(`[test:integration] suite ran in ${seconds(t)}`);
  } finally {
    await stopAll();
  }
  console.log(`[test:integration] ${code === 0 ? 'PASSED' : 'FAILED'} in ${seconds(started)}`);
  process.exit(code);
}

main().catch((error) => {
  console.error(`[test:integration] ${error.message}`);
  process.exit(1);
});

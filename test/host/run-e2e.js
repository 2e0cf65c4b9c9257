// `npm run test:e2e`: the user's-eye view. Builds the VSIX (npm run package), installs it into a fresh
// extensions folder of code-server, and runs every test/e2e/**/*.e2e.ts file against a real workbench
// in headless chromium. Each file gets its own simulator, server, user data, workspace and browser
// profile (an extension host outlives its page, so sharing a server would let one file's extension
// host keep polling and writing state during the next file). Screenshots and, on failure, the
// extension's log go to test-results/e2e/. The last line is exactly `N passed, N failed`.
// `npm run test:e2e -- --no-package` reuses the VSIX already in artifacts/ (quicker while iterating);
// words after it run only the files whose names contain one of them. Files run two at a time (each
// mostly waits on its workbench; CBJ_E2E_LANES=1 runs them one by one), longest first; a file's output
// is printed in one piece when it ends.
const fs = require('fs');
const path = require('path');
const { spawn, spawnSync } = require('child_process');
const { ROOT, VSCODE_TEST_DIR, TEST_RESULTS_DIR } = require('./paths');
const { installExtension, startCodeServer, killGroupNow } = require('./code-server');
const { startSimulator } = require('./simulator');
const { ensurePrerequisites } = require('./prerequisites');

const started = Date.now();
const seconds = (since) => ((Date.now() - since) / 1000).toFixed(1) + ' s';
const RUN_DIR = path.join(VSCODE_TEST_DIR, 'e2e');
const RESULTS = path.join(TEST_RESULTS_DIR, 'e2e');

/** Settings every e2e workbench starts with; a test can change them through updateUserSettings(). */
function userSettings(simulatorUrl) {
  return {
    'workbench.startupEditor': 'none', // else the welcome page steals focus and the palette flakes
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'security.workspace.trust.enabled': false,
    'git.openRepositoryInParentFolders': 'never', // the run folder sits inside this git checkout
    'creatorBulkJobs.simulatorUrl': simulatorUrl,
    'creatorBulkJobs.pollIntervalSeconds': 1,
    'creatorBulkJobs.maxPollIntervalSeconds': 5,
    'creatorBulkJobs.unfocusedPollMultiplier': 1,
  };
}

function testFiles(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      return testFiles(file);
    }
    return entry.name.endsWith('.e2e.ts') || entry.name.endsWith('.e2e.js') ? [file] : [];
  });
}

function runSync(command, args) {
  const result = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} exited with ${result.status ?? result.signal}`);
  }
}

/** The current child processes, stopped on Ctrl+C. */
const running = new Set();

/** Typical seconds per file on a 2-core machine (CI logs), to start the longest first. */
const TYPICAL_SECONDS = {
  twoWindows: 100,
  exportTree: 70,
  exportWholeReport: 45,
  stateAfterReload: 35,
  openResult: 35,
  definitionsEditor: 32,
};

/** Runs one test file against its own simulator and server; returns its counts. */
async function runFile(file, index, vsix, print) {
  const name = path.basename(file).replace(/\.e2e\.[jt]s$/, '');
  const dir = path.join(RUN_DIR, `${index}-${name}`);
  const dirs = {
    userData: path.join(dir, 'user-data'),
    extensions: path.join(RUN_DIR, 'extensions'),
    workspace: path.join(dir, 'workspace'),
    profile: path.join(dir, 'browser-profile'),
    scratch: path.join(dir, 'scratch'),
  };
  for (const d of Object.values(dirs)) {
    fs.mkdirSync(d, { recursive: true });
  }
  const stats = path.join(dir, 'stats.json');
  const simulator = await startSimulator({ args: ['--job-seconds', '3', '--no-throttles'] });
  running.add(simulator);
  let server;
  try {
    const settingsFile = path.join(dirs.userData, 'User', 'settings.json');
    fs.mkdirSync(path.dirname(settingsFile), { recursive: true });
    fs.writeFileSync(settingsFile, JSON.stringify(userSettings(simulator.url), null, 2));
    server = await startCodeServer({
      userDataDir: dirs.userData,
      extensionsDir: dirs.extensions,
      scratchDir: dirs.scratch,
    });
    running.add(server);
    print(`\n[test:e2e] ${path.relative(ROOT, file)}: server ${server.url}, simulator ${simulator.url}\n`);
    const env = {
      ...process.env,
      CBJ_E2E_WORKBENCH_URL: `${server.url}/?folder=${encodeURIComponent(dirs.workspace)}`,
      CBJ_E2E_SERVER_URL: server.url,
      CBJ_SIMULATOR_URL: simulator.url,
      CBJ_E2E_WORKSPACE: dirs.workspace,
      CBJ_E2E_PROFILE_DIR: dirs.profile,
      CBJ_E2E_SETTINGS_FILE: settingsFile,
      CBJ_E2E_LOGS_DIR: server.logsDir,
      CBJ_E2E_RESULTS_DIR: RESULTS,
      CBJ_E2E_VSIX: vsix,
      CBJ_E2E_STATS: stats,
    };
    const child = spawn(
      process.execPath,
      ['-r', 'esbuild-register', path.join(__dirname, 'e2e-mocha.js'), file],
      { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child.stdout.on('data', (chunk) => print(chunk.toString()));
    child.stderr.on('data', (chunk) => print(chunk.toString()));
    const mochaRun = { stop: async () => child.kill('SIGTERM') };
    running.add(mochaRun);
    await new Promise((resolve) => child.on('exit', resolve));
    running.delete(mochaRun);
  } finally {
    await server?.stop();
    await simulator.stop();
    running.delete(server);
    running.delete(simulator);
  }
  try {
    return JSON.parse(fs.readFileSync(stats, 'utf8'));
  } catch {
    print(`[test:e2e] ${path.relative(ROOT, file)} ended without results: counted as one failure\n`);
    return { passes: 0, failures: 1, pending: 0 };
  }
}

async function main() {
  ensurePrerequisites('test'); // before the packaging: a missing chromium is said now, not after a build
  // Words after the flags pick files by name: `npm run test:e2e -- --no-package expired`.
  const only = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
  const files = testFiles(path.join(ROOT, 'test', 'e2e'))
    .filter((file) => only.length === 0 || only.some((word) => path.basename(file).includes(word)))
    .sort();
  const { name, version } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const vsix = path.join(ROOT, 'artifacts', `${name}-${version}.vsix`);
  let t = Date.now();
  if (process.argv.includes('--no-package') && fs.existsSync(vsix)) {
    console.log(`[test:e2e] --no-package: reusing ${path.relative(ROOT, vsix)}`);
  } else {
    runSync('npm', ['run', 'package']);
    console.log(`[test:e2e] VSIX built in ${seconds(t)}`);
  }
  runSync(process.execPath, [path.join(__dirname, 'setup-vscode-server.js')]);

  fs.rmSync(RUN_DIR, { recursive: true, force: true });
  fs.rmSync(RESULTS, { recursive: true, force: true });
  fs.mkdirSync(RESULTS, { recursive: true });
  t = Date.now();
  installExtension({
    vsix,
    userDataDir: path.join(RUN_DIR, 'install-user-data'),
    extensionsDir: path.join(RUN_DIR, 'extensions'),
    scratchDir: path.join(RUN_DIR, 'install-scratch'),
  });
  console.log(`[test:e2e] installed ${path.relative(ROOT, vsix)} in ${seconds(t)}`);

  const total = { passes: 0, failures: 0, pending: 0 };
  const lanes = Math.max(1, Number(process.env.CBJ_E2E_LANES ?? 2) || 1);
  const typical = (file) => TYPICAL_SECONDS[path.basename(file).replace(/\.e2e\.[jt]s$/, '')] ?? 25;
  const queue = files
    .map((file, index) => ({ file, index }))
    .sort((a, b) => typical(b.file) - typical(a.file));
  const lane = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const fileStarted = Date.now();
      const output = [];
      const print = lanes === 1 ? (text) => process.stdout.write(text) : (text) => output.push(text);
      const result = await runFile(next.file, next.index + 1, vsix, print);
      process.stdout.write(output.join(''));
      console.log(`[test:e2e] ${path.relative(ROOT, next.file)} took ${seconds(fileStarted)}`);
      total.passes += result.passes;
      total.failures += result.failures;
      total.pending += result.pending;
    }
  };
  await Promise.all(Array.from({ length: Math.min(lanes, files.length) }, lane));
  console.log(
    `[test:e2e] ${files.length} file(s) in ${seconds(started)}; screenshots in ${path.relative(ROOT, RESULTS)}/`,
  );
  if (files.length === 0) {
    console.error('[test:e2e] no test/e2e/**/*.e2e.ts files found');
    total.failures += 1;
  }
  console.log(`${total.passes} passed, ${total.failures} failed`);
  process.exit(total.failures > 0 ? 1 : 0);
}

process.on('exit', () => [...running].filter((r) => r.pid && r.logsDir).forEach((r) => killGroupNow(r.pid)));
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    Promise.all([...running].map((r) => r.stop())).finally(() => process.exit(130));
  });
}

main().catch((error) => {
  console.error(`[test:e2e] ${error.message}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
});

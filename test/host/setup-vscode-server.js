// Installs code-server (the VS Code server, 1.100.3) under .vscode-test/ without internet access:
// a plain `npm install code-server` fails offline (ripgrep's postinstall downloads a binary), so this
// follows a recipe measured on offline machines: `npm pack`, install with scripts off, rebuild the native
// modules, link Debian's ripgrep. Idempotent: a marker file written at the very end makes a second
// run return at once. The system packages it needs are checked (and installed where apt-get needs
// no password) first, by prerequisites.js. Without the optional ones (ripgrep, libkrb5-dev) it sets
// code-server up without search or kerberos, notes that in the marker, and adds them on a later run
// once they are installed.
const fs = require('fs');
const path = require('path');
const { spawnSync, spawn } = require('child_process');
const {
  CODE_SERVER_VERSION,
  VSCODE_TEST_DIR,
  CODE_SERVER_DIR,
  CODE_SERVER_ENTRY,
  SETUP_MARKER,
} = require('./paths');
const { ensurePrerequisites, isPresent } = require('./prerequisites');

const started = Date.now();
const seconds = (since) => ((Date.now() - since) / 1000).toFixed(1) + ' s';
const LOG_DIR = path.join(VSCODE_TEST_DIR, 'setup-logs');

/**
 * code-server's native modules. Which are required was found by removing each built module in turn
 * and running the integration suite: without argon2 code-server does not start, without spdlog no
 * log file is written (the extension's log included); the others only cost the feature named.
 * `needs`: the optional system package without which the module is not built at all.
 */
const NATIVE_MODULES = [
  { name: 'argon2', inVscode: false, required: true, what: 'password hashing, loaded at start-up' },
  { name: '@vscode/spdlog', inVscode: true, required: true, what: 'log files' },
  { name: 'node-pty', inVscode: true, what: 'the integrated terminal' },
  { name: 'native-watchdog', inVscode: true, what: 'stopping an extension host whose server died' },
  { name: '@vscode/deviceid', inVscode: true, what: 'the telemetry device id (telemetry is off)' },
  { name: 'kerberos', inVscode: true, needs: 'libkrb5-dev', what: 'Kerberos proxy authentication' },
];

let npmEnvCache;
/** npm_config_yes: node-pty's build runs `npx node-gyp`, which an npm config of yes=false would block. */
function npmEnv() {
  npmEnvCache ??= {
    ...process.env,
    npm_config_yes: 'true',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
    ...localNodeHeaders(),
  };
  return npmEnvCache;
}

/**
 * node-gyp downloads Node's headers unless told where they are, and offline that fails. Node from a
 * distribution package (Debian's nodejs, NodeSource) ships them in <prefix>/include/node: point
 * node-gyp there when nobody has chosen a nodedir.
 */
function localNodeHeaders() {
  if (process.env.npm_config_nodedir) {
    return {};
  }
  const configured = spawnSync('npm', ['config', 'get', 'nodedir'], { encoding: 'utf8' }).stdout?.trim();
  if (configured && configured !== 'undefined' && configured !== 'null') {
    return {};
  }
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  try {
    const header = fs.readFileSync(path.join(prefix, 'include', 'node', 'node_version.h'), 'utf8');
    const major = /#define NODE_MAJOR_VERSION (\d+)/.exec(header)?.[1];
    return major === process.versions.node.split('.')[0] ? { npm_config_nodedir: prefix } : {};
  } catch {
    return {};
  }
}

const quiet = ['--no-audit', '--no-fund', '--loglevel=error'];

function run(command, args, cwd) {
  const result = spawnSync(command, args, { cwd, env: npmEnv(), stdio: 'inherit' });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} (in ${cwd}) exited with ${result.status ?? result.signal}`);
  }
}

function runAsync(command, args, cwd) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: npmEnv(), stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code, signal) =>
      code === 0
        ? resolve()
        : reject(new Error(`${command} ${args.join(' ')} (in ${cwd}) exited with ${code ?? signal}`)),
    );
  });
}

/** Runs a build quietly into a log file: its output matters only when what it built does not load. */
function runLogged(command, args, cwd, logFile) {
  fs.mkdirSync(path.dirname(logFile), { recursive: true });
  const out = fs.openSync(logFile, 'w');
  try {
    spawnSync(command, args, { cwd, env: npmEnv(), stdio: ['ignore', out, out] });
  } finally {
    fs.closeSync(out);
  }
}

async function step(name, action) {
  const t = Date.now();
  console.log(`[setup:vscode] ${name} ...`);
  await action();
  console.log(`[setup:vscode] ${name} done in ${seconds(t)}`);
}

function which(binary) {
  const result = spawnSync('sh', ['-c', 'command -v "$1"', 'sh', binary], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

/** Replaces whatever is at `link` by a symlink to `target` (what postinstall.sh's symlink() does). */
function symlink(target, link) {
  fs.rmSync(link, { recursive: true, force: true });
  fs.symlinkSync(target, link);
}

function loads(moduleName, dir) {
  const code = `require(${JSON.stringify(moduleName)})`;
  return spawnSync(process.execPath, ['-e', code], { cwd: dir, stdio: 'ignore' }).status === 0;
}

function tail(file, lines) {
  return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

/**
 * Rebuilds the given native modules (one `npm rebuild` per folder, output to a log) and checks that
 * each loads. A required one that does not load is an error; an optional one, a warning.
 * @returns {string[]} the modules that do not load
 */
function buildNative(modules, dirs) {
  const failed = [];
  for (const inVscode of [false, true]) {
    const group = modules.filter((m) => m.inVscode === inVscode);
    if (group.length === 0) {
      continue;
    }
    const dir = inVscode ? dirs.vscode : dirs.root;
    const logFile = path.join(LOG_DIR, `rebuild-${inVscode ? 'vscode' : 'root'}.log`);
    const names = group.map((m) => m.name);
    runLogged('npm', ['rebuild', ...names, '--ignore-scripts=false', ...quiet], dir, logFile);
    for (const m of group.filter((m) => !loads(m.name, dir))) {
      if (m.required) {
        throw new Error(
          `the native module ${m.name} (${m.what}) did not build, so code-server cannot run.\n` +
            `The system packages are in place, so this is unexpected; the build's last lines (all in ${logFile}):\n` +
            tail(logFile, 15),
        );
      }
      console.warn(
        `[setup:vscode] warning: ${m.name} did not build (log: ${logFile}): ${m.what} will not work`,
      );
      failed.push(m.name);
    }
  }
  return failed;
}

/** Links Debian's rg where @vscode/ripgrep's download would have put its own. */
function linkRipgrep(vscodeDir) {
  const binDir = path.join(vscodeDir, 'node_modules', '@vscode', 'ripgrep', 'bin');
  fs.mkdirSync(binDir, { recursive: true });
  symlink(which('rg'), path.join(binDir, 'rg'));
}

function writeMarker(without) {
  fs.writeFileSync(
    SETUP_MARKER,
    JSON.stringify({ version: CODE_SERVER_VERSION, at: new Date().toISOString(), without }) + '\n',
  );
}

/** An install made while optional packages were missing gets what has been installed since. */
async function completeEarlierSetup() {
  const marker = JSON.parse(fs.readFileSync(SETUP_MARKER, 'utf8'));
  const without = marker.without ?? [];
  const vscode = path.join(CODE_SERVER_DIR, 'lib', 'vscode');
  const still = [];
  for (const part of without) {
    if (part === 'ripgrep' && isPresent('ripgrep')) {
      await step('link Debian ripgrep, installed since the set-up', () => linkRipgrep(vscode));
    } else if (part === 'kerberos' && isPresent('libkrb5-dev')) {
      const kerberos = NATIVE_MODULES.filter((m) => m.name === 'kerberos');
      await step('build kerberos, whose headers were installed since the set-up', () => {
        still.push(...buildNative(kerberos, { root: CODE_SERVER_DIR, vscode }));
      });
    } else {
      still.push(part);
    }
  }
  const changed = still.length !== without.length;
  if (changed) {
    writeMarker(still);
  }
  const note = still.length ? ` (without ${still.join(', ')})` : '';
  console.log(
    `[setup:vscode] code-server ${CODE_SERVER_VERSION} ${changed ? 'completed' : 'already set up'} in ${CODE_SERVER_DIR}${note} (${seconds(started)})`,
  );
}

async function main() {
  // Before anything long: a missing compiler must be a clear message now, not a node-gyp error later.
  ensurePrerequisites('demo');
  if (fs.existsSync(SETUP_MARKER) && fs.existsSync(CODE_SERVER_ENTRY)) {
    await completeEarlierSetup();
    return;
  }

  // A half-finished earlier attempt is thrown away: resuming one is not worth the doubt.
  fs.rmSync(CODE_SERVER_DIR, { recursive: true, force: true });
  const work = path.join(VSCODE_TEST_DIR, `code-server-${CODE_SERVER_VERSION}.partial`);
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(work, { recursive: true });

  await step(`npm pack code-server@${CODE_SERVER_VERSION}`, () => {
    run('npm', ['pack', `code-server@${CODE_SERVER_VERSION}`, '--pack-destination', work, ...quiet], work);
    run('tar', ['xzf', `code-server-${CODE_SERVER_VERSION}.tgz`], work);
  });
  const pkg = path.join(work, 'package');
  const vscode = path.join(pkg, 'lib', 'vscode');

  // --ignore-scripts skips ripgrep's download and postinstall.sh; their useful parts are done below.
  await step('npm install --omit=dev (root, lib/vscode, lib/vscode/extensions in parallel)', () =>
    Promise.all(
      [pkg, vscode, path.join(vscode, 'extensions')].map((dir) =>
        runAsync('npm', ['install', '--omit=dev', '--ignore-scripts', ...quiet], dir),
      ),
    ),
  );

  const without = [];
  const buildable = NATIVE_MODULES.filter((m) => !m.needs || isPresent(m.needs));
  without.push(...NATIVE_MODULES.filter((m) => !buildable.includes(m)).map((m) => m.name));
  await step(`build native modules: ${buildable.map((m) => m.name).join(', ')}`, () => {
    without.push(...buildNative(buildable, { root: pkg, vscode }));
  });

  if (isPresent('ripgrep')) {
    await step(`link Debian ripgrep (${which('rg')}) into @vscode/ripgrep`, () => linkRipgrep(vscode));
  } else {
    without.push('ripgrep');
  }

  await step('links made by postinstall.sh', () => {
    // Code and built-in extensions look for files (rg, oniguruma wasm) under node_modules.asar.
    symlink('node_modules', path.join(vscode, 'node_modules.asar'));
    symlink('code-linux.sh', path.join(vscode, 'bin', 'remote-cli', 'code-server'));
    symlink('browser-linux.sh', path.join(vscode, 'bin', 'helpers', 'browser.sh'));
  });

  fs.renameSync(pkg, CODE_SERVER_DIR);
  fs.rmSync(work, { recursive: true, force: true });
  writeMarker(without);
  console.log(
    `[setup:vscode] code-server ${CODE_SERVER_VERSION} set up in ${CODE_SERVER_DIR} in ${seconds(started)}` +
      (without.length ? ` without ${without.join(', ')}` : ''),
  );
}

main().catch((error) => {
  console.error(`[setup:vscode] FAILED after ${seconds(started)}: ${error.message}`);
  process.exit(1);
});

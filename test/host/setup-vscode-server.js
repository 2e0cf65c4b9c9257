// Installs code-server (the VS Code server, 1.100.3) under .vscode-test/ without internet access:
// a plain `npm install code-server` fails offline (ripgrep's postinstall downloads a binary), so this
// follows the measured recipe in /work/shared/vscode-host-testing.md. Idempotent: a marker file
// written at the very end makes a second run return at once.
// Needs Debian's ripgrep, build-essential, pkg-config, python3 and libkrb5-dev (native rebuilds).
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

const started = Date.now();
const seconds = (since) => ((Date.now() - since) / 1000).toFixed(1) + ' s';

// npm_config_yes: node-pty's build runs `npx node-gyp`, which this machine's npm config would block.
const npmEnv = {
  ...process.env,
  npm_config_yes: 'true',
  npm_config_fund: 'false',
  npm_config_audit: 'false',
};
const quiet = ['--no-audit', '--no-fund', '--loglevel=error'];

function run(command, args, cwd, env = npmEnv) {
  const result = spawnSync(command, args, { cwd, env, stdio: 'inherit' });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(' ')} (in ${cwd}) exited with ${result.status ?? result.signal}`);
  }
}

function runAsync(command, args, cwd) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env: npmEnv, stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code, signal) =>
      code === 0
        ? resolve()
        : reject(new Error(`${command} ${args.join(' ')} (in ${cwd}) exited with ${code ?? signal}`)),
    );
  });
}

async function step(name, action) {
  const t = Date.now();
  console.log(`[setup:vscode] ${name} ...`);
  await action();
  console.log(`[setup:vscode] ${name} done in ${seconds(t)}`);
}

function which(binary) {
  const result = spawnSync('sh', ['-c', `command -v ${binary}`], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : undefined;
}

/** Replaces whatever is at `link` by a symlink to `target` (what postinstall.sh's symlink() does). */
function symlink(target, link) {
  fs.rmSync(link, { recursive: true, force: true });
  fs.symlinkSync(target, link);
}

async function main() {
  if (fs.existsSync(SETUP_MARKER) && fs.existsSync(CODE_SERVER_ENTRY)) {
    console.log(
      `[setup:vscode] code-server ${CODE_SERVER_VERSION} already set up in ${CODE_SERVER_DIR} (${seconds(started)})`,
    );
    return;
  }
  const rg = which('rg');
  if (!rg) {
    throw new Error(
      'ripgrep (rg) is missing: install Debian package "ripgrep" (code-server needs it for search).',
    );
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

  await step('npm rebuild argon2 (password hashing; no prebuilt offline, node-gyp builds it)', () =>
    run('npm', ['rebuild', 'argon2', '--ignore-scripts=false', ...quiet], pkg),
  );

  await step(`link Debian ripgrep (${rg}) into @vscode/ripgrep`, () => {
    const binDir = path.join(vscode, 'node_modules', '@vscode', 'ripgrep', 'bin');
    fs.mkdirSync(binDir, { recursive: true });
    symlink(rg, path.join(binDir, 'rg'));
  });

  await step('npm rebuild native modules of lib/vscode', () =>
    run(
      'npm',
      [
        'rebuild',
        '@vscode/spdlog',
        'node-pty',
        'native-watchdog',
        'kerberos',
        '@vscode/deviceid',
        '--ignore-scripts=false',
        ...quiet,
      ],
      vscode,
    ),
  );

  await step('links made by postinstall.sh', () => {
    // Code and built-in extensions look for files (rg, oniguruma wasm) under node_modules.asar.
    symlink('node_modules', path.join(vscode, 'node_modules.asar'));
    symlink('code-linux.sh', path.join(vscode, 'bin', 'remote-cli', 'code-server'));
    symlink('browser-linux.sh', path.join(vscode, 'bin', 'helpers', 'browser.sh'));
  });

  await step('check native modules load', () =>
    run(
      process.execPath,
      [
        '-e',
        ['@vscode/spdlog', 'node-pty', 'native-watchdog', 'kerberos', '@vscode/deviceid']
          .map((m) => `require(${JSON.stringify(m)});`)
          .join(''),
      ],
      vscode,
    ),
  );

  fs.renameSync(pkg, CODE_SERVER_DIR);
  fs.rmSync(work, { recursive: true, force: true });
  fs.writeFileSync(
    SETUP_MARKER,
    JSON.stringify({ version: CODE_SERVER_VERSION, at: new Date().toISOString() }) + '\n',
  );
  console.log(
    `[setup:vscode] code-server ${CODE_SERVER_VERSION} set up in ${CODE_SERVER_DIR} in ${seconds(started)}`,
  );
}

main().catch((error) => {
  console.error(`[setup:vscode] FAILED after ${seconds(started)}: ${error.message}`);
  process.exit(1);
});

// Starts and stops a private code-server (the VS Code server) for one test run or demo.
// Measured rules (see /work/shared/vscode-host-testing.md): loopback only, HOME/XDG_*/TMPDIR in a
// scratch folder (the server writes config under ~ and leaves sockets in the temp folder), no gallery,
// the extensions folder created first (else the development extension is silently not registered),
// and the whole process group killed at the end (extension hosts outlive the browser by hours).
const fs = require('fs');
const net = require('net');
const path = require('path');
const { spawn, spawnSync } = require('child_process');
const { CODE_SERVER_ENTRY, SETUP_MARKER } = require('./paths');

function assertInstalled() {
  if (!fs.existsSync(SETUP_MARKER) || !fs.existsSync(CODE_SERVER_ENTRY)) {
    throw new Error('code-server is not set up: run `npm run setup:vscode` first.');
  }
}

/** A port free on 127.0.0.1 right now. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** The environment for the server (and so for its extension hosts): the caller's, minus home and temp. */
function scratchEnv(scratchDir, extra = {}) {
  const dirs = {
    HOME: path.join(scratchDir, 'home'),
    XDG_CONFIG_HOME: path.join(scratchDir, 'config'),
    XDG_DATA_HOME: path.join(scratchDir, 'data'),
    XDG_CACHE_HOME: path.join(scratchDir, 'cache'),
    XDG_STATE_HOME: path.join(scratchDir, 'state'),
    TMPDIR: path.join(scratchDir, 'tmp'),
  };
  for (const dir of Object.values(dirs)) {
    fs.mkdirSync(dir, { recursive: true });
  }
  const env = { ...process.env, ...dirs, EXTENSIONS_GALLERY: '{}', ...extra };
  // A password from the caller's environment must not switch the server to password auth.
  delete env.PASSWORD;
  delete env.HASHED_PASSWORD;
  delete env.ELECTRON_RUN_AS_NODE;
  return env;
}

function baseArgs({ userDataDir, extensionsDir }) {
  return [
    CODE_SERVER_ENTRY,
    '--disable-telemetry',
    '--disable-update-check',
    '--user-data-dir',
    userDataDir,
    '--extensions-dir',
    extensionsDir,
  ];
}

/** `code-server --install-extension <vsix>` into extensionsDir (about 1 s). */
function installExtension({ vsix, userDataDir, extensionsDir, scratchDir }) {
  assertInstalled();
  fs.mkdirSync(extensionsDir, { recursive: true });
  const result = spawnSync(
    process.execPath,
    [...baseArgs({ userDataDir, extensionsDir }), '--force', '--install-extension', vsix],
    { env: scratchEnv(scratchDir), encoding: 'utf8' },
  );
  if (result.status !== 0) {
    throw new Error(`installing ${vsix} failed:\n${result.stdout}\n${result.stderr}`);
  }
  return result.stdout.trim();
}

/**
 * Starts code-server and resolves once it listens.
 * @returns {Promise<{url: string, port: number, pid: number, logFile: string, logsDir: string, stop: () => Promise<void>}>}
 */
async function startCodeServer({
  userDataDir,
  extensionsDir,
  scratchDir,
  port = 0,
  env = {},
  extraArgs = [],
  echo = false,
}) {
  assertInstalled();
  fs.mkdirSync(userDataDir, { recursive: true });
  fs.mkdirSync(extensionsDir, { recursive: true });
  fs.mkdirSync(scratchDir, { recursive: true });
  const chosenPort = port || (await freePort());
  const logFile = path.join(scratchDir, 'code-server.log');
  const log = fs.openSync(logFile, 'a');
  const args = [
    ...baseArgs({ userDataDir, extensionsDir }),
    '--auth',
    'none',
    '--bind-addr',
    `127.0.0.1:${chosenPort}`,
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--ignore-last-opened',
    ...extraArgs,
  ];
  // detached: the server leads its own process group, so one kill reaches every extension host.
  const child = spawn(process.execPath, args, {
    env: scratchEnv(scratchDir, env),
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let exited = false;
  child.on('exit', () => (exited = true));

  const stop = () => killGroup(child.pid, () => exited);
  const url = `http://127.0.0.1:${chosenPort}`;
  await new Promise((resolve, reject) => {
    let seen = '';
    let settled = false;
    const timer = setTimeout(
      () => done(new Error(`code-server did not start within 60 s; log: ${logFile}`)),
      60_000,
    );
    function done(error) {
      if (settled) {
        return;
      }
      settled = true;
      clearTimeout(timer);
      if (error) {
        stop().finally(() => reject(error));
      } else {
        resolve();
      }
    }
    const onData = (chunk) => {
      fs.writeSync(log, chunk);
      if (echo) {
        process.stdout.write(chunk);
      }
      seen = (seen + chunk.toString()).slice(-4000);
      if (!settled && seen.includes('HTTP server listening')) {
        done();
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', done);
    child.on('exit', (code, signal) =>
      done(new Error(`code-server exited early (${code ?? signal}); log: ${logFile}\n${seen}`)),
    );
  });
  return { url, port: chosenPort, pid: child.pid, logFile, logsDir: path.join(userDataDir, 'logs'), stop };
}

/** SIGTERM to the whole group, SIGKILL after a grace period; resolves when the leader is gone. */
async function killGroup(pid, hasExited) {
  const signal = (sig) => {
    try {
      process.kill(-pid, sig);
      return true;
    } catch {
      return false; // the group is already gone
    }
  };
  if (!signal('SIGTERM')) {
    return;
  }
  for (let i = 0; i < 30 && !hasExited(); i++) {
    await new Promise((r) => setTimeout(r, 100));
  }
  // Extension hosts may ignore SIGTERM for a while: never leave them behind.
  signal('SIGKILL');
}

/** Synchronous last-resort kill, for process 'exit' handlers. */
function killGroupNow(pid) {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

module.exports = {
  assertInstalled,
  freePort,
  scratchEnv,
  installExtension,
  startCodeServer,
  killGroup,
  killGroupNow,
};

#!/usr/bin/env node
// Stands in for a desktop VS Code executable on this machine, which has neither Electron nor a display:
// @vscode/test-cli (useInstallation.fromPath) and @vscode/test-electron (vscodeExecutablePath) spawn it
// with VS Code's desktop flags. It starts a private code-server, opens the workbench in headless
// chromium with the test payload in the URL (the server itself rejects --extensionTestsPath), forwards
// the suite's output (codeAutomationLog) and exits with the suite's code (codeAutomationExit).
// Its environment (test-cli's extensionTestsEnv included) is inherited by the server and so by the
// extension host. Without --extensionTestsPath it just serves the workbench until Ctrl+C.
// CBJ_LAUNCHER_TIMEOUT_MS (default 600000) bounds a test run; CBJ_VERBOSE=1 echoes server and page logs.
const fs = require('fs');
const os = require('os');
const path = require('path');
const util = require('util');
const { URLSearchParams } = require('url');
const { startCodeServer, killGroupNow } = require('./code-server');
const { launchBrowser } = require('./chromium');

const VALUE_FLAGS = new Set([
  'extensionDevelopmentPath',
  'extensionTestsPath',
  'user-data-dir',
  'extensions-dir',
  'locale',
  'log',
  'profile',
]);

/** Parses desktop-style flags (`--a=b`, `--a b` for known value flags) and positional folders. */
function parseArgs(argv) {
  const flags = { extensionDevelopmentPath: [] };
  const positional = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    let value = eq === -1 ? undefined : arg.slice(eq + 1);
    if (value === undefined && VALUE_FLAGS.has(name)) {
      value = argv[++i];
    }
    if (name === 'extensionDevelopmentPath') {
      flags.extensionDevelopmentPath.push(path.resolve(value));
    } else {
      flags[name] = value ?? true; // other desktop-only flags (--no-sandbox, --skip-welcome ...) do not apply
    }
  }
  return { flags, positional };
}

/** The workbench URL carrying the test payload, as VS Code's own browser integration tests build it. */
function workbenchUrl(serverUrl, { folder, workspaceFile, devPaths, testsPath }) {
  const authority = new URL(serverUrl).host;
  const remote = (p) => `vscode-remote://${authority}${path.resolve(p)}`;
  const payload = devPaths.map((p) => ['extensionDevelopmentPath', remote(p)]);
  if (testsPath) {
    payload.push(['extensionTestsPath', remote(testsPath)]);
  }
  payload.push(['skipWelcome', 'true']);
  const query = new URLSearchParams();
  if (workspaceFile) {
    query.set('workspace', path.resolve(workspaceFile));
  } else if (folder) {
    query.set('folder', path.resolve(folder));
  } else {
    query.set('ew', 'true');
  }
  query.set('payload', JSON.stringify(payload));
  return `${serverUrl}/?${query}`;
}

// Workbench chatter that the page forwards with the suite's output; shown only with CBJ_VERBOSE=1.
const NOISE = [
  /^Resolv(ing|ed) connection token/,
  /^Creating a socket/,
  /^Ignoring fetching additional builtin extensions/,
  /^\[Service Worker\]/,
  /^ChatSessionStore:/,
];

async function main() {
  const { flags, positional } = parseArgs(process.argv.slice(2));
  const verbose = process.env.CBJ_VERBOSE === '1';
  const timeoutMs = Number(process.env.CBJ_LAUNCHER_TIMEOUT_MS || 600_000);
  const scratchDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cbj-launcher-'));
  const userDataDir = path.resolve(flags['user-data-dir'] || path.join(scratchDir, 'user-data'));
  const extensionsDir = path.resolve(flags['extensions-dir'] || path.join(scratchDir, 'extensions'));
  const target = positional[0];
  const isWorkspaceFile = target !== undefined && target.endsWith('.code-workspace');

  let server;
  let browser;
  let exitCode = 1;
  let cleaning;
  const cleanup = () =>
    (cleaning ??= (async () => {
      await browser?.close().catch(() => undefined);
      await server?.stop();
      if (exitCode === 0 && process.env.CBJ_KEEP_SCRATCH !== '1') {
        fs.rmSync(scratchDir, { recursive: true, force: true });
      } else {
        console.error(`[launcher] server log and scratch folder kept: ${scratchDir}`);
      }
    })());
  process.on('exit', () => server && killGroupNow(server.pid));
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(sig, () => {
      console.error(`[launcher] ${sig}: stopping code-server`);
      exitCode = 130;
      cleanup().finally(() => process.exit(130));
    });
  }

  server = await startCodeServer({ userDataDir, extensionsDir, scratchDir, echo: verbose });
  const url = workbenchUrl(server.url, {
    folder: isWorkspaceFile ? undefined : target,
    workspaceFile: isWorkspaceFile ? target : undefined,
    devPaths: flags.extensionDevelopmentPath,
    testsPath: flags.extensionTestsPath,
  });
  console.log(`[launcher] code-server ${server.url} (pid ${server.pid}); workbench: ${url}`);

  if (!flags.extensionTestsPath) {
    console.log('[launcher] no --extensionTestsPath: serving the workbench until Ctrl+C');
    await new Promise(() => undefined);
  }

  browser = await launchBrowser();
  const page = await browser.newPage();
  let resolveExit;
  const finished = new Promise((resolve) => (resolveExit = resolve));
  await page.exposeFunction('codeAutomationLog', (type, args) => {
    const line = util.format(...(Array.isArray(args) ? args : [args]));
    if (!verbose && NOISE.some((re) => re.test(line))) {
      return;
    }
    (type === 'error' || type === 'warn' ? process.stderr : process.stdout).write(line + '\n');
  });
  await page.exposeFunction('codeAutomationExit', (code) => resolveExit(Number(code)));
  browser.on('disconnected', () => resolveExit(1));
  page.on('crash', () => {
    console.error('[launcher] the workbench page crashed');
    resolveExit(1);
  });
  setTimeout(() => {
    console.error(`[launcher] no result after ${timeoutMs / 1000} s: giving up`);
    resolveExit(1);
  }, timeoutMs).unref();
  if (verbose) {
    page.on('console', (msg) => console.log(`[page ${msg.type()}] ${msg.text()}`));
  }
  page.on('pageerror', (error) => console.error(`[launcher] page error: ${error.message}`));
  await page.goto(url);
  exitCode = await finished;
  await cleanup();
  process.exit(exitCode);
}

main().catch((error) => {
  console.error(`[launcher] ${error.stack || error}`);
  process.exit(1);
});

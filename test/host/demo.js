// `npm run demo`: everything needed to try the extension in a browser, from a fresh clone.
// Installs dependencies if node_modules is missing, builds the VSIX, sets up code-server, starts the
// Zoho Creator simulator (default port 8780 = the default of creatorBulkJobs.simulatorUrl) and
// code-server on 127.0.0.1 (default port 8080) with the VSIX installed and a demo workspace, prints the
// address and the demo credentials, and stops everything it started on Ctrl+C.
//   npm run demo -- --port 8781 --vscode-port 8081
//   npm run demo -- --smoke      start everything, check both addresses answer, stop (exit code says)
//   npm run demo -- --changes 5,10,2   what Enter in this terminal does to help-desk/All_Tickets
//                                (added,edited,deleted; default 5,10,2), to see incremental exports
// Only Node built-ins are required at the top: node_modules may not exist yet.
const fs = require('fs');
const http = require('http');
const path = require('path');
const { spawnSync } = require('child_process');
const { ROOT, VSCODE_TEST_DIR } = require('./paths');
const { PACKAGES, ensurePrerequisites } = require('./prerequisites');

function option(name, fallback) {
  const i = process.argv.indexOf(name);
  if (i === -1) {
    return fallback;
  }
  const value = Number(process.argv[i + 1]);
  if (!Number.isInteger(value) || value < 1 || value > 65535) {
    throw new Error(`${name} needs a port number`);
  }
  return value;
}

function step(title, command, args) {
  console.log(`\n[demo] ${title}`);
  const result = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) {
    throw new Error(
      `${title} failed (${command} ${args.join(' ')} exited with ${result.status ?? result.signal})`,
    );
  }
}

/** Resolves with the HTTP status of a GET (redirects not followed). */
function httpStatus(url) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.setTimeout(10_000, () => req.destroy(new Error(`no answer from ${url} within 10 s`)));
    req.on('error', reject);
  });
}

/** `--changes added,edited,deleted`: the change set Enter applies to help-desk/All_Tickets. */
function changeSet() {
  const i = process.argv.indexOf('--changes');
  const value = i === -1 ? '5,10,2' : process.argv[i + 1];
  if (!/^\d+,\d+,\d+$/.test(value ?? '')) {
    throw new Error('--changes needs three counts: added,edited,deleted (e.g. 5,10,2)');
  }
  return value;
}

/** Enter in this terminal changes help-desk/All_Tickets (the simulator's --changes), and says what changed. */
function forwardEnter(simulator) {
  require('readline')
    .createInterface({ input: process.stdin })
    .on('line', () => {
      simulator.change().then(
        (line) => console.log(`[demo] ${line}`),
        (error) => console.error(`[demo] could not change All_Tickets: ${error.message}`),
      );
    });
}

async function main() {
  const changes = changeSet();
  const simPort = option('--port', 8780);
  const vscodePort = option('--vscode-port', 8080);
  const smoke = process.argv.includes('--smoke');
  // First: a missing compiler stops the demo here with the command to run, not in a build later.
  const without = ensurePrerequisites('demo');

  if (!fs.existsSync(path.join(ROOT, 'node_modules', '.bin', 'esbuild'))) {
    step('installing dependencies (npm install)', 'npm', ['install', '--no-audit', '--no-fund']);
  }
  step('building the VSIX (npm run package)', 'npm', ['run', 'package']);
  step('setting up code-server (npm run setup:vscode)', process.execPath, [
    path.join(__dirname, 'setup-vscode-server.js'),
  ]);

  const { installExtension, startCodeServer, killGroupNow } = require('./code-server');
  const { startSimulator } = require('./simulator');
  require('esbuild-register/dist/node').register();
  const { DEMO } = require('../simulator/api');

  const { name, version } = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const vsix = path.join(ROOT, 'artifacts', `${name}-${version}.vsix`);
  const demoDir = path.join(VSCODE_TEST_DIR, 'demo');
  const workspace = path.join(VSCODE_TEST_DIR, 'demo-workspace'); // kept between runs: exports stay
  const dirs = {
    userData: path.join(demoDir, 'user-data'),
    extensions: path.join(demoDir, 'extensions'),
    scratch: path.join(demoDir, 'scratch'),
  };
  // Fresh editor state each run: the simulator starts empty too, so old tracked jobs would be stale.
  fs.rmSync(demoDir, { recursive: true, force: true });
  fs.mkdirSync(workspace, { recursive: true });
  installExtension({
    vsix,
    userDataDir: dirs.userData,
    extensionsDir: dirs.extensions,
    scratchDir: dirs.scratch,
  });

  const started = [];
  let stopping;
  const stopAll = () =>
    (stopping ??= Promise.all(started.map((s) => s.stop().catch(() => undefined))).then(() => undefined));
  process.on('exit', () => started.filter((s) => s.groupPid).forEach((s) => killGroupNow(s.groupPid)));
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(sig, () => {
      console.log('\n[demo] stopping the simulator and code-server ...');
      stopAll().finally(() => {
        console.log('[demo] stopped.');
        process.exit(0);
      });
    });
  }

  console.log(
    `\n[demo] starting the simulator on 127.0.0.1:${simPort} and code-server on 127.0.0.1:${vscodePort}`,
  );
  const simulator = await startSimulator({ port: simPort, args: ['--changes', changes] });
  started.push(simulator);
  const settingsFile = path.join(dirs.userData, 'User', 'settings.json');
  fs.mkdirSync(path.dirname(settingsFile), { recursive: true });
  fs.writeFileSync(
    settingsFile,
    JSON.stringify(
      {
        'workbench.startupEditor': 'none',
        'security.workspace.trust.enabled': false,
        'git.openRepositoryInParentFolders': 'never',
        'telemetry.telemetryLevel': 'off',
        'creatorBulkJobs.simulatorUrl': simulator.url,
        'creatorBulkJobs.enableSimulator': true,
      },
      null,
      2,
    ),
  );
  const server = await startCodeServer({
    userDataDir: dirs.userData,
    extensionsDir: dirs.extensions,
    scratchDir: dirs.scratch,
    port: vscodePort,
  });
  started.push({ ...server, groupPid: server.pid });
  const url = `${server.url}/?folder=${encodeURIComponent(workspace)}`;

  if (smoke) {
    const [serverStatus, simStatus] = await Promise.all([httpStatus(url), httpStatus(simulator.url)]);
    const changed = await simulator.change();
    const ok = serverStatus === 200 && simStatus > 0 && changed.startsWith('Changed All_Tickets');
    console.log(
      `[demo] smoke: code-server ${url} -> HTTP ${serverStatus}; simulator ${simulator.url} -> HTTP ${simStatus}; Enter -> ${changed}`,
    );
    await stopAll();
    console.log(`[demo] smoke ${ok ? 'passed' : 'FAILED'}; everything stopped.`);
    process.exit(ok ? 0 : 1);
  }

  const notInstalled = without
    .map((name) => `\n    Not installed:       ${name}, so ${PACKAGES.find((p) => p.name === name).without}.`)
    .join('');
  console.log(`
  Creator Bulk Jobs demo is running.

    Open in a browser:   ${url}
    Simulator:           ${simulator.url}   (jobs complete after about 5 s)

    In VS Code, click the Creator Bulk Jobs icon in the activity bar, then
    "Try the Local Simulator" (no credentials needed), or sign in by hand:
      Access token:      ${DEMO.accessToken}
      Refresh token:     ${DEMO.refreshToken}   client id ${DEMO.clientId}, client secret ${DEMO.clientSecret}
      Owner / app:       ${DEMO.owner} / ${DEMO.app}   (reports All_Orders, All_Customers)
                         ${DEMO.owner} / help-desk   (report All_Tickets, which has Modified_Time)${notInstalled}

    Incremental exports: save a definition of help-desk / All_Tickets with "mode": "incremental",
    run it, press Enter here to change All_Tickets (adds, edits, deletes ${changes.replace(/,/g, ', ')}
    records: --changes), then run it again: only what changed is read.

  Press Enter to change All_Tickets; Ctrl+C to stop everything.`);
  forwardEnter(simulator);
  await new Promise(() => undefined);
}

main().catch((error) => {
  console.error(`[demo] ${error.message}`);
  process.exit(1);
});

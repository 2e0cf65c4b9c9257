// The system packages that `npm run demo`, `npm test` and .ci/run need beyond Node and npm: the one
// list of them (Debian/Ubuntu names), how to tell each is there, and what stops working without it.
// Missing packages are installed with apt-get when that needs no password (root, or `sudo -n`);
// otherwise a required one stops the run at once, before any long build, with the exact command to
// run, and an optional one only warns. Which native modules code-server really needs was found by
// removing each in turn and running the integration suite: argon2 (loaded at start-up) and
// @vscode/spdlog (log files, the extension's log included) are required, so a C/C++ toolchain and
// python3 (node-gyp) are; kerberos (proxy Kerberos authentication) and ripgrep (search) are not.
//   node test/host/prerequisites.js demo|test
// CBJ_PREREQS_NO_INSTALL=1 never runs apt-get (explain only); CBJ_PREREQS_ABSENT=chromium,ripgrep
// treats those packages as missing (to try the messages on a machine that has them).
// Only Node built-ins: it runs before `npm ci`.
const fs = require('fs');
const { spawnSync } = require('child_process');
const { CHROMIUM } = require('./paths');

function hasCommand(name) {
  return spawnSync('sh', ['-c', 'command -v "$1"', 'sh', name], { stdio: 'ignore' }).status === 0;
}

function isExecutable(file) {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * `needs`: which commands need the package. `without`: set for an optional package, what does not
 * work without it (the run goes on with a warning).
 */
const PACKAGES = [
  {
    name: 'build-essential',
    why: "C/C++ compiler and make: code-server's native modules (argon2, spdlog, node-pty) are built here",
    needs: ['demo', 'test'],
    present: () => hasCommand('g++') && hasCommand('make'),
  },
  {
    name: 'python3',
    why: 'node-gyp, which builds those native modules, is run by Python',
    needs: ['demo', 'test'],
    present: () => hasCommand(process.env.PYTHON || 'python3'),
  },
  {
    name: 'chromium',
    why: 'the integration and end-to-end tests drive VS Code in headless Chromium (path: CBJ_CHROMIUM)',
    needs: ['test'],
    present: () => isExecutable(CHROMIUM),
  },
  {
    name: 'ripgrep',
    why: "VS Code's file search (rg)",
    without: 'Find in Files and Go to File fail in the VS Code it starts',
    needs: ['demo', 'test'],
    present: () => hasCommand('rg'),
  },
  {
    name: 'libkrb5-dev',
    why: "Kerberos headers for code-server's kerberos module",
    without: 'code-server cannot authenticate to a proxy with Kerberos (nothing here needs that)',
    needs: ['demo', 'test'],
    present: () => fs.existsSync('/usr/include/gssapi/gssapi.h'),
  },
];

const PURPOSES = { demo: 'npm run demo', test: 'npm test' };

/** Names of the packages the caller pretends are absent (CBJ_PREREQS_ABSENT), for trying the messages. */
function pretendAbsent(env = process.env) {
  return new Set((env.CBJ_PREREQS_ABSENT || '').split(/[\s,]+/).filter(Boolean));
}

/** Is the package there? (false for a package named in CBJ_PREREQS_ABSENT). */
function isPresent(name, env = process.env) {
  const pkg = PACKAGES.find((p) => p.name === name);
  if (!pkg) {
    throw new Error(`unknown package ${name}`);
  }
  return !pretendAbsent(env).has(name) && pkg.present();
}

/** How apt-get can be run without a password here: [] as root, ['sudo', '-n'], or undefined. */
function aptRunner(env = process.env) {
  if (env.CBJ_PREREQS_NO_INSTALL === '1' || !hasCommand('apt-get') || !hasCommand('dpkg')) {
    return undefined;
  }
  if (process.getuid?.() === 0) {
    return [];
  }
  const sudo = spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' });
  return sudo.status === 0 ? ['sudo', '-n'] : undefined;
}

/**
 * What to do, from what is missing: install (when apt-get can run), or stop / warn with the command.
 * Pure, for the unit tests. `missing` holds package names; `canInstall` says apt-get can run;
 * `debian` says apt-get exists at all; `root` says whether the command needs sudo.
 * @returns {{install: string[], stop?: string, warnings: string[], without: string[]}}
 */
function plan({ purpose, missing, canInstall, debian, root }) {
  const needed = PACKAGES.filter((p) => p.needs.includes(purpose) && missing.includes(p.name));
  if (needed.length === 0) {
    return { install: [], warnings: [], without: [] };
  }
  if (canInstall) {
    return { install: needed.map((p) => p.name), warnings: [], without: [] };
  }
  const sudo = root ? '' : 'sudo ';
  const names = needed.map((p) => p.name).join(' ');
  const command = debian
    ? `${sudo}apt-get update && ${sudo}apt-get install -y ${names}`
    : `install the equivalents of the Debian packages ${names}`;
  const required = needed.filter((p) => !p.without);
  const optional = needed.filter((p) => p.without);
  const width = Math.max(...needed.map((p) => p.name.length));
  const line = (p) =>
    `  ${p.name.padEnd(width)}  ${p.why}${p.without ? `; optional: without it, ${p.without}` : ''}`;
  if (required.length > 0) {
    const lines = [
      `${PURPOSES[purpose]} needs system packages that are not installed:`,
      ...needed.map(line),
      debian ? 'Install them, then run it again:' : 'On this system:',
      `  ${command}`,
    ];
    if (!debian) {
      lines.push('On macOS or Windows, install the VSIX in desktop VS Code instead (README: Requirements).');
    }
    return { install: [], stop: lines.join('\n'), warnings: [], without: [] };
  }
  return {
    install: [],
    warnings: optional.map(
      (p) =>
        `warning: ${p.name} is not installed, so ${p.without}. To have it: ${debian ? `${sudo}apt-get install -y ${p.name}` : `install ${p.name}`}`,
    ),
    without: optional.map((p) => p.name),
  };
}

function aptGet(runner, args) {
  const [command, ...prefix] = [...runner, 'apt-get'];
  const result = spawnSync(command, [...prefix, ...args], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  return result.status === 0;
}

/**
 * Makes sure the system packages for `purpose` ('demo' or 'test') are there, installing them when
 * apt-get needs no password. Exits the process with a clear message when a required one is
 * missing and cannot be installed. Returns the optional packages that are still missing.
 * @returns {string[]}
 */
function ensurePrerequisites(purpose, { log = (line) => console.log(`[prerequisites] ${line}`) } = {}) {
  if (!PURPOSES[purpose]) {
    throw new Error(`unknown purpose ${purpose}: demo or test`);
  }
  const env = process.env;
  const missingNow = () => PACKAGES.filter((p) => !isPresent(p.name, env)).map((p) => p.name);
  // A child of a run that has already reported (setup-vscode-server.js under the demo) stays quiet.
  const quiet = env.CBJ_PREREQS_REPORTED === purpose || env.CBJ_PREREQS_REPORTED === 'test';
  let missing = missingNow();
  const runner = aptRunner(env);
  const root = process.getuid?.() === 0;
  let decision = plan({
    purpose,
    missing,
    canInstall: runner !== undefined,
    debian: hasCommand('apt-get'),
    root,
  });
  if (decision.install.length > 0) {
    const why = PACKAGES.filter((p) => decision.install.includes(p.name));
    log(`installing ${decision.install.join(' ')} with apt-get${runner.length ? ' (sudo -n)' : ''}:`);
    why.forEach((p) => log(`  ${p.name}: ${p.why}`));
    aptGet(runner, ['update', '-q']); // a failing extra source need not stop the install
    const installed = aptGet(runner, [
      'install',
      '-y',
      '-q',
      '-o',
      'DPkg::Lock::Timeout=300',
      ...decision.install,
    ]);
    // A package pretended absent (CBJ_PREREQS_ABSENT) counts as installed now, here and in children.
    env.CBJ_PREREQS_ABSENT = [...pretendAbsent(env)].filter((n) => !decision.install.includes(n)).join(',');
    missing = missingNow();
    decision = plan({ purpose, missing, canInstall: false, debian: true, root });
    if (decision.stop) {
      console.error(`[prerequisites] apt-get could not install everything.\n${decision.stop}`);
      process.exit(1);
    }
    if (!installed) {
      log('warning: apt-get failed; going on without the optional packages it did not install');
    }
    const done = why.map((p) => p.name).filter((name) => !missing.includes(name));
    log(`installed ${done.join(' ') || 'nothing'}`);
  }
  if (decision.stop) {
    console.error(`[prerequisites] ${decision.stop}`);
    process.exit(1);
  }
  if (!quiet) {
    decision.warnings.forEach((w) => log(w));
    if (process.versions.node.split('.')[0] !== '20') {
      log(
        `warning: this is Node ${process.version}; code-server 4.100.3 (VS Code 1.100) is built for Node 20`,
      );
    }
  }
  env.CBJ_PREREQS_REPORTED = purpose;
  return decision.without;
}

module.exports = { PACKAGES, plan, isPresent, ensurePrerequisites };

if (require.main === module) {
  const purpose = process.argv[2] || 'test';
  const without = ensurePrerequisites(purpose);
  const present = PACKAGES.filter((p) => p.needs.includes(purpose) && !without.includes(p.name));
  console.log(`[prerequisites] present: ${present.map((p) => p.name).join(' ')}`);
}

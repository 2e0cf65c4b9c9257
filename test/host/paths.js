// Where the test host machinery keeps things. Everything generated lives under git-ignored
// folders (.vscode-test/, out/, artifacts/, test-results/) so a clean checkout stays clean.
const path = require('path');

const ROOT = path.resolve(__dirname, '..', '..');
const CODE_SERVER_VERSION = '4.100.3'; // = VS Code 1.100.3, the newest code-server that runs on Node 20
const VSCODE_TEST_DIR = path.join(ROOT, '.vscode-test');
const CODE_SERVER_DIR = path.join(VSCODE_TEST_DIR, `code-server-${CODE_SERVER_VERSION}`);

module.exports = {
  ROOT,
  CODE_SERVER_VERSION,
  VSCODE_TEST_DIR,
  CODE_SERVER_DIR,
  CODE_SERVER_ENTRY: path.join(CODE_SERVER_DIR, 'out', 'node', 'entry.js'),
  /** Written last by setup-vscode-server.js: its presence means the install is complete. */
  SETUP_MARKER: path.join(CODE_SERVER_DIR, '.cbj-setup-complete'),
  ARTIFACTS_DIR: path.join(ROOT, 'artifacts'),
  TEST_RESULTS_DIR: path.join(ROOT, 'test-results'),
  CHROMIUM: process.env.CBJ_CHROMIUM || '/usr/bin/chromium',
  SIMULATOR_CLI: path.join(ROOT, 'test', 'simulator', 'cli.ts'),
};

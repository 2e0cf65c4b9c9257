// @vscode/test-cli configuration: `npx vscode-test` runs the bundled integration tests
// (out/integration, built by `node esbuild.js --tests`) inside a real extension host.
// On this offline machine "VS Code" is test/host/code-server-launcher.js. Elsewhere run the same suite
// in desktop VS Code: CBJ_VSCODE_EXECUTABLE=/path/to/code, or CBJ_VSCODE_DESKTOP=1 to let test-cli
// download one.
// `npm run test:integration` (test/host/run-integration.js) prepares a workspace and the simulator.
import { defineConfig } from '@vscode/test-cli';
import fs from 'fs';
import path from 'path';
import process from 'process';
import { fileURLToPath } from 'url';

const root = path.dirname(fileURLToPath(import.meta.url));
const executable = process.env.CBJ_VSCODE_EXECUTABLE || path.join(root, 'test/host/code-server-launcher.js');
// A fresh, empty workspace folder unless the runner made one (emptied on every run, never piling up).
function freshWorkspace() {
  const dir = path.join(root, '.vscode-test', 'integration-workspace');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}
const workspaceFolder = process.env.CBJ_TEST_WORKSPACE || freshWorkspace();

export default defineConfig({
  label: 'integration',
  files: 'out/integration/**/*.test.js',
  workspaceFolder,
  ...(process.env.CBJ_VSCODE_DESKTOP ? {} : { useInstallation: { fromPath: executable } }),
  // CBJ_TEST_API=1: only then (and only in extension test mode) does activate() return the test API.
  env: { CBJ_SIMULATOR_URL: process.env.CBJ_SIMULATOR_URL, CBJ_TEST_API: '1' },
  mocha: { ui: 'bdd', timeout: 60_000 },
});

// Runs the Zoho Creator simulator (test/simulator/cli.ts) as a child process for the integration
// runner, the e2e runner and the demo, and stops it again. Resolves with its URL once it listens.
const fs = require('fs');
const { spawn } = require('child_process');
const { ROOT, SIMULATOR_CLI } = require('./paths');

const LISTENING = /Zoho Creator simulator listening on (http:\/\/127\.0\.0\.1:\d+)/;
const CHANGED = /^Changed All_Tickets: .*\r?\n/m;

/**
 * With args ['--changes', '5,10,2'], `change()` applies one change set to help-desk/All_Tickets (a
 * line on the simulator's stdin, as Enter does in `npm run sim`) and resolves with what it printed.
 * @param {{port?: number, args?: string[], echo?: boolean}} options extra CLI args such as ['--job-seconds', '2']
 * @returns {Promise<{url: string, pid: number, stop: () => Promise<void>, change: () => Promise<string>}>}
 */
function startSimulator({ port = 0, args = [], echo = false } = {}) {
  if (!fs.existsSync(SIMULATOR_CLI)) {
    return Promise.reject(new Error(`${SIMULATOR_CLI} is missing`));
  }
  const child = spawn(
    process.execPath,
    ['-r', 'esbuild-register', SIMULATOR_CLI, '--port', String(port), ...args],
    { cwd: ROOT, stdio: [args.includes('--changes') ? 'pipe' : 'ignore', 'pipe', 'pipe'] },
  );
  /** Resolvers of change() waiting for the simulator's "Changed All_Tickets" line, oldest first. */
  const waiting = [];
  let pending = '';
  const change = () => {
    if (!child.stdin) {
      return Promise.reject(new Error('the simulator was started without --changes'));
    }
    return new Promise((resolve) => {
      waiting.push(resolve);
      child.stdin.write('\n');
    });
  };
  let exited = false;
  const exitedPromise = new Promise((resolve) => child.on('exit', () => ((exited = true), resolve())));
  const stop = async () => {
    if (exited) {
      return;
    }
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exitedPromise;
    clearTimeout(timer);
  };
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`the simulator did not start within 30 s:\n${output}`));
    }, 30_000);
    const onData = (chunk) => {
      output += chunk.toString();
      // Kept only while a change() waits for its line (its line comes after its write).
      pending = waiting.length > 0 ? pending + chunk.toString() : '';
      let changed;
      while (waiting.length > 0 && (changed = CHANGED.exec(pending))) {
        pending = pending.slice(changed.index + changed[0].length);
        waiting.shift()(changed[0].trim());
      }
      if (echo) {
        process.stdout.write(chunk);
      }
      const match = LISTENING.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ url: match[1], pid: child.pid, stop, change });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the simulator exited (${code ?? signal}):\n${output}`));
    });
  });
}

module.exports = { startSimulator };

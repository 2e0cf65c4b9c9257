// Runs inside the real extension host (code-server here, desktop VS Code elsewhere): the extension is
// found, activates, and everything its manifest promises is there. A VS Code older than `engines.vscode`
// skips the extension without a word, so the first test fails loudly instead.
import * as assert from 'assert';
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import * as vscode from 'vscode';
import { activateExtension, waitFor } from './helpers';

const EXTENSION_ID = 'creatorbulkjobs.creator-bulk-jobs';
const VIEW_ID = 'creatorBulkJobs.jobs';

interface Manifest {
  engines: { vscode: string };
  contributes: { commands: { command: string }[]; views: Record<string, { id: string }[]> };
}

function extension(): vscode.Extension<unknown> {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  if (!ext) {
    const loaded = vscode.extensions.all.filter((e) => !e.id.startsWith('vscode.')).map((e) => e.id);
    assert.fail(
      `${EXTENSION_ID} is not loaded in VS Code ${vscode.version}. Its engines.vscode may ask for a newer ` +
        `VS Code, or the development path is wrong. Non-built-in extensions loaded: ${loaded.join(', ') || 'none'}`,
    );
  }
  return ext;
}

describe('Extension activation', () => {
  it('is found by its id in the running VS Code', () => {
    const ext = extension();
    const manifest = ext.packageJSON as Manifest;
    console.log(
      `    VS Code ${vscode.version} (${vscode.env.appHost}, remote ${vscode.env.remoteName ?? 'none'})`,
    );
    assert.ok(manifest.engines.vscode, 'the manifest names the VS Code versions it supports');
  });

  it('activates without throwing', async () => {
    const ext = extension();
    await ext.activate();
    assert.strictEqual(ext.isActive, true);
  });

  it('loads and activates quickly in the real host (the figure of README, Performance)', async () => {
    const api = await activateExtension();
    const line = await waitFor(() => {
      const file = api.logFile();
      const text = file && fs.existsSync(file.fsPath) ? fs.readFileSync(file.fsPath, 'utf8') : '';
      return /Activated in [\d.]+ ms \(loading [\d.]+ ms, activate [\d.]+ ms; CPU [\d.]+ ms\)/.exec(
        text,
      )?.[0];
    }, 'the activation line in the log');
    // The log times the bundle's code from its first line; a cold require() also pays for reading
    // and compiling the file. A copy next to the bundle misses the module cache; it only defines
    // functions (activate() is what registers anything), so requiring it again is harmless.
    const bundle = path.join(extension().extensionPath, 'dist', 'extension.js');
    const copy = path.join(path.dirname(bundle), `.require-probe-${process.pid}.js`);
    fs.copyFileSync(bundle, copy);
    let requireMs: number;
    let requireCpuMs: number;
    try {
      const started = performance.now();
      const cpu = process.cpuUsage();
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require(copy);
      requireMs = performance.now() - started;
      const used = process.cpuUsage(cpu);
      requireCpuMs = (used.user + used.system) / 1000;
    } finally {
      delete require.cache[copy];
      fs.rmSync(copy, { force: true });
    }
    console.log(
      `    real extension host: ${line}; a cold require() of the ${(fs.statSync(bundle).size / 1000).toFixed(0)} kB ` +
        `bundle: ${requireMs.toFixed(1)} ms (CPU ${requireCpuMs.toFixed(1)} ms)`,
    );
  });

  it('hands other extensions no secret store: the test API exists only in test mode and holds none', async () => {
    const api = (await extension().activate()) as unknown;
    assert.ok(api && typeof api === 'object', 'test mode with CBJ_TEST_API=1 exports the test API');
    // Walk everything reachable from the exports: no SecretStorage (an object with get, store and
    // delete) and nothing named `secrets` may be among it.
    const seen = new Set<unknown>();
    const found: string[] = [];
    const walk = (value: unknown, where: string, depth: number): void => {
      if (!value || typeof value !== 'object' || seen.has(value) || depth > 4) {
        return;
      }
      seen.add(value);
      const record = value as Record<string, unknown>;
      if (['get', 'store', 'delete'].every((name) => typeof record[name] === 'function')) {
        found.push(where);
      }
      for (const key of Object.keys(record)) {
        if (key === 'secrets' || key === 'secretStorage') {
          found.push(`${where}.${key}`);
        }
        walk(record[key], `${where}.${key}`, depth + 1);
      }
    };
    walk(api, 'exports', 0);
    assert.deepStrictEqual(found, [], 'a secret store is reachable from activate()');
  });

  it('opens a workspace folder for the tests', () => {
    assert.strictEqual(vscode.workspace.workspaceFolders?.length, 1, 'exactly one workspace folder is open');
  });

  it(`contributes the ${VIEW_ID} view, which the workbench can show`, async () => {
    const manifest = extension().packageJSON as Manifest;
    const views = Object.values(manifest.contributes.views).flat();
    assert.ok(
      views.some((v) => v.id === VIEW_ID),
      `${VIEW_ID} is declared`,
    );
    // The workbench generates `<view>.focus` only for views it registered from the manifest.
    const commands = await vscode.commands.getCommands(true);
    assert.ok(commands.includes(`${VIEW_ID}.focus`), `the workbench registered ${VIEW_ID}`);
    await vscode.commands.executeCommand(`${VIEW_ID}.focus`);
  });

  it('registers every command declared in package.json', async () => {
    const ext = extension();
    await ext.activate();
    const declared = (ext.packageJSON as Manifest).contributes.commands.map((c) => c.command);
    assert.ok(declared.length > 0, 'the manifest declares commands');
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = declared.filter((id) => !registered.has(id));
    assert.deepStrictEqual(
      missing,
      [],
      `declared but not registered after activation: ${missing.join(', ')}`,
    );
  });

  it('reaches the simulator started by the test runner', async function () {
    const url = process.env.CBJ_SIMULATOR_URL;
    if (!url) {
      this.skip(); // run without test/host/run-integration.js, which starts the simulator
    }
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const status = await new Promise<number>((resolve, reject) => {
      http
        .get(url, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        })
        .on('error', reject);
    });
    assert.ok(status > 0, `the simulator answered HTTP (status ${status})`);
  });
});

// A saved export that fails leads to the line to fix (issue 17.5): the error of a run refused at
// its start (Zoho knows no such report) and the notification of a run whose batch failed both
// offer Open Definition, which opens the workspace's .vscode/zoho-exports.json with the cursor on
// that definition — here the third of three, so the first line would not do.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { TestApi } from '../../src/extension';
import { DEMO, startSimulator, type Simulator } from '../simulator';
import {
  activateExtension,
  signInToSimulator,
  signOut,
  useFastPolling,
  waitFor,
  withStubbedPrompt,
} from './helpers';

describe('A failed saved export opens its definition', function () {
  this.timeout(120_000);
  let sim: Simulator;
  let api: TestApi;
  let accountId: string;
  let restoreSettings: () => Promise<void>;
  const folder = (): string => vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '';
  const definitionsFile = (): string => path.join(folder(), '.vscode', 'zoho-exports.json');

  before(async () => {
    sim = await startSimulator({ jobDurationMs: 500, throttles: false });
    api = await activateExtension();
    restoreSettings = await useFastPolling();
    accountId = await signInToSimulator(sim);
    const account = api.accounts.get(accountId)?.label ?? '';
    const definition = (name: string, report: string) => ({
      name,
      account,
      app: DEMO.app,
      report,
      destination: `exports/${name.replace(/ /g, '_')}.csv`,
    });
    fs.mkdirSync(path.dirname(definitionsFile()), { recursive: true });
    fs.writeFileSync(
      definitionsFile(),
      JSON.stringify(
        {
          exports: [
            definition('Customers', 'All_Customers'),
            definition('Orders', 'All_Orders'),
            definition('Typo', 'All_Custmers'),
          ],
        },
        null,
        2,
      ),
    );
  });
  after(async () => {
    for (const run of api?.services.exports.exports() ?? []) {
      await api.services.exports.remove(run.id);
    }
    if (accountId) {
      await signOut(accountId);
    }
    await restoreSettings?.();
    await sim?.close();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    fs.rmSync(path.join(folder(), '.vscode'), { recursive: true, force: true });
    fs.rmSync(path.join(folder(), 'exports'), { recursive: true, force: true });
  });
  afterEach(async () => {
    sim.switches.failJobs = false;
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  /** The line of the `{` that opens the definition named `name` in the file as written. */
  function definitionLine(name: string): number {
    const lines = fs.readFileSync(definitionsFile(), 'utf8').split('\n');
    const nameLine = lines.findIndex((line) => line.includes(`"name": "${name}"`));
    assert.ok(nameLine > 0, `${name} is in the file`);
    assert.equal(lines[nameLine - 1].trim(), '{');
    return nameLine - 1;
  }

  /**
   * Runs the saved export `name`, answering the first error that offers Open Definition with it;
   * resolves that error's text once the definitions file is the active editor.
   */
  async function runAndOpenDefinition(name: string): Promise<{ message: string; line: number }> {
    const offered: string[] = [];
    await withStubbedPrompt(
      'showErrorMessage',
      async (message: string, ...actions: string[]) => {
        if (offered.length === 0 && actions.includes('Open Definition')) {
          offered.push(message);
          return 'Open Definition';
        }
        return undefined;
      },
      async () => {
        await vscode.commands.executeCommand('creatorBulkJobs.runSavedExport', { name });
        await waitFor(
          () => vscode.window.activeTextEditor?.document.uri.fsPath === definitionsFile(),
          'the definitions file to open',
        );
      },
    );
    const editor = vscode.window.activeTextEditor;
    assert.ok(editor);
    assert.equal(editor.selection.active.line, editor.selection.anchor.line, 'a cursor, no selection');
    return { message: offered[0] ?? '', line: editor.selection.active.line };
  }

  it('a run Zoho refuses at its start: the error opens the definition at its line', async () => {
    const { message, line } = await runAndOpenDefinition('Typo');
    assert.match(message, /^Could not run the saved export "Typo": .*All_Custmers/);
    assert.equal(line, definitionLine('Typo'));
  });

  it('a run whose batch fails: the notification opens the definition at its line', async () => {
    sim.switches.failJobs = true;
    const { message, line } = await runAndOpenDefinition('Orders');
    assert.match(message, /^The export of All_Orders failed: /);
    assert.equal(line, definitionLine('Orders'));
    const run = api.services.exports.exports().find((each) => each.definition === 'Orders');
    assert.equal(run?.state, 'failed');
  });
});

// Compare with Previous Run on two recorded runs of a saved export (a history of its own, in a
// temporary folder): Save Differences As… proposes the workspace folder (not the internal compare
// or .runs folder), says where it saved with Open / Reveal, and says when the copy failed; a pruned
// snapshot copy is said to be pruned (walk-through of issue 20, items 5 and 10).
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import { systemClock } from '../../src/core/ports';
import { compareWithPreviousRun } from '../../src/commands/compareRuns';
import { RunHistory, type RunRecord } from '../../src/exports/runHistory';
import { activateExtension, waitFor, withStubbedPrompt } from './helpers';

describe('Compare with Previous Run', function () {
  this.timeout(60_000);
  let dir: string;
  let history: RunHistory;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cbj-compare-'));
    history = new RunHistory(path.join(dir, 'history'), systemClock);
  });
  afterEach(async () => {
    await history.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function twoRuns(previousFile: string, currentFile: string): Promise<RunRecord> {
    const run = (id: string, file: string, at: number): RunRecord => ({
      id,
      definition: 'Tickets compare',
      accountId: 'acc',
      report: 'help-desk / All_Tickets',
      state: 'completed',
      mode: 'incremental',
      startedAt: at,
      finishedAt: at + 1000,
      durationMs: 1000,
      records: 2,
      bytes: 30,
      statusCalls: 1,
      creates: 1,
      file,
    });
    await history.record(run('run-1', previousFile, Date.now() - 60_000));
    const current = run('run-2', currentFile, Date.now() - 30_000);
    await history.record(current);
    return current;
  }

  /** Collects the information messages, answering the first that offers `choice` with it. */
  function answering(choice: string, shown: string[]) {
    let answered = false;
    return async (message: string, ...items: string[]) => {
      shown.push(message);
      if (!answered && items.includes(choice)) {
        answered = true;
        return choice;
      }
      return undefined;
    };
  }

  it('saves the differences where the user works, says so, and says when the copy failed', async () => {
    const api = await activateExtension();
    const services = { ...api.services, history };
    fs.writeFileSync(path.join(dir, 'before.csv'), 'ID,Status\r\n1,Open\r\n2,Open\r\n');
    fs.writeFileSync(path.join(dir, 'after.csv'), 'ID,Status\r\n1,Open\r\n2,Closed\r\n3,Open\r\n');
    const current = await twoRuns(path.join(dir, 'before.csv'), path.join(dir, 'after.csv'));
    const target = path.join(dir, 'saved differences.csv');
    const proposed: string[] = [];
    const shown: string[] = [];
    await withStubbedPrompt(
      'showSaveDialog',
      async (options: vscode.SaveDialogOptions) => {
        proposed.push(options.defaultUri?.fsPath ?? '');
        return vscode.Uri.file(proposed.length === 1 ? target : path.join(dir, 'missing', 'x.csv'));
      },
      () =>
        withStubbedPrompt('showInformationMessage', answering('Save Differences As…', shown), async () => {
          await compareWithPreviousRun(services, { definition: 'Tickets compare', runId: current.id });
          await waitFor(() => shown.some((m) => m.startsWith('Saved the differences')), 'the saved message');
        }),
    );
    const workspace = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    assert.ok(workspace);
    assert.strictEqual(path.dirname(proposed[0]), workspace, 'proposed in the workspace folder');
    assert.match(fs.readFileSync(target, 'utf8'), /Closed/);
    assert.ok(
      shown.some((m) => m === `Saved the differences of Tickets compare to ${target}.`),
      shown.join('\n'),
    );

    // A copy that fails is said, with the way to try again.
    const errors: string[] = [];
    await withStubbedPrompt(
      'showSaveDialog',
      async () => vscode.Uri.file(path.join(dir, 'missing', 'x.csv')),
      () =>
        withStubbedPrompt(
          'showErrorMessage',
          async (message: string) => (errors.push(message), undefined),
          () =>
            withStubbedPrompt('showInformationMessage', answering('Save Differences As…', []), async () => {
              await compareWithPreviousRun(services, { definition: 'Tickets compare', runId: current.id });
              await waitFor(() => errors.length > 0, 'the error');
            }),
        ),
    );
    assert.match(errors[0], /^The differences were not saved to .*x\.csv: /);
  });

  it('says a pruned snapshot copy was removed, and why', async () => {
    const api = await activateExtension();
    const runs = path.join(dir, 'exports', 'All_Tickets.csv.runs');
    fs.mkdirSync(runs, { recursive: true });
    const now = path.join(runs, '2026-12-06-141500000Z-incremental.snapshot.csv');
    fs.writeFileSync(now, 'ID,Status\r\n1,Open\r\n');
    const current = await twoRuns(path.join(runs, '2026-12-06-135004282Z-full.snapshot.csv'), now);
    const warnings: string[] = [];
    await withStubbedPrompt(
      'showWarningMessage',
      async (message: string) => (warnings.push(message), undefined),
      () =>
        compareWithPreviousRun(
          { ...api.services, history },
          { definition: 'Tickets compare', runId: current.id },
        ),
    );
    assert.match(
      warnings[0],
      /^The previous run of Tickets compare cannot be compared: the snapshot as of that run was removed: only the newest 2 runs' snapshots are kept, and runs from the command line count too/,
    );
  });
});

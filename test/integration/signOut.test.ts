// Sign Out names every result file it deletes before the user agrees (issue 17.8): a job that
// completes and downloads while the question is open makes it ask again, naming that file too.
import * as assert from 'assert';
import * as fs from 'fs';
import * as vscode from 'vscode';
import type { TestApi } from '../../src/extension';
import { DEMO, startSimulator, type Simulator } from '../simulator';
import { activateExtension, signInToSimulator, useFastPolling, waitFor, withStubbedPrompt } from './helpers';

/** The tabs of the extension's read-only results. */
function resultTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all
    .flatMap((group) => group.tabs)
    .filter((tab) => tab.input instanceof vscode.TabInputText && tab.input.uri.scheme === 'creator-result');
}

describe('Sign Out while a job completes behind its question', function () {
  this.timeout(120_000);
  let sim: Simulator;
  let api: TestApi;
  let restoreSettings: () => Promise<void>;

  before(async () => {
    sim = await startSimulator({ jobDurationMs: 1500, throttles: false });
    api = await activateExtension();
    restoreSettings = await useFastPolling();
  });
  after(async () => {
    await restoreSettings?.();
    await sim?.close();
  });

  it('asks again, naming the result downloaded meanwhile, deletes only what it named and closes its tab', async () => {
    const accountId = await signInToSimulator(sim);
    const key = await vscode.commands.executeCommand<string>('creatorBulkJobs.createJob', {
      accountId,
      app: DEMO.app,
      report: 'All_Customers',
    });
    assert.ok(key);
    const asked: Array<{ message: string; detail: string }> = [];
    let file: string | undefined;
    const signedOut = await withStubbedPrompt(
      'showWarningMessage',
      async (message: string, options?: { detail?: string }) => {
        asked.push({ message, detail: options?.detail ?? '' });
        if (asked.length === 1) {
          // The user reads the question while the job completes and its result downloads.
          const done = await waitFor(() => {
            const job = api.services.jobs.get(key);
            return job?.download === 'ready' && job;
          }, 'the job to complete and download behind the question');
          file = done.result?.path;
          await vscode.commands.executeCommand('creatorBulkJobs.openResult', key);
          await waitFor(() => resultTabs().length === 1, 'the result to open in a tab');
        }
        return 'Sign Out';
      },
      () => vscode.commands.executeCommand<boolean>('creatorBulkJobs.signOut', accountId),
    );

    assert.strictEqual(signedOut, true);
    assert.strictEqual(asked.length, 2, JSON.stringify(asked));
    assert.doesNotMatch(asked[0].detail, /Downloaded results deleted/);
    assert.match(asked[1].message, /More results were downloaded meanwhile/);
    assert.match(
      asked[1].detail,
      /Downloaded results deleted with them: All_Customers · batch 1 · 1,000 records\.csv/,
    );
    assert.strictEqual(api.services.jobs.get(key), undefined);
    assert.ok(file && !fs.existsSync(file), 'the result it named is deleted');
    assert.deepStrictEqual(resultTabs(), [], 'its tab is closed, not left to show an error');
  });
});

// Remove Export from List of a running export asks first (issue 17.7); the answer decides, also when
// the export ends while the question is open: Continue Export keeps it listed.
import * as assert from 'assert';
import * as vscode from 'vscode';
import type { TestApi } from '../../src/extension';
import { DEMO } from '../simulator';
import { useSignedInSimulator, waitFor, withStubbedPrompt } from './helpers';

describe('Remove Export from List of a running export', function () {
  this.timeout(120_000);
  let api: TestApi;
  let accountId: string;
  useSignedInSimulator({ jobDurationMs: 1500, throttles: false }, (signedIn) => {
    ({ api, accountId } = signedIn);
  });
  after(async () => {
    for (const run of api?.services.exports.exports() ?? []) {
      await api.services.exports.remove(run.id);
    }
  });

  it('keeps an export that completed while the question was open when the answer is Continue Export', async () => {
    const id = await withStubbedPrompt(
      'showInformationMessage',
      async () => undefined,
      () =>
        vscode.commands.executeCommand<string>('creatorBulkJobs.exportReport', {
          accountId,
          app: DEMO.app,
          report: 'All_Customers',
          destination: 'exports/remove_then_continue.csv',
        }),
    );
    assert.strictEqual(api.services.exports.get(id)?.state, 'running');
    const asked: string[] = [];
    await withStubbedPrompt(
      'showWarningMessage',
      async (message: string) => {
        asked.push(message);
        // The user reads the question while the export completes behind it, then keeps exporting.
        await waitFor(() => api.services.exports.get(id)?.state === 'completed', 'the export to complete');
        return { title: 'Continue Export', isCloseAffordance: true };
      },
      () =>
        withStubbedPrompt(
          'showInformationMessage',
          async () => undefined,
          () => vscode.commands.executeCommand('creatorBulkJobs.removeExport', id),
        ),
    );

    assert.deepStrictEqual(asked, ['Stop exporting All_Customers?']);
    assert.strictEqual(api.services.exports.get(id)?.state, 'completed', 'still listed');
  });

  it("closes the removed export's read-only tab: it could no longer be read", async () => {
    const run = api.services.exports.exports().find((r) => r.state === 'completed');
    assert.ok(run, 'the export of the test above');
    await withStubbedPrompt(
      'showInformationMessage',
      async () => undefined,
      () => vscode.commands.executeCommand('creatorBulkJobs.openExport', run.id),
    );
    await waitFor(() => exportTabs().length === 1, 'the export to open in a tab');

    await vscode.commands.executeCommand('creatorBulkJobs.removeExport', run.id);

    assert.strictEqual(api.services.exports.get(run.id), undefined);
    assert.deepStrictEqual(exportTabs(), [], 'no tab left to show an error');
  });
});

/** The tabs of the extension's read-only results and exports. */
function exportTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all
    .flatMap((group) => group.tabs)
    .filter((tab) => tab.input instanceof vscode.TabInputText && tab.input.uri.scheme === 'creator-result');
}

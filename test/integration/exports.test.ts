// Export Whole Report in the real extension host against the simulator: every batch runs by
// itself, one merged CSV lands in the workspace, the tree shows the export with its batches, the
// status bar counts it, one notification says it plainly; an existing file is never replaced unasked.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import { exportUri } from '../../src/host/resultFileSystem';
import { exportDescription } from '../../src/views/exportText';
import type { TestApi } from '../../src/extension';
import { countCsvRecords } from '../../src/results/countCsvRecords';
import type { ExportNode, JobNode } from '../../src/views/jobsTree';
import { startSimulator, DEMO, type Simulator } from '../simulator';
import {
  activateExtension,
  allTreeNodes,
  jobsTree,
  signInToSimulator,
  signOut,
  useFastPolling,
  waitFor,
  withStubbedPrompt,
} from './helpers';

/**
 * A simulator whose jobs take `jobDurationMs`, signed in with fast polling for the suite; every
 * export is removed and the account signed out afterwards.
 */
function useSignedInSimulator(
  jobDurationMs: number,
): () => { sim: Simulator; api: TestApi; accountId: string } {
  let sim: Simulator | undefined;
  let api: TestApi | undefined;
  let accountId: string | undefined;
  let restoreSettings: (() => Promise<void>) | undefined;
  before(async () => {
    sim = await startSimulator({ jobDurationMs, throttles: false });
    api = await activateExtension();
    restoreSettings = await useFastPolling();
    accountId = await signInToSimulator(sim);
  });
  after(async () => {
    for (const run of api?.services.exports.exports() ?? []) {
      await api?.services.exports.remove(run.id);
    }
    if (accountId) {
      await signOut(accountId);
    }
    await restoreSettings?.();
    await sim?.close();
  });
  return () => {
    if (!sim || !api || !accountId) {
      throw new Error('the simulator session did not start');
    }
    return { sim, api, accountId };
  };
}

describe('Export Whole Report', function () {
  this.timeout(180_000);
  const session = useSignedInSimulator(1500);
  let sim: Simulator;
  let api: TestApi;
  let accountId: string;
  before(() => ({ sim, api, accountId } = session()));
  const workspace = (): string => vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '';

  it('exports All_Orders (250,000 records) in 3 batches into one CSV and says so once', async () => {
    const messages: string[] = [];
    let statusWhileRunning = '';
    const id = await withStubbedPrompt(
      'showInformationMessage',
      async (message: string) => {
        messages.push(message);
        return undefined;
      },
      async () => {
        const started = await vscode.commands.executeCommand<string | undefined>(
          'creatorBulkJobs.exportReport',
          {
            accountId,
            app: DEMO.app,
            report: 'All_Orders',
            maxRecords: 100_000,
            destination: 'exports/it_{report}.csv',
          },
        );
        assert.ok(started, 'exportReport resolves the export id');
        statusWhileRunning = api.statusBar.text;
        await waitFor(
          () => api.services.exports.get(started)?.state !== 'running',
          'the export to finish',
          150_000,
        );
        await waitFor(() => messages.length > 0, 'the completion notification');
        return started;
      },
    );
    const run = api.services.exports.get(id);
    assert.equal(run?.state, 'completed', run?.error);
    assert.match(statusWhileRunning, /1 exporting/);
    assert.deepEqual(messages, ['All_Orders exported: 250,000 records in 3 batches']);
    const file = path.join(workspace(), 'exports', 'it_All_Orders.csv');
    assert.equal(run?.destination, file);
    assert.equal(await countCsvRecords(file), 250_000);
    assert.deepEqual(
      fs.readdirSync(path.dirname(file)).filter((name) => name.startsWith('it_')),
      ['it_All_Orders.csv'],
      'no .part file is left',
    );
    const creates = sim.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/All_Orders/read'));
    assert.equal(creates.length, 3);

    // The tree: one export row with its three batches beneath; the batches are not listed again.
    const tree = await jobsTree();
    const nodes = await allTreeNodes(tree);
    const exportNode = nodes.find(
      (node): node is ExportNode => node.kind === 'export' && node.exportId === id,
    );
    assert.ok(exportNode);
    const item = tree.provider.getTreeItem(exportNode);
    assert.equal(item.label, 'Export All_Orders');
    assert.match(String(item.description), /^250,000 records · 3 batches · /);
    const batches = tree.provider.getChildren(exportNode);
    assert.equal(batches.length, 3);
    const batchKeys = new Set(run?.batches.map((batch) => batch.key));
    const jobRows = nodes.filter((node): node is JobNode => node.kind === 'job' && batchKeys.has(node.key));
    assert.equal(jobRows.length, 3, 'each batch appears once, under its export');
    assert.ok(!api.statusBar.visible || !api.statusBar.text.includes('exporting'), api.statusBar.text);

    // "Ready" counts the merged file once: the batches are parts of it, not results to open.
    assert.equal(tree.view.badge?.value, 1, 'the badge counts the export, not its 3 batches');
    assert.match(api.statusBar.text, /\$\(check\) 1 ready/);
    assert.match(String(item.description), / · ready · /);
    for (const row of jobRows) {
      const batchItem = tree.provider.getTreeItem(row);
      const description = String(batchItem.description);
      assert.doesNotMatch(description, /ready/, `a batch row is not a result of its own: ${description}`);
      // Merged: its own copy is gone, so no Open or Save that would download it again.
      assert.equal(batchItem.contextValue, 'job merged');
      assert.equal(batchItem.command, undefined);
    }
    const downloads = sim.requests.filter((r) => r.path.endsWith('/result')).length;
    const said: string[] = [];
    await withStubbedPrompt(
      'showInformationMessage',
      async (message: string) => {
        said.push(message);
        return undefined;
      },
      () => vscode.commands.executeCommand('creatorBulkJobs.openResult', jobRows[0].key),
    );
    assert.match(said.join('\n'), /records are in the export of All_Orders.*Open the export/);
    assert.equal(
      sim.requests.filter((r) => r.path.endsWith('/result')).length,
      downloads,
      'Open Result on a merged batch downloads nothing',
    );
    await vscode.commands.executeCommand('creatorBulkJobs.revealExport', id);
    assert.equal(tree.view.badge, undefined, 'revealed: nothing is ready any more');
    assert.ok(!api.statusBar.visible || !api.statusBar.text.includes('ready'), api.statusBar.text);
    assert.doesNotMatch(String(tree.provider.getTreeItem(exportNode).description), /ready/);
  });

  it('Sign Out names only the results it deletes: the batches merged into the export file have none left', async () => {
    const run = api.services.exports.exports().find((r) => r.state === 'completed' && r.batches.length === 3);
    assert.ok(run, 'the export of All_Orders above');
    const details: string[] = [];
    const signedOut = await withStubbedPrompt(
      'showWarningMessage',
      async (_message: string, options?: { detail?: string }) => {
        details.push(options?.detail ?? '');
        return undefined; // declined: everything stays
      },
      () => vscode.commands.executeCommand<boolean>('creatorBulkJobs.signOut', accountId),
    );
    assert.strictEqual(signedOut, false);
    assert.strictEqual(details.length, 1);
    assert.match(details[0], /its 3 tracked jobs are forgotten/);
    assert.doesNotMatch(details[0], /Downloaded results deleted/, details[0]);
  });

  it("a merged batch's hover names the export file it went into, not a file of its own", async () => {
    const run = api.services.exports.exports().find((r) => r.state === 'completed' && r.batches.length === 3);
    assert.ok(run, 'the export of All_Orders above');
    const tree = await jobsTree();
    const batch = (await allTreeNodes(tree)).find(
      (node): node is JobNode => node.kind === 'job' && node.key === run.batches[0].key,
    );
    assert.ok(batch, 'the first batch has a row');
    const item = tree.provider.resolveTreeItem(tree.provider.getTreeItem(batch), batch);
    const tooltip = (item.tooltip as vscode.MarkdownString).value.replace(/&nbsp;/g, ' ').replace(/\\/g, '');
    assert.match(
      tooltip,
      /Local file:\*\* merged into .*it_All_Orders\.csv \(the batch's own copy is removed\)/,
    );
  });

  it('a completed export whose file changed on disk is not opened as the export, and its row says so', async () => {
    const id = await withStubbedPrompt(
      'showInformationMessage',
      async () => undefined,
      async () => {
        const started = await vscode.commands.executeCommand<string>('creatorBulkJobs.exportReport', {
          accountId,
          app: DEMO.app,
          report: 'All_Customers',
          destination: 'exports/it_changed.csv',
        });
        await waitFor(() => api.services.exports.get(started)?.state !== 'running', 'the export to finish');
        return started;
      },
    );
    assert.equal(api.services.exports.get(id)?.state, 'completed');
    const file = path.join(workspace(), 'exports', 'it_changed.csv');
    // Another program (or the user) adds a line after the export wrote the file.
    fs.appendFileSync(file, '"someone else",1\n');

    const said: Array<{ message: string; actions: string[] }> = [];
    const opened = await withStubbedPrompt(
      'showErrorMessage',
      async (message: string, ...actions: string[]) => {
        said.push({ message, actions });
        return undefined;
      },
      () => vscode.commands.executeCommand<vscode.Uri | undefined>('creatorBulkJobs.openExport', id),
    );

    assert.equal(opened, undefined, 'the changed file is not opened as the export');
    assert.equal(said.length, 1, JSON.stringify(said));
    assert.match(
      said[0].message,
      /^it_changed\.csv is not the file this export wrote \([\d,]+ bytes where [\d,]+ were written\)/,
    );
    assert.match(said[0].message, /Run the export again\.$/);
    assert.deepEqual(said[0].actions, ['Restart Export']);
    const tree = await jobsTree();
    const row = (await allTreeNodes(tree)).find(
      (node): node is ExportNode => node.kind === 'export' && node.exportId === id,
    );
    assert.ok(row);
    const item = tree.provider.getTreeItem(row);
    assert.match(
      String(item.description),
      /^not trusted · the file changed since the export · Restart Export/,
    );
    assert.match(String(item.contextValue), /\bexportUntrusted\b/);
    const tooltip = (item.tooltip as vscode.MarkdownString).value.replace(/&nbsp;/g, ' ').replace(/\\/g, '');
    assert.match(tooltip, /it_changed\.csv is not the file this export wrote .* Run the export again\./);

    // A tab restored by Reload Window, or a preview, reads the export's address from the read-only
    // file system without Open Export: the changed file is refused there too, whole or its head.
    const run = api.services.exports.get(id);
    assert.ok(run);
    for (const uri of [exportUri(run), exportUri(run, 10)]) {
      await assert.rejects(
        Promise.resolve(vscode.workspace.fs.readFile(uri)),
        /it_changed\.csv is not the file this export wrote/,
      );
    }
  });

  it('reads with the largest batch size unless told otherwise; a one-batch report is one batch', async () => {
    const id = await withStubbedPrompt(
      'showInformationMessage',
      async () => undefined,
      async () => {
        const started = await vscode.commands.executeCommand<string>('creatorBulkJobs.exportReport', {
          accountId,
          app: DEMO.app,
          report: 'All_Customers',
          destination: 'exports/it_customers.csv',
        });
        await waitFor(() => api.services.exports.get(started)?.state !== 'running', 'the export to finish');
        return started;
      },
    );
    const run = api.services.exports.get(id);
    assert.equal(run?.state, 'completed', run?.error);
    assert.equal(run?.batches.length, 1);
    assert.equal(await countCsvRecords(path.join(workspace(), 'exports', 'it_customers.csv')), 1000);
    const create = sim.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/All_Customers/read'));
    assert.match(create[0]?.body ?? '', /"max_records":200000/);
  });

  it('Cancel asks whether to keep the records so far, and keeps them as a partial file', async () => {
    const id = await vscode.commands.executeCommand<string>('creatorBulkJobs.exportReport', {
      accountId,
      app: DEMO.app,
      report: 'All_Orders',
      maxRecords: 100_000,
      destination: 'exports/cancelled_{report}.csv',
    });
    await waitFor(() => (api.services.exports.get(id)?.records ?? 0) > 0, 'the first batch to be written');
    const asked: string[] = [];
    // What the row says at every change while the cancel runs: never "discarded" on a Keep.
    const rowTexts: string[] = [];
    const watching = api.services.exports.onDidChangeExport(({ run: changed }) => {
      if (changed.id === id) {
        rowTexts.push(exportDescription(changed, Date.now()));
      }
    });
    const run = await withStubbedPrompt(
      'showWarningMessage',
      async (message: string, _options: unknown, ...actions: vscode.MessageItem[]) => {
        asked.push(`${message} [${actions.map((a) => a.title).join(', ')}]`);
        return actions.find((a) => a.title.startsWith('Keep'));
      },
      () =>
        vscode.commands.executeCommand<{ state: string; keptPath?: string }>(
          'creatorBulkJobs.cancelExport',
          id,
        ),
    ).finally(() => watching.dispose());
    // The answers say what they do; "Continue Export" replaces VS Code's ambiguous Cancel.
    assert.equal(asked.length, 1);
    assert.match(
      asked[0],
      /^Stop exporting All_Orders(?: to cancelled_All_Orders\.csv)?\? \[Keep [\d,]+ Records, Discard, Continue Export\]$/,
    );
    const cancelledTexts = rowTexts.filter((text) => text.startsWith('cancelled'));
    assert.ok(cancelledTexts.length > 0, `the row said: ${rowTexts.join(' | ')}`);
    assert.ok(
      cancelledTexts.every((text) => !/discard/.test(text)),
      `never "discarded" while keeping: ${cancelledTexts.join(' | ')}`,
    );
    assert.match(
      cancelledTexts[cancelledTexts.length - 1],
      /records kept · cancelled_All_Orders\.partial\.csv$/,
    );
    assert.equal(run?.state, 'cancelled');
    const kept = path.join(workspace(), 'exports', 'cancelled_All_Orders.partial.csv');
    assert.equal(run?.keptPath, kept);
    assert.equal(await countCsvRecords(kept), api.services.exports.get(id)?.records);
    assert.equal(fs.existsSync(path.join(workspace(), 'exports', 'cancelled_All_Orders.csv')), false);
  });

  it('asks again when records were written while the stop question was open (none discarded unasked)', async () => {
    const id = await vscode.commands.executeCommand<string>('creatorBulkJobs.exportReport', {
      accountId,
      app: DEMO.app,
      report: 'All_Orders',
      maxRecords: 100_000,
      destination: 'exports/reasked_{report}.csv',
    });
    const asked: { buttons: string; detail: string }[] = [];
    const run = await withStubbedPrompt(
      'showWarningMessage',
      async (_message: string, options: vscode.MessageOptions, ...actions: vscode.MessageItem[]) => {
        asked.push({ buttons: actions.map((a) => a.title).join(', '), detail: options.detail ?? '' });
        if (asked.length === 1) {
          // The person takes a while: a batch is written while the question is open.
          await waitFor(() => (api.services.exports.get(id)?.records ?? 0) > 0, 'a batch written meanwhile');
          return actions.find((a) => a.title === 'Stop Export');
        }
        return actions.find((a) => a.title.startsWith('Keep'));
      },
      () =>
        vscode.commands.executeCommand<{ state: string; keptPath?: string; records: number }>(
          'creatorBulkJobs.cancelExport',
          id,
        ),
    );
    assert.equal(asked[0]?.buttons, 'Stop Export, Continue Export', 'asked with no records yet');
    assert.ok(asked.length >= 2, 'asked again once records were written');
    assert.match(asked[1].buttons, /^Keep [\d,]+ Records, Discard, Continue Export$/);
    assert.match(asked[1].detail, /^While you decided, [\d,]+ more records were written\./);
    assert.equal(run?.state, 'cancelled');
    const kept = path.join(workspace(), 'exports', 'reasked_All_Orders.partial.csv');
    assert.equal(run?.keptPath, kept, 'the records written meanwhile are kept, as the answer said');
    assert.equal(await countCsvRecords(kept), api.services.exports.get(id)?.records);
  });

  it('says so when the export completed while the stop question was open, and stops nothing', async () => {
    const id = await vscode.commands.executeCommand<string>('creatorBulkJobs.exportReport', {
      accountId,
      app: DEMO.app,
      report: 'All_Customers',
      destination: 'exports/finished_meanwhile.csv',
    });
    const told: string[] = [];
    const run = await withStubbedPrompt(
      'showInformationMessage',
      async (message: string) => {
        told.push(message);
        return undefined;
      },
      () =>
        withStubbedPrompt(
          'showWarningMessage',
          async (_message: string, _options: vscode.MessageOptions, ...actions: vscode.MessageItem[]) => {
            // The person takes a while: the export completes while the question is open.
            await waitFor(
              () => api.services.exports.get(id)?.state === 'completed',
              'the export to complete',
            );
            return actions.find((a) => a.title === 'Discard' || a.title === 'Stop Export');
          },
          () =>
            vscode.commands.executeCommand<{ state: string; records: number }>(
              'creatorBulkJobs.cancelExport',
              id,
            ),
        ),
    );
    assert.equal(run?.state, 'completed');
    assert.equal(await countCsvRecords(path.join(workspace(), 'exports', 'finished_meanwhile.csv')), 1000);
    assert.ok(
      told.includes(
        'The export of All_Customers completed while you decided, with all 1,000 records: nothing was stopped.',
      ),
      told.join(' | '),
    );
  });

  it('asks before replacing an existing file and starts nothing when the user declines', async () => {
    const file = path.join(workspace(), 'exports', 'keep_me.csv');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, 'precious\n');
    const before = api.services.exports.exports().length;
    const asked: string[] = [];
    const id = await withStubbedPrompt(
      'showWarningMessage',
      async (message: string) => {
        asked.push(message);
        return undefined;
      },
      () =>
        vscode.commands.executeCommand<string | undefined>('creatorBulkJobs.exportReport', {
          accountId,
          app: DEMO.app,
          report: 'All_Customers',
          destination: 'exports/keep_me.csv',
        }),
    );
    assert.equal(id, undefined);
    assert.deepEqual(asked, ['exports/keep_me.csv already exists. Overwrite it?']);
    assert.equal(fs.readFileSync(file, 'utf8'), 'precious\n');
    assert.equal(api.services.exports.exports().length, before);
  });
});

describe('Export definitions', function () {
  this.timeout(120_000);
  const session = useSignedInSimulator(1000);
  let api: TestApi;
  let accountId: string;
  before(() => ({ api, accountId } = session()));
  const folder = (): string => vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '';
  const definitionsFile = (): string => path.join(folder(), '.vscode', 'zoho-exports.json');

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    fs.rmSync(path.join(folder(), '.vscode'), { recursive: true, force: true });
  });

  it('lenses valid definitions, marks the invalid ones, and runs one from its lens', async () => {
    const label = api.accounts.get(accountId)?.label ?? '';
    fs.mkdirSync(path.dirname(definitionsFile()), { recursive: true });
    fs.writeFileSync(
      definitionsFile(),
      JSON.stringify(
        {
          exports: [
            {
              name: 'Customers',
              account: label,
              app: DEMO.app,
              report: 'All_Customers',
              destination: 'exports/def_{report}.csv',
            },
            { name: 'Broken', app: 'zylker store', report: 'All_Orders', batchSize: 5 },
          ],
        },
        null,
        2,
      ),
    );
    const document = await vscode.workspace.openTextDocument(definitionsFile());
    await vscode.window.showTextDocument(document);
    // A suite before this one may have had the file open: VS Code can hand back its document and
    // takes the new text in from disk on its own schedule.
    const written = fs.readFileSync(definitionsFile(), 'utf8');
    await waitFor(() => document.getText() === written, 'the editor to hold the file as written');

    const diagnostics = await waitFor(() => {
      const found = vscode.languages
        .getDiagnostics(document.uri)
        .filter((d) => d.source === 'Zoho Creator exports');
      return found.length >= 2 && found;
    }, 'diagnostics of the invalid definition');
    const messages = diagnostics.map((d) => d.message).join('\n');
    assert.match(messages, /"zylker store" is not a link name/);
    assert.match(messages, /Records per batch must be a multiple of 1000/);

    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>(
      'vscode.executeCodeLensProvider',
      document.uri,
    );
    const runLenses = lenses.filter((lens) => lens.command?.command === 'creatorBulkJobs.runSavedExport');
    assert.equal(runLenses.length, 1, 'one lens, above the valid definition');
    assert.equal(document.lineAt(runLenses[0].range.start.line).text.trim(), '{');

    const id = await withStubbedPrompt(
      'showInformationMessage',
      async () => undefined,
      () =>
        vscode.commands.executeCommand<string>(
          'creatorBulkJobs.runSavedExport',
          ...(runLenses[0].command?.arguments ?? []),
        ),
    );
    assert.ok(id, 'the lens starts an export');
    await waitFor(() => api.services.exports.get(id)?.state !== 'running', 'the saved export to finish');
    const run = api.services.exports.get(id);
    assert.equal(run?.state, 'completed', run?.error);
    assert.equal(run?.definition, 'Customers');
    assert.equal(await countCsvRecords(path.join(folder(), 'exports', 'def_All_Customers.csv')), 1000);
  });

  it('saves a finished export as a definition, keeping the other definitions of the file', async () => {
    const run = api.services.exports
      .exports()
      .find((r) => r.state === 'completed' && r.definition === 'Customers');
    assert.ok(run, 'the export of the previous test');
    const uri = await withStubbedPrompt(
      'showInputBox',
      async () => 'Customers again',
      () =>
        vscode.commands.executeCommand<vscode.Uri | undefined>(
          'creatorBulkJobs.saveExportDefinition',
          run.id,
        ),
    );
    assert.equal(uri?.fsPath, definitionsFile());
    const saved = JSON.parse(fs.readFileSync(definitionsFile(), 'utf8')) as { exports: { name: string }[] };
    assert.deepEqual(
      saved.exports.map((d) => d.name),
      ['Customers', 'Broken', 'Customers again'],
    );
    assert.deepEqual(saved.exports[2], {
      name: 'Customers again',
      account: api.accounts.get(accountId)?.label,
      app: DEMO.app,
      report: 'All_Customers',
      batchSize: 200000,
      // The pattern, not the file it made: the definition writes the next run's own file.
      destination: 'exports/def_{report}.csv',
    });
  });

  it('offers to sign in when a definition names an account that is not signed in', async () => {
    fs.writeFileSync(
      definitionsFile(),
      JSON.stringify({
        exports: [
          { name: 'Elsewhere', account: { owner: 'nobody', dataCentre: 'EU' }, app: 'a', report: 'b' },
        ],
      }),
    );
    const offers: string[][] = [];
    const id = await withStubbedPrompt(
      'showWarningMessage',
      async (message: string, ...actions: string[]) => {
        offers.push([message, ...actions]);
        return undefined;
      },
      () =>
        vscode.commands.executeCommand<string | undefined>('creatorBulkJobs.runSavedExport', {
          name: 'Elsewhere',
        }),
    );
    assert.equal(id, undefined);
    assert.deepEqual(offers, [
      [
        'The export "Elsewhere" runs as the account of nobody (EU), which is not signed in.',
        'Sign In with Access Token',
        'Sign In with Refresh Token',
      ],
    ]);
  });

  it('signed out, the view says so above the saved exports left in it (its welcome shows only when empty)', async () => {
    const tree = await jobsTree();
    assert.ok((api.services.history?.definitions().length ?? 0) > 0, 'a saved export ran above');
    assert.equal(tree.view.message, undefined, 'signed in, nothing held: no message');
    await signOut(accountId);
    await waitFor(() => /^Not signed in: sign in/.test(tree.view.message ?? ''), 'the view to say so');
  });
});

// Results and the tree in the real extension host: open puts the CSV in a csv editor; save writes
// under exports/ and never overwrites silently; the tree shows the job and refreshes only its row.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { TestApi } from '../../src/extension';
import type { TrackedJob } from '../../src/jobs/model';
import type { TreeNode } from '../../src/views/jobsTree';
import type { JobsTree } from '../../src/views/jobsTreeView';
import { countCsvRecords } from '../../src/results/countCsvRecords';
import { SAVE_THEN_STOP, STOP_AND_DELETE } from '../../src/commands/stopTracking';
import { DEMO, type Simulator } from '../simulator';
import {
  allTreeNodes,
  jobsTree,
  waitFor,
  waitForResult,
  withStubbedPrompt,
  useSignedInSimulator,
} from './helpers';

const CUSTOMER_COLUMNS = [
  'ID',
  'Customer_Name.first_name',
  'Customer_Name.last_name',
  'Email',
  'Phone',
  'City',
  'Country',
  'Joined_On',
  'Credit_Limit',
  'Tags',
];

function headerOf(text: string): string[] {
  const firstLine = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0];
  return firstLine.split(',').map((cell) => cell.replace(/^"|"$/g, ''));
}

describe('Results and the jobs tree', function () {
  this.timeout(120_000);
  let sim: Simulator;
  let api: TestApi;
  let accountId: string;
  let job: TrackedJob;

  useSignedInSimulator(
    { jobDurationMs: 1500, throttles: false },
    (signedIn) => ({ sim, api, accountId } = signedIn),
  );

  before(async () => {
    const key = await vscode.commands.executeCommand<string>('creatorBulkJobs.createJob', {
      accountId,
      app: DEMO.app,
      report: 'All_Customers',
    });
    job = await waitForResult(api, key);
  });

  it('opens the result read-only under a friendly title, language csv, with every record', async () => {
    const uri = await vscode.commands.executeCommand<vscode.Uri | undefined>(
      'creatorBulkJobs.openResult',
      job.key,
    );
    assert.ok(uri, 'openResult resolves the address it opened');
    assert.strictEqual(uri.scheme, 'creator-result');
    assert.strictEqual(
      uri.path,
      '/All_Customers · batch 1 · 1,000 records.csv',
      'the tab names report, batch, count',
    );
    assert.strictEqual(
      vscode.window.tabGroups.activeTabGroup.activeTab?.label,
      'All_Customers · batch 1 · 1,000 records.csv',
    );
    const document = await vscode.workspace.openTextDocument(uri);
    assert.strictEqual(document.languageId, 'csv');
    const text = document.getText();
    assert.deepStrictEqual(headerOf(text), CUSTOMER_COLUMNS);
    assert.ok(job.result);
    assert.strictEqual(text, fs.readFileSync(job.result.path, 'utf8'), 'the editor shows the whole file');
    assert.strictEqual(await countCsvRecords(job.result.path), 1000);

    // Read-only: no write reaches the cached file that Save copies.
    await assert.rejects(
      Promise.resolve(vscode.workspace.fs.writeFile(uri, Buffer.from('edited'))),
      /NoPermissions|permission/i,
    );
    const edit = new vscode.WorkspaceEdit();
    edit.insert(uri, new vscode.Position(0, 0), 'edited,');
    await vscode.workspace.applyEdit(edit);
    await document.save().then(
      () => undefined,
      () => undefined,
    );
    assert.strictEqual(fs.readFileSync(job.result.path, 'utf8'), text, 'the cached result is unchanged');
    assert.strictEqual(
      api.services.jobs.get(job.key)?.result?.seenAt !== undefined,
      true,
      'opened: no longer ready',
    );
  });

  it('saves under exports/ and asks before replacing a file: Cancel keeps the old content', async () => {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    assert.ok(folder, 'a workspace folder is open');
    const expected = path.join(folder, 'exports', `All_Customers_${job.jobId}.csv`);
    fs.rmSync(expected, { force: true });

    const saved = await vscode.commands.executeCommand<vscode.Uri | undefined>(
      'creatorBulkJobs.saveResult',
      job.key,
    );
    assert.strictEqual(saved?.fsPath, expected);
    assert.ok(job.result);
    const csv = fs.readFileSync(job.result.path, 'utf8');
    assert.strictEqual(fs.readFileSync(expected, 'utf8'), csv);

    fs.writeFileSync(expected, 'old content');
    const questions: { message: string; modal?: boolean }[] = [];
    const answer = (choice: string) => async (message: string, options?: vscode.MessageOptions) => {
      questions.push({ message, modal: options?.modal });
      return choice;
    };
    const cancelled = await withStubbedPrompt('showWarningMessage', answer('Cancel'), () =>
      vscode.commands.executeCommand<vscode.Uri | undefined>('creatorBulkJobs.saveResult', job.key),
    );
    assert.strictEqual(cancelled, undefined);
    assert.strictEqual(fs.readFileSync(expected, 'utf8'), 'old content', 'Cancel keeps the existing file');
    assert.strictEqual(questions.length, 1);
    assert.match(questions[0].message, /already exists/);
    assert.strictEqual(questions[0].modal, true, 'the question is modal');

    const replaced = await withStubbedPrompt('showWarningMessage', answer('Overwrite'), () =>
      vscode.commands.executeCommand<vscode.Uri | undefined>('creatorBulkJobs.saveResult', job.key),
    );
    assert.strictEqual(replaced?.fsPath, expected);
    assert.strictEqual(fs.readFileSync(expected, 'utf8'), csv, 'Overwrite replaces it');
  });

  describe('tree', () => {
    let tree: JobsTree;
    before(async () => {
      tree = await jobsTree();
    });

    const jobNodeOf = async (key: string): Promise<TreeNode | undefined> =>
      (await allTreeNodes(tree)).find((node) => node.kind === 'job' && node.key === key);

    it('shows the completed job with its label, icon, description, contextValue and click action', async () => {
      const node = await jobNodeOf(job.key);
      assert.ok(node, 'the job is in the tree');
      const item = await tree.provider.getTreeItem(node);
      const underReport = tree.provider.getParent(node)?.kind === 'report';
      // With other jobs of All_Customers beside it, the row adds its start time to tell them apart.
      assert.match(
        String(item.label),
        new RegExp(`^${underReport ? 'Batch 1' : 'All_Customers'}( · \\d\\d:\\d\\d(:\\d\\d)?)?$`),
        'the report, never the job id',
      );
      assert.match(item.accessibilityInformation?.label ?? '', new RegExp(`job ${job.jobId}$`));
      // A screen reader hears one row at a time: a "Batch 1" row names its report.
      assert.match(item.accessibilityInformation?.label ?? '', /^(Batch 1 of All_Customers|All_Customers)\b/);
      assert.match(String(item.description), /^1,000 records · /);
      assert.strictEqual(
        item.contextValue,
        'job completed hasResult',
        'All_Customers fits one batch: no cursor',
      );
      const icon = item.iconPath as vscode.ThemeIcon;
      assert.strictEqual(icon.id, 'pass');
      assert.strictEqual(icon.color?.id, 'testing.iconPassed');
      assert.strictEqual(item.command?.command, 'creatorBulkJobs.openResult');
      assert.deepStrictEqual(item.command?.arguments, [job.key]);

      // reveal needs getParent to agree with getChildren, at every level.
      let child: TreeNode = node;
      for (let parent = tree.provider.getParent(child); parent; parent = tree.provider.getParent(child)) {
        const siblings = await tree.provider.getChildren(parent);
        assert.ok(siblings?.includes(child), `${parent.id} lists ${child.id}`);
        child = parent;
      }
      assert.ok((await tree.provider.getChildren())?.includes(child), 'the top ancestor is a root child');
    });

    it('marks a running job with a spinning icon and refreshes only its own row as it changes', async () => {
      // Hide the view so the once-a-minute age refresh cannot interleave with the events we count.
      await vscode.commands.executeCommand('workbench.action.closeSidebar');
      await waitFor(() => !tree.view.visible, 'the jobs view hidden');

      sim.switches.jobDurationMs = 10 * 60_000;
      const key = await vscode.commands.executeCommand<string>('creatorBulkJobs.createJob', {
        accountId,
        app: DEMO.app,
        report: 'All_Customers',
      });
      sim.switches.jobDurationMs = 1500;
      const node = await waitFor(() => jobNodeOf(key), 'the new job in the tree');
      const running = await tree.provider.getTreeItem(node);
      assert.strictEqual((running.iconPath as vscode.ThemeIcon).id, 'sync~spin');
      assert.match(String(running.description), /^running · /);
      assert.strictEqual(running.contextValue, 'job running');
      const other = await jobNodeOf(job.key);

      const fired: (TreeNode | TreeNode[] | undefined | null | void)[] = [];
      const listener = tree.provider.onDidChangeTreeData?.((event) => fired.push(event));
      try {
        sim.clock.advance(10 * 60_000);
        await waitForResult(api, key);
      } finally {
        listener?.dispose();
      }
      assert.ok(fired.length > 0, 'the row was refreshed');
      for (const event of fired) {
        const nodes = Array.isArray(event) ? event : [event];
        assert.ok(
          nodes.every((n) => n === node),
          `only the changed job's node fires (got ${nodes.map((n) => (n ? n.id : 'the root')).join(', ')})`,
        );
      }
      assert.strictEqual(await jobNodeOf(key), node, 'the node object is reused');
      assert.strictEqual(await jobNodeOf(job.key), other, 'the other job keeps its node');
      const done = await tree.provider.getTreeItem(node);
      assert.strictEqual((done.iconPath as vscode.ThemeIcon).id, 'pass');
      assert.strictEqual(done.contextValue, 'job completed hasResult');
    });
  });

  it('Stop Tracking asks before deleting a downloaded result, naming the file; declining keeps both', async () => {
    const key = await vscode.commands.executeCommand<string>('creatorBulkJobs.createJob', {
      accountId,
      app: DEMO.app,
      report: 'All_Customers',
    });
    sim.clock.advance(10 * 60_000);
    const done = await waitForResult(api, key);
    const file = done.result?.path ?? '';
    assert.ok(fs.existsSync(file));
    const asked: { message: string; detail?: string; items: string[] }[] = [];
    const answer =
      (choice: string | undefined) =>
      async (message: string, options: vscode.MessageOptions, ...items: string[]) => {
        asked.push({ message, detail: options.detail, items });
        return choice;
      };
    const declined = await withStubbedPrompt('showWarningMessage', answer(undefined), () =>
      vscode.commands.executeCommand<boolean>('creatorBulkJobs.stopTracking', key),
    );
    assert.strictEqual(declined, false);
    assert.ok(api.services.jobs.get(key), 'still tracked');
    assert.ok(fs.existsSync(file), 'the result is kept');
    assert.match(asked[0]?.detail ?? '', /All_Customers · batch 1 · 1,000 records\.csv \([\d.]+ MB\)/);
    assert.deepStrictEqual(asked[0]?.items, [SAVE_THEN_STOP, STOP_AND_DELETE]);

    const stopped = await withStubbedPrompt('showWarningMessage', answer(STOP_AND_DELETE), () =>
      vscode.commands.executeCommand<boolean>('creatorBulkJobs.stopTracking', key),
    );
    assert.strictEqual(stopped, true);
    assert.strictEqual(api.services.jobs.get(key), undefined);
    assert.ok(!fs.existsSync(file), 'deleted only after the person chose to');
  });

  it("Sign Out's question names each downloaded result by its title; declining keeps everything", async () => {
    const asked: (string | undefined)[] = [];
    const declined = await withStubbedPrompt(
      'showWarningMessage',
      async (_message: string, options: vscode.MessageOptions) => {
        asked.push(options.detail);
        return undefined;
      },
      () => vscode.commands.executeCommand<boolean>('creatorBulkJobs.signOut', accountId),
    );
    assert.strictEqual(declined, false);
    assert.ok(api.accounts.get(accountId), 'still signed in');
    // The title of the result the user opens, never "first 0 of …" (the list's index was taken for a preview size).
    assert.match(
      asked[0] ?? '',
      /Downloaded results deleted with them: .*All_Customers · batch 1 · 1,000 records\.csv/,
    );
    assert.doesNotMatch(asked[0] ?? '', /first \d+ of/);
  });
});

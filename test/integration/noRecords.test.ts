// A job whose criteria match nothing, in the real extension host: it completes with 0 records
// (never a failed download), and Open/Save give a file and say that no records matched, whether
// Zoho sends a header-only CSV or a code-3000 JSON body instead of the ZIP.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import type { TestApi } from '../../src/extension';
import type { EmptyResult } from '../simulator/api';
import type { Simulator } from '../simulator';
import { allTreeNodes, jobsTree, waitForResult, withStubbedPrompt, useSignedInSimulator } from './helpers';

const HEADER = 'ID,Visit_Date,Technician,Site,Duration_Hours\r\n';
// A report no other suite reads: the simulators of all suites number jobs alike, and a result
// path another suite opened may still be held by the workbench's document cache.
const REPORT = 'All_Visits';

describe('A job with no matching records', function () {
  this.timeout(120_000);
  let sim: Simulator;
  let api: TestApi;
  let accountId: string;
  useSignedInSimulator(
    { jobDurationMs: 1000, throttles: false, customersRows: 30 },
    (signedIn) => ({ sim, api, accountId } = signedIn),
  );

  const cases: [EmptyResult, string][] = [
    ['headerOnly', HEADER],
    ['code3000', ''],
  ];
  for (const [emptyResult, content] of cases) {
    it(`completes with 0 records, and Open and Save give the file (${emptyResult})`, async () => {
      sim.switches.emptyResult = emptyResult;
      const key = await vscode.commands.executeCommand<string>('creatorBulkJobs.createJob', {
        accountId,
        app: 'field-service',
        report: REPORT,
        criteria: 'Site=="Atlantis" || (Technician.endsWith("Zz") && Duration_Hours > 100)',
      });
      const job = await waitForResult(api, key);
      assert.strictEqual(job.lastError, undefined);
      assert.strictEqual(job.details?.result?.count, 0);

      const tree = await jobsTree();
      const node = (await allTreeNodes(tree)).find((n) => n.kind === 'job' && n.key === key);
      assert.ok(node, 'the job is in the tree');
      const item = await tree.provider.getTreeItem(node);
      assert.match(String(item.description), /^0 records · /);
      assert.strictEqual((item.iconPath as vscode.ThemeIcon).id, 'pass');

      const infos: string[] = [];
      const collect = async (message: string) => {
        infos.push(message);
        return undefined;
      };
      const uri = await withStubbedPrompt('showInformationMessage', collect, () =>
        vscode.commands.executeCommand<vscode.Uri | undefined>('creatorBulkJobs.openResult', key),
      );
      assert.ok(uri, 'Open opens the result');
      assert.strictEqual((await vscode.workspace.openTextDocument(uri)).getText(), content);
      const note = emptyResult === 'headerOnly' ? /only the header row/ : /Zoho sent no file/;
      assert.ok(
        infos.some(
          (m) => m.startsWith(`${REPORT} · batch 1 · 0 records.csv: no records matched;`) && note.test(m),
        ),
        infos.join(' | '),
      );

      const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
      assert.ok(folder, 'a workspace folder is open');
      const expected = path.join(folder, 'exports', `${REPORT}_${job.jobId}.csv`);
      infos.length = 0;
      const saved = await withStubbedPrompt('showInformationMessage', collect, () =>
        vscode.commands.executeCommand<vscode.Uri | undefined>('creatorBulkJobs.saveResult', key),
      );
      assert.strictEqual(saved?.fsPath, expected);
      assert.strictEqual(fs.readFileSync(expected, 'utf8'), content);
      assert.ok(
        infos.some((m) => m.startsWith(`Saved exports/${REPORT}_${job.jobId}.csv: no records matched;`)),
        infos.join(' | '),
      );
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    });
  }
});

// The definitions file as a person edits it (issue 17.5): the three mistakes the JSON shape lets
// through (criteria Zoho refuses, a field the report does not have, an account not signed in) are
// each underlined once, by this extension alone (the JSON schema validates nothing).
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { startSimulator, type Simulator } from '../simulator';
import { exportThroughPalette, openDefinitionsFile, signInThroughPalette } from './flows';
import { e2e, useWorkbench } from './workbench';

const DEFINITIONS = {
  exports: [
    { name: 'Open customers', app: 'zylker-store', report: 'All_Customers', criteria: 'Status = "Open" &&' },
    { name: 'Totals', app: 'zylker-store', report: 'All_Customers', fields: ['ID', 'Totl'] },
    { name: 'EU copy', account: 'Zylker (EU)', app: 'zylker-store', report: 'All_Customers' },
  ],
};

describe('Export definitions in the editor', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({
      throttles: false,
      jobDurationMs: 2000,
      tokenLifetimeSeconds: 30 * 24 * 3600,
    });
  });
  after(async () => {
    await sim?.close();
  });
  const wb = useWorkbench();

  it('knows the columns of All_Customers once it was exported', async () => {
    await wb().openView();
    await signInThroughPalette(wb(), { host: sim.url, owner: 'demo', token: 'demo-token' });
    await wb().waitForNotification(/Signed in to demo/);
    await exportThroughPalette(wb(), 'All_Customers');
    await wb().waitForNotification(/All_Customers exported/, 60_000);
  });

  it('underlines each of the three mistakes once', async () => {
    const { page } = wb();
    await openDefinitionsFile(wb(), DEFINITIONS);
    await wb().runCommand('View: Focus Problems (Errors, Warnings, Infos)');
    const markers = page.locator(
      '.markers-panel .monaco-list-row .marker-message-details, .markers-panel .monaco-list-row .marker-message',
    );
    await markers.first().waitFor();
    // Give a second source (the JSON schema) its chance to add its own before counting.
    await page.waitForTimeout(3000);
    const texts = await page
      .locator('.markers-panel .monaco-list-row[aria-label]')
      .evaluateAll((rows) =>
        rows.map(
          (row) =>
            (row as unknown as { getAttribute(name: string): string | null }).getAttribute('aria-label') ??
            '',
        ),
      );
    console.log(`      screenshot: ${await wb().screenshot('definitions - three mistakes, once each')}`);
    const problems = texts.filter((text) => !/zoho-exports\.json/.test(text) || /Error|Warning/.test(text));
    console.log(`      problems: ${JSON.stringify(problems)}`);
    assert.strictEqual(
      problems.filter((text) => /did you mean "=="/.test(text)).length,
      1,
      'the criteria, once',
    );
    assert.strictEqual(
      problems.filter((text) => /"Totl" is not a column of All_Customers/.test(text)).length,
      1,
      'the field, once',
    );
    assert.strictEqual(
      problems.filter((text) => /No signed-in account is "Zylker \(EU\)"/.test(text)).length,
      1,
      'the account, once',
    );
    assert.strictEqual(problems.length, 3, 'nothing else, nothing twice');
  });

  it("underlines a JSON syntax error once (VS Code's JSON support says it; this extension does not repeat it)", async () => {
    const { page } = wb();
    const file = path.join(e2e.workspace, '.vscode', 'zoho-exports.json');
    fs.writeFileSync(file, `${JSON.stringify(DEFINITIONS, null, 2)}\n}\n`);
    const rows = page.locator('.markers-panel .monaco-list-row[aria-label]');
    const labels = async (): Promise<string[]> =>
      rows.evaluateAll((each) =>
        each.map(
          (row) =>
            (row as unknown as { getAttribute(name: string): string | null }).getAttribute('aria-label') ??
            '',
        ),
      );
    const syntax = (texts: string[]): string[] =>
      texts.filter((text) => /end of file expected|EndOfFileExpected|Not valid JSON/i.test(text));
    await page.waitForFunction(
      "/end of file expected/i.test(document.querySelector('.markers-panel')?.textContent ?? '')",
      undefined,
      { timeout: 30_000 },
    );
    // Give a second source its chance to add its own before counting.
    await page.waitForTimeout(3000);
    const found = syntax(await labels());
    console.log(`      screenshot: ${await wb().screenshot('definitions - a syntax error, once')}`);
    assert.strictEqual(found.length, 1, `once: ${JSON.stringify(found)}`);
  });
});

// Export Whole Report as a person runs it: from the palette, answer the same questions as Create
// Bulk Read Job (the batch size box offers the maximum; 100,000 is typed so All_Orders takes three
// batches) and accept the suggested file. Every batch then runs by itself; the tree shows the export
// with its batches, one notification says it is done, and Open shows the merged CSV.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { startSimulator, type Simulator } from '../simulator';
import { answerInputBox, inputBox, jobsView, signInThroughPalette, setSideBarWidth } from './flows';
import { e2e, useWorkbench } from './workbench';

describe('Export Whole Report', () => {
  let sim: Simulator;
  before(async () => {
    // All 250,000 orders; each batch job takes 3 s of real time on the simulator.
    sim = await startSimulator({
      throttles: false,
      jobDurationMs: 3000,
      tokenLifetimeSeconds: 30 * 24 * 3600,
    });
  });
  after(async () => {
    await sim?.close();
  });
  const wb = useWorkbench();

  before(async () => {
    await wb().page.setViewportSize({ width: 1280, height: 800 });
  });

  it('signs in to the simulator', async () => {
    await wb().openView();
    await signInThroughPalette(wb(), { host: sim.url, owner: 'demo', token: 'demo-token' });
    await wb().waitForNotification(/Signed in to demo/);
  });

  it('asks what Create Bulk Read Job asks, with the largest batch size and a file to write', async () => {
    const { page } = wb();
    await wb().runCommand('Zoho Creator: Export Whole Report');
    await page
      .locator('.quick-input-widget .quick-input-title', { hasText: 'Export Whole Report (1/5)' })
      .waitFor();
    await wb().quickPick('Zylker Store');
    await wb().quickPick('All_Orders');
    await answerInputBox(page, 'Which records to read', '');
    await answerInputBox(page, 'link names separated by commas', '');
    const batch = await inputBox(page, 'Records per batch');
    assert.strictEqual(await batch.inputValue(), '200000', 'the batch size defaults to the maximum');
    await batch.fill('100000');
    await batch.press('Enter');
    const destination = await inputBox(page, /CSV file in/);
    assert.strictEqual(await destination.inputValue(), 'exports/{report}_{date}.csv');
    await destination.press('Enter');
    await wb().waitForNotification(/Exporting All_Orders/);
  });

  it('runs every batch by itself: the export row shows its batches and the records so far', async () => {
    const { page } = wb();
    const view = jobsView(page);
    const exportRow = view.locator('.monaco-list-row', { hasText: 'Export All_Orders' });
    await exportRow.waitFor();
    // The row's text runs label and description together ("Batch 2100,000 records"): match the
    // accessible label, which the tree writes as "Batch 2, <description>, job <id>".
    await view.locator('.monaco-list-row[aria-label^="Batch 2,"]').waitFor({ timeout: 60_000 });
    assert.match((await exportRow.textContent()) ?? '', /running · \d batch(es)? done/);
    await wb()
      .statusBarItem(/1 exporting/)
      .waitFor();
    await setSideBarWidth(page, 520);
    await wb().screenshot('export running in the tree');
  });

  it('says plainly when it is done, and Open shows the one merged CSV', async () => {
    const { page } = wb();
    const toast = await wb().waitForNotification(
      /All_Orders exported: 250,000 records in 3 batches/,
      120_000,
    );
    for (const action of ['Open', 'Reveal in Explorer', 'Save as Definition']) {
      assert.ok(
        await toast.locator('.monaco-button', { hasText: action }).first().isVisible(),
        `offers ${action}`,
      );
    }
    const view = jobsView(page);
    await view
      .locator('.monaco-list-row', { hasText: /Export All_Orders.*250,000 records · 3 batches/ })
      .waitFor();
    await page.mouse.move(900, 400);
    const shot = await wb().screenshot('export completed in the tree');
    if (process.env.CBJ_E2E_EXPORT_SCREENSHOT) {
      fs.copyFileSync(shot, path.resolve(process.env.CBJ_E2E_EXPORT_SCREENSHOT));
    }

    const exportsDir = path.join(e2e.workspace, 'exports');
    const files = fs.readdirSync(exportsDir);
    assert.strictEqual(files.length, 1, `one file, no .part left: ${files.join(', ')}`);
    assert.match(files[0], /^All_Orders_\d{4}-\d{2}-\d{2}\.csv$/);
    const text = fs.readFileSync(path.join(exportsDir, files[0]), 'utf8');
    assert.strictEqual(text.split('ID,Order_No,').length - 1, 1, 'the header appears once');

    await wb().clickNotificationAction(/All_Orders exported/, /^Open$/);
    const tab = page.locator('.tabs-container .tab', { hasText: files[0] });
    await tab.waitFor({ timeout: 60_000 });
    // 250,000 orders are ~70 MB: past the size VS Code opens without asking (a person clicks on).
    const openAnyway = page.locator('.monaco-button', { hasText: 'Open Anyway' });
    const lines = page.locator('.editor-group-container.active .view-lines', { hasText: 'ID,Order_No' });
    await openAnyway.or(lines).first().waitFor({ timeout: 60_000 });
    if (await openAnyway.isVisible()) {
      await openAnyway.click();
    }
    await lines.waitFor({ timeout: 60_000 });
    const [header] = (await wb().activeEditorText()).split('\n');
    assert.match(header, /^ID,Order_No,Order_Date,/);
    await wb().screenshot('merged CSV open');
  });
});

// Export Whole Report as a person runs it: from the palette, answer the same questions as Create
// Bulk Read Job (the batch size box offers the maximum; 100,000 is typed so All_Orders takes three
// batches) and accept the suggested file. Every batch then runs by itself; the tree shows the export
// with its batches, one notification says it is done, and Open shows the merged CSV.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { startSimulator, type Simulator } from '../simulator';
import {
  answerInputBox,
  clearNotifications,
  inputBox,
  jobsView,
  quickInputShowing,
  signInThroughPalette,
  setSideBarWidth,
} from './flows';
import { ACTIVITY_LABEL, e2e, expectErrors, useWorkbench } from './workbench';

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

  it('a refused criteria offers Try Again, which reopens the criteria with every answer and the file kept', async () => {
    const { page } = wb();
    expectErrors(/Could not start the export of All_Orders: Invalid criteria .*No_Such_Field/);
    await wb().runCommand('Zoho Creator: Export Whole Report');
    await wb().quickPick('Zylker Store');
    await wb().quickPick('All_Orders');
    await answerInputBox(page, 'Which records to read', 'No_Such_Field == "x"');
    await answerInputBox(page, 'link names separated by commas', 'Email, City');
    const batch = await inputBox(page, 'Records per batch');
    await batch.fill('150000');
    await batch.press('Enter');
    const destination = await inputBox(page, /CSV file in/);
    await destination.fill('exports/retry_{report}.csv');
    await destination.press('Enter');

    const toast = await wb().waitForNotification(/Could not start the export of All_Orders/);
    const message = (await toast.locator('.notification-list-item-message').textContent()) ?? '';
    assert.match(message, /No_Such_Field/, 'the message names the problem');
    await wb().screenshot('export refused criteria');
    await toast.locator('.monaco-button', { hasText: /^Try Again$/ }).click();

    // Back at the criteria (step 3 of 6), which says why it is asked again and keeps what was typed.
    await page
      .locator('.quick-input-widget .quick-input-title', { hasText: 'Export Whole Report (3/6)' })
      .waitFor();
    const criteria = await inputBox(page, 'No_Such_Field');
    assert.strictEqual(await criteria.inputValue(), 'No_Such_Field == "x"', 'the criteria are kept');
    await wb().screenshot('export try again');
    // `criteria` is found by the message naming the field, which goes once the box is cleared: act
    // on the box itself.
    const box = page.locator('.quick-input-widget .quick-input-box input');
    await box.fill('');
    await box.press('Enter');
    const fields = await inputBox(page, 'link names separated by commas');
    assert.strictEqual(await fields.inputValue(), 'Email, City', 'the fields are kept');
    await fields.press('Enter');
    const batchAgain = await inputBox(page, 'Records per batch');
    assert.strictEqual(await batchAgain.inputValue(), '150000', 'the batch size is kept');
    await batchAgain.press('Enter');
    const destinationAgain = await inputBox(page, /CSV file in/);
    assert.strictEqual(
      await destinationAgain.inputValue(),
      'exports/retry_{report}.csv',
      'the file typed before is kept',
    );
    // Nothing was started by the refused attempt; leave without exporting (the next test does).
    await destinationAgain.press('Escape');
    await quickInputShowing(page, /CSV file in/).waitFor({ state: 'hidden' });
    assert.strictEqual(
      await jobsView(page).locator('.monaco-list-row', { hasText: 'Export All_Orders' }).count(),
      0,
      'the refused export left no row',
    );
    await clearNotifications(wb());
  });

  it('asks what Create Bulk Read Job asks, with the largest batch size and a file to write', async () => {
    const { page } = wb();
    await wb().runCommand('Zoho Creator: Export Whole Report');
    await page
      .locator('.quick-input-widget .quick-input-title', { hasText: 'Export Whole Report (1/6)' })
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
    // accessible label, which the tree writes as "Batch 2 of All_Orders, <description>, job <id>".
    await view.locator('.monaco-list-row[aria-label^="Batch 2 of All_Orders,"]').waitFor({ timeout: 60_000 });
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
    // One result is ready: the merged file (its three batches are parts of it, not results).
    const badge = page
      .locator('.activitybar .action-item', {
        has: page.locator(`a.action-label[aria-label^="${ACTIVITY_LABEL}"]`),
      })
      .locator('.badge-content');
    await badge.filter({ hasText: /^1$/ }).waitFor();
    await wb()
      .statusBarItem(/1 ready/)
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
    // 250,000 orders are ~70 MB: more than VS Code opens in an editor here (50 MB, see
    // EXTENSION_DOCUMENT_LIMIT_BYTES), so its first 10,000 records open at once, read-only, and a
    // message says the size and offers Reveal in Explorer (never VS Code's "very large" dead end).
    const tab = page.locator('.tabs-container .tab', {
      hasText: 'All_Orders export · first 10,000 of 250,000 records.csv',
    });
    await tab.waitFor({ timeout: 60_000 });
    const lines = page.locator('.editor-group-container.active .view-lines', { hasText: 'ID,Order_No' });
    await lines.waitFor({ timeout: 60_000 });
    assert.strictEqual(await page.locator('.monaco-button', { hasText: 'Open Anyway' }).count(), 0);
    const [header] = (await wb().activeEditorText()).split('\n');
    assert.match(header, /^ID,Order_No,Order_Date,/);
    const size = (fs.statSync(path.join(exportsDir, files[0])).size / (1024 * 1024)).toFixed(1);
    const note = await wb().waitForNotification(/first 10,000 of 250,000 records/);
    const said = (await note.locator('.notification-list-item-message').textContent()) ?? '';
    assert.ok(said.includes(`${files[0]} is ${size} MB`), `the size is said: ${said}`);
    assert.ok(await note.locator('.monaco-button', { hasText: 'Reveal in Explorer' }).isVisible());
    await wb().screenshot('merged CSV preview above the limit');
    // Opened: nothing counts as ready any more.
    await badge.waitFor({ state: 'hidden' });
    assert.strictEqual(await wb().statusBarItem(/ready/).count(), 0);
  });
});

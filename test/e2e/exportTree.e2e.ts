// The jobs tree beside Export Whole Report, as a new user meets it: a job of All_Orders, then an
// export of All_Orders. Each batch is one row in one place (once, "Element with id … is already
// registered" emptied the tree), alike rows say what tells them apart, the export row agrees with
// its notification, the Remove Export picker lists the tree's rows in the tree's order and asks
// before removing a running export, and a job's row says how long its next batch can be fetched.
import * as assert from 'assert';
import type { Page } from 'playwright-core';
import { startSimulator } from '../simulator';
import {
  answerInputBox,
  clearNotifications,
  createJobThroughPalette,
  inputBox,
  jobRow,
  jobsView,
  setSideBarWidth,
  signInThroughPalette,
  useSimulator,
} from './flows';
import { useWorkbench, type Workbench } from './workbench';

/** The accessible names of every row of the jobs view, top to bottom. */
async function rowNames(page: Page): Promise<string[]> {
  const rows = jobsView(page).locator('.monaco-list-row');
  return (await rows.evaluateAll((els) =>
    els.map(
      (el) =>
        (el as unknown as { getAttribute(name: string): string | null }).getAttribute('aria-label') ?? '',
    ),
  )) as string[];
}

/** Every job id shown in the tree appears in exactly one row. */
async function assertEachJobOnce(page: Page): Promise<string[]> {
  const ids = (await rowNames(page)).flatMap((name) => /, job (\d+)$/.exec(name)?.[1] ?? []);
  assert.strictEqual(new Set(ids).size, ids.length, `a job shown twice: ${ids.join(', ')}`);
  return ids;
}

/** Export Whole Report of All_Orders in batches of 100,000 (three), to `file` (default: the suggested one). */
async function exportOrders(wb: Workbench, file?: string): Promise<void> {
  const { page } = wb;
  await wb.runCommand('Zoho Creator: Export Whole Report');
  await wb.quickPick('Zylker Store');
  await wb.quickPick('All_Orders');
  await answerInputBox(page, 'Which records to read', '');
  await answerInputBox(page, 'link names separated by commas', '');
  const batch = await inputBox(page, 'Records per batch');
  await batch.fill('100000');
  await batch.press('Enter');
  const destination = await inputBox(page, /CSV file in/);
  if (file) {
    await destination.fill(file);
  }
  await destination.press('Enter');
}

describe('Jobs tree beside Export Whole Report', () => {
  // All 250,000 orders; each batch job takes 3 s of real time.
  const simulator = useSimulator(() =>
    startSimulator({ throttles: false, jobDurationMs: 3000, tokenLifetimeSeconds: 30 * 24 * 3600 }),
  );
  const wb = useWorkbench();
  let firstJob = '';

  it('signs in; a job of All_Orders says on its row how long its next batch can be fetched', async () => {
    const { page } = wb();
    await page.setViewportSize({ width: 1400, height: 900 });
    await wb().openView();
    await setSideBarWidth(page, 640);
    await signInThroughPalette(wb(), { host: simulator().url, owner: 'demo', token: 'demo-token' });
    await wb().waitForNotification(/Signed in to demo/);
    await clearNotifications(wb());
    firstJob = await createJobThroughPalette(wb(), { app: 'Zylker Store', report: 'All_Orders' });
    // 100,000 of 250,000 records: the job completes with a record cursor, good for 15 minutes.
    await jobRow(page, firstJob)
      .filter({ hasText: /100,000 records.*fetch next batch within 1[45] min/ })
      .waitFor({ timeout: 60_000 });
    await wb().screenshot('job row with its cursor time');
  });

  it('then Export Whole Report of All_Orders: each batch is one row, under the export, and nothing breaks', async function () {
    this.timeout(300_000); // three batches, a download each, and a reload
    const { page } = wb();
    await exportOrders(wb());
    const done = await wb().waitForNotification(/All_Orders exported: 250,000 records in 3 batches/, 120_000);
    assert.ok(await done.isVisible());
    const view = jobsView(page);
    // The row agrees with the notification (once it said "running · 0 batches" beside it).
    const exportRow = view.locator('.monaco-list-row', { hasText: 'Export All_Orders' });
    await exportRow.filter({ hasText: /250,000 records · 3 batches/ }).waitFor();
    assert.match(
      (await exportRow.textContent()) ?? '',
      /All_Orders_\d{4}-\d{2}-\d{2}\.csv/,
      'it names its file',
    );
    const ids = await assertEachJobOnce(page);
    assert.strictEqual(ids.length, 4, `the job and the three batches: ${(await rowNames(page)).join(' | ')}`);
    // The export's batches sit under it, the job of All_Orders outside it.
    const names = await rowNames(page);
    assert.deepStrictEqual(
      names.map((name) => name.split(',')[0]),
      [
        'Export All_Orders',
        'Batch 1 of All_Orders',
        'Batch 2 of All_Orders',
        'Batch 3 of All_Orders',
        'All_Orders',
      ],
      names.join(' | '),
    );
    assert.match(names[4], new RegExp(`job ${firstJob}$`));
    await wb().screenshot('export beside a job of its report');
    // Its file opened from the notification (a preview: 69 MB is over what an editor opens).
    await done
      .locator('.monaco-button', { hasText: /^Open$/ })
      .first()
      .click();
    const csvHeader = page.locator('.editor-instance .view-lines', { hasText: 'ID,Order_No' }).first();
    await csvHeader.waitFor();
    // A reload lays the same tree out again, and brings the open tab back with its text: VS Code
    // restores it before the extension would start on its own (onFileSystem:creator-result).
    await wb().reload();
    await wb().openView();
    await jobRow(page, firstJob).waitFor();
    await view.locator('.monaco-list-row[aria-label^="Batch 3 of All_Orders,"]').waitFor();
    await assertEachJobOnce(page);
    // The workbench saves its open editors on its own schedule: a reload soon after opening may
    // come back without the tab (seen once in CI). When it comes back, it must open, not show
    // "The editor could not be opened" as it did before the fix.
    const tab = page.locator('.tabs-container .tab', { hasText: 'All_Orders export' }).first();
    if (
      await tab.waitFor({ timeout: 10_000 }).then(
        () => true,
        () => false,
      )
    ) {
      await csvHeader.waitFor();
      assert.strictEqual(
        await page.locator('.editor-container', { hasText: /could not be opened/ }).count(),
        0,
        'the restored tab opened',
      );
      await wb().screenshot('the export tab after a reload');
    } else {
      console.log('      (the workbench did not keep the tab over this reload: nothing to check)');
    }
  });

  it('alike rows say what tells them apart, and Remove Export lists them in the tree order and asks first', async () => {
    const { page } = wb();
    await clearNotifications(wb());
    const second = await createJobThroughPalette(wb(), { app: 'Zylker Store', report: 'All_Orders' });
    await jobRow(page, second).waitFor();
    // A second export of All_Orders, to another file; it keeps running while the picker is open.
    simulator().switches.jobDurationMs = 10 * 60_000;
    await exportOrders(wb(), 'exports/second_{report}.csv');
    const view = jobsView(page);
    await view.locator('.monaco-list-row', { hasText: 'second_All_Orders.csv' }).waitFor();
    await assertEachJobOnce(page);
    const names = await rowNames(page);
    const labels = names.map((name) => name.split(', ')[0]);
    const exportLabels = labels.filter((label) => label.startsWith('Export All_Orders'));
    assert.strictEqual(exportLabels.length, 2, names.join(' | '));
    assert.notStrictEqual(exportLabels[0], exportLabels[1], 'the two exports are labelled apart');
    assert.match(exportLabels[0], /second_All_Orders\.csv/, 'the newest export on top, named by its file');
    const jobLabels = labels.filter((label) => label.startsWith('All_Orders'));
    assert.strictEqual(jobLabels.length, 2, names.join(' | '));
    assert.notStrictEqual(jobLabels[0], jobLabels[1], 'the two jobs of All_Orders are labelled apart');
    await wb().screenshot('alike rows told apart');

    await wb().runCommand('Zoho Creator: Remove Export from List');
    const picks = page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
    await picks.first().waitFor();
    await picks.filter({ hasText: 'Export All_Orders' }).first().waitFor();
    // The list widget may still hold hidden rows of the last quick pick: read this picker's rows.
    const pickLabels = (await picks.locator('.label-name').allTextContents())
      .map((label) => label.trim())
      .filter((label) => label.startsWith('Export '));
    assert.deepStrictEqual(pickLabels, exportLabels, 'the picker lists the tree rows, in the tree order');
    await wb().screenshot('remove export picker in tree order');
    await picks.first().click();
    // The running export is not removed unasked; the question says which of the two it is.
    const dialog = page.locator('.monaco-dialog-box', {
      hasText: 'Stop exporting All_Orders to second_All_Orders.csv?',
    });
    await dialog.waitFor();
    await wb().screenshot('remove running export asks');
    // With no records yet the answer is "Stop Export", with some "Discard" (commands/exportProgress.ts).
    await dialog.locator('.monaco-button', { hasText: /^(Discard|Stop Export)$/ }).click();
    await view.locator('.monaco-list-row', { hasText: 'second_All_Orders.csv' }).waitFor({ state: 'hidden' });
    await view
      .locator('.monaco-list-row', { hasText: /Export All_Orders.*250,000 records · 3 batches/ })
      .waitFor();
    await assertEachJobOnce(page);
  });
});

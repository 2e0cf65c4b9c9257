// What issue 17 found confusing, as a person meets it: the palette offering job commands with no
// job, Export Whole Report's file step outside the count and without Back, the batch size prompt of
// an export naming Fetch Next Batch, Cancel Export's "Cancel" that meant "keep exporting", and the
// Getting Started walkthrough.
import * as assert from 'assert';
import type { Page } from 'playwright-core';
import { startSimulator, type Simulator } from '../simulator';
import {
  JOB_DURATION_MS,
  answerInputBox,
  inputBox,
  jobsView,
  setSideBarWidth,
  signInThroughPalette,
} from './flows';
import { useWorkbench } from './workbench';

async function waitForTitle(page: Page, text: string): Promise<void> {
  await page.locator('.quick-input-widget .quick-input-title', { hasText: text }).waitFor();
}

/** The labels the palette lists for `>query` (then closes it). */
async function paletteLabels(page: Page, query: string): Promise<string[]> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor();
  await input.fill(`>${query}`);
  const rows = page.locator('.quick-input-widget .quick-input-list .monaco-list-row .label-name');
  await rows.first().waitFor();
  const labels = await rows.allTextContents();
  await input.press('Escape');
  return labels.map((label) => label.trim());
}

/**
 * Every command of the extension the palette may list when signed in with nothing tracked, exactly:
 * a new command without a `when` in package.json's menus.commandPalette fails this test (test/unit/
 * views/commandContexts.test.ts checks the manifest itself).
 */
const LISTED_WITH_NOTHING_TRACKED = [
  'Create Bulk Read Job',
  'Export Whole Report',
  'Run Saved Export',
  'Show Jobs',
  'Show Log',
  'Sign In with Access Token',
  'Sign In with Refresh Token',
  'Sign Out',
  'Track Existing Job',
];

describe('UI flows (issue 17)', () => {
  let sim: Simulator;
  before(async () => {
    // Two batches of 100,000: the first is written while the second is held running.
    sim = await startSimulator({
      throttles: false,
      ordersRows: 150_000,
      tokenLifetimeSeconds: 30 * 24 * 3600,
    });
    sim.switches.jobDurationMs = JOB_DURATION_MS;
  });
  after(async () => {
    await sim?.close();
  });
  const wb = useWorkbench();

  before(async () => {
    await wb().page.setViewportSize({ width: 1280, height: 900 });
  });

  it('with no jobs, the palette lists only the commands that can apply', async () => {
    const { page } = wb();
    await wb().openView();
    await signInThroughPalette(wb(), { host: sim.url, owner: 'demo', token: 'demo-token' });
    await jobsView(page)
      .locator('.welcome-view-content', { hasText: 'No bulk read jobs tracked yet' })
      .waitFor();
    const labels = await paletteLabels(page, 'Zoho Creator: ');
    const listed = labels
      .filter((label) => label.startsWith('Zoho Creator: '))
      .map((label) => label.replace(/^Zoho Creator: /, ''))
      .sort();
    assert.deepStrictEqual(listed, LISTED_WITH_NOTHING_TRACKED, `listed with no jobs: ${listed.join(', ')}`);
    await page.keyboard.press('F1');
    await page.locator('.quick-input-widget input').fill('>Zoho Creator: ');
    await page.locator('.quick-input-widget .quick-input-list .monaco-list-row').first().waitFor();
    await wb().screenshot('palette with no jobs');
    await page.keyboard.press('Escape');
  });

  it('exports step by step: the file is a counted step with Back, the batch size prompt fits an export', async () => {
    const { page } = wb();
    await wb().runCommand('Zoho Creator: Export Whole Report');
    await waitForTitle(page, 'Export Whole Report (1/6)');
    await wb().quickPick('Zylker Store');
    await wb().quickPick('All_Orders');
    await answerInputBox(page, 'Which records to read', '');
    await answerInputBox(page, 'link names separated by commas', '');
    await waitForTitle(page, 'Export Whole Report (5/6)');
    const prompt =
      (await page.locator('.quick-input-widget .quick-input-message').first().textContent()) ?? '';
    assert.match(prompt, /the export creates batches until every record is read/);
    assert.doesNotMatch(prompt, /Fetch Next Batch/);
    const batch = await inputBox(page, 'Records per batch');
    await batch.fill('100000');
    await batch.press('Enter');
    await waitForTitle(page, 'Export Whole Report (6/6)');
    const destination = await inputBox(page, /CSV file in/);
    assert.strictEqual(await destination.inputValue(), 'exports/{report}_{date}.csv');
    await wb().screenshot('export destination step 6 of 6');
    await page.locator('.quick-input-widget .quick-input-left-action-bar .action-label').first().click();
    await waitForTitle(page, 'Export Whole Report (5/6)');
    const batchAgain = await inputBox(page, 'Records per batch');
    assert.strictEqual(await batchAgain.inputValue(), '100000', 'Back keeps the batch size');
    await batchAgain.press('Enter');
    await (await inputBox(page, /CSV file in/)).press('Enter');
    await jobsView(page).locator('.monaco-list-row', { hasText: 'Export All_Orders' }).waitFor();
  });

  it('Cancel Export names its answers by what they do; Continue Export keeps it running, Keep keeps the records', async () => {
    const { page } = wb();
    const view = jobsView(page);
    const exportRow = view.locator('.monaco-list-row', { hasText: 'Export All_Orders' });
    await setSideBarWidth(page, 520);
    // Zoho finishes batch 1; the export writes it and creates batch 2, which stays running.
    sim.clock.advance(JOB_DURATION_MS);
    await exportRow
      .filter({ hasText: /running · 1 batch done · 100,000 records/ })
      .waitFor({ timeout: 120_000 });
    // Any row that ever says "discarded" from now on is remembered (a 20 ms poll in the page).
    await page.evaluate(`(() => {
      window.__cbjDiscarded = '';
      setInterval(() => {
        for (const row of document.querySelectorAll('.monaco-list-row')) {
          if (/discard/i.test(row.textContent || '')) window.__cbjDiscarded = row.textContent;
        }
      }, 20);
    })()`);

    const dialog = page.locator('.monaco-dialog-box');
    const buttons = dialog.locator('.dialog-buttons .monaco-button');
    // The Cancel of the progress notification asks the same question as Cancel Export.
    await wb().clickNotificationAction(/Exporting All_Orders/, /^Cancel$/);
    await dialog.waitFor();
    const titles = (await buttons.allTextContents()).map((t) => t.trim()).sort();
    assert.deepStrictEqual(titles, ['Continue Export', 'Discard', 'Keep 100,000 Records']);
    await wb().screenshot('cancel export dialog');
    await buttons.filter({ hasText: /^Continue Export$/ }).click();
    await dialog.waitFor({ state: 'hidden' });
    assert.match((await exportRow.textContent()) ?? '', /running/, 'Continue Export keeps it running');

    await wb().runCommand('Zoho Creator: Cancel Export');
    await wb().quickPick('All_Orders');
    await dialog.waitFor();
    await buttons.filter({ hasText: /^Keep 100,000 Records$/ }).click();
    await exportRow.filter({ hasText: /cancelled · 100,000 records kept/ }).waitFor({ timeout: 60_000 });
    assert.strictEqual(await page.evaluate<string>('window.__cbjDiscarded'), '', 'never "discarded"');
    await wb().screenshot('export cancelled records kept');
  });

  it('the Getting Started walkthrough opens from the Welcome page, each step with its command and image', async () => {
    const { page } = wb();
    // code-server names VS Code's Help: Get Started "Help: Welcome" (the same Getting Started page).
    await wb().runCommand('Help: Welcome');
    const title = 'Get Started with Zoho Creator Bulk Jobs';
    // It may open on a built-in walkthrough: its "Welcome" link goes back to the list.
    const back = page.locator('.gettingStartedContainer .prev-button');
    const list = page.locator('.gettingStartedContainer .getting-started-category').first();
    await back.or(list).first().waitFor();
    if (await back.isVisible()) {
      await back.click();
    }
    // The list shows a few walkthroughs; "More..." lists them all in a quick pick.
    const entry = page
      .locator('.gettingStartedContainer .getting-started-category', { hasText: title })
      .first();
    const more = page.locator('.gettingStartedContainer .see-all-walkthroughs');
    await entry.or(more).first().waitFor();
    if (await entry.isVisible()) {
      await entry.click();
    } else {
      await more.click();
      await wb().quickPick(title);
    }
    for (const step of [
      'Sign in, or try the simulator',
      'Create a bulk read job',
      'Export a whole report',
      'Save it as a definition',
    ]) {
      await page.locator('.getting-started-step', { hasText: step }).first().waitFor();
    }
    // Each step shows its own illustration (ours, by its alt text).
    await page.locator('.getting-started-step', { hasText: 'Create a bulk read job' }).first().click();
    await page
      .locator('.getting-started-step.expanded .monaco-button', { hasText: 'Create Bulk Read Job' })
      .first()
      .waitFor();
    await page
      .locator('.getting-started-media img[alt^="The report step of Create Bulk Read Job"]')
      .first()
      .waitFor();
    await wb().screenshot('walkthrough');
  });
});

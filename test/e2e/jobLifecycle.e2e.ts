// A person's first session: sign in from the palette (token in a password box), create a job with
// the QuickPicks, watch it run and complete in the tree and the status bar without refreshing, open
// the CSV from the completion notification and save it into the workspace. The tests run in order
// and share one workbench, as one session would. The simulator runs in this process so the job stays
// running while the test looks at it, then completes when the test moves the simulated clock.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import {
  clearNotifications,
  createJobThroughPalette,
  JOB_DURATION_MS,
  jobRow,
  jobsView,
  signInThroughPalette,
  spinner,
  useControlledSimulator,
  setSideBarWidth,
} from './flows';
import { e2e, useWorkbench } from './workbench';

describe('Job lifecycle', () => {
  const sim = useControlledSimulator();
  const wb = useWorkbench();
  let jobId = '';

  before(async () => {
    // The README screenshot size; every screenshot of this file shares it.
    await wb().page.setViewportSize({ width: 1280, height: 800 });
  });

  it('shows the sign-in welcome when the activity bar icon is clicked', async () => {
    const { page } = wb();
    await wb().openView();
    await jobsView(page)
      .locator('.welcome-view-content', { hasText: 'Export large Zoho Creator reports' })
      .waitFor();
    const button = jobsView(page).locator('.welcome-view-content .monaco-button', {
      hasText: 'Sign In with Access Token',
    });
    assert.ok(await button.isVisible(), 'the Sign In with Access Token button is shown');
  });

  it('signs in from the palette with the token typed into a password box', async () => {
    const { page } = wb();
    const type = await signInThroughPalette(wb(), { host: sim().url, owner: 'demo', token: 'demo-token' });
    assert.strictEqual(type, 'password', 'the token box hides what is typed');
    await wb().waitForNotification(/Signed in to demo \(127\.0\.0\.1:\d+\)/);
    const view = jobsView(page);
    await view.locator('.welcome-view-content', { hasText: 'No bulk read jobs tracked yet' }).waitFor();
    assert.strictEqual(
      await view.locator('.welcome-view-content', { hasText: 'Export large Zoho Creator reports' }).count(),
      0,
      'the sign-in welcome is gone',
    );
    assert.ok(
      await view.locator('.monaco-button', { hasText: 'Create Bulk Read Job' }).isVisible(),
      'the view offers Create Bulk Read Job',
    );
    assert.strictEqual(await view.locator('.monaco-list-row').count(), 0, 'no job is listed yet');
  });

  it('creates a job with the QuickPicks: the tree and the status bar show it running', async () => {
    const { page } = wb();
    jobId = await createJobThroughPalette(wb(), { app: 'Zylker Store', report: 'All_Customers' });
    const row = jobRow(page, jobId);
    await row.waitFor();
    await spinner(row).waitFor();
    assert.match((await row.textContent()) ?? '', /running/, 'the row says running');
    const status = wb().statusBarItem(/1 running/);
    await status.waitFor();
    assert.ok(await spinner(status).isVisible(), 'the status bar item spins');
    assert.doesNotMatch((await status.textContent()) ?? '', /ready/, 'nothing is ready yet');
  });

  it('completes without a manual refresh: the row, the status bar and a notification say so', async () => {
    const { page } = wb();
    sim().clock.advance(JOB_DURATION_MS); // Zoho finishes the job; only the extension's polling can notice
    const row = jobRow(page, jobId);
    // Completed, downloaded and ready: the count with the pass icon (while downloading, a cloud icon).
    await row
      .filter({ hasText: '1,000 records' })
      .filter({ has: page.locator('.codicon-pass') })
      .waitFor();
    assert.strictEqual(await spinner(row).count(), 0, 'the row stopped spinning');
    await wb()
      .statusBarItem(/1 ready/)
      .waitFor();
    assert.strictEqual(
      await wb()
        .statusBarItem(/running/)
        .count(),
      0,
      'no job is counted as running',
    );
    const toast = await wb().waitForNotification(/All_Customers: 1,000 records ready to open/);
    const badge = page.locator('.activitybar .action-item', { hasText: '' }).locator('.badge-content', {
      hasText: /^1$/,
    });
    await badge.first().waitFor();
    for (const action of ['Open', 'Save', 'Show in Tree']) {
      assert.ok(
        await toast.locator('.monaco-button', { hasText: new RegExp(`^${action}$`) }).isVisible(),
        `the notification offers ${action}`,
      );
    }
  });

  it('opens the CSV from the notification: the editor starts with the header row', async () => {
    const { page } = wb();
    await wb().clickNotificationAction(/All_Customers: 1,000 records ready/, /^Open$/);
    const tab = page.locator('.tabs-container .tab', {
      hasText: 'All_Customers · batch 1 · 1,000 records.csv',
    });
    await tab.waitFor();
    assert.strictEqual(await tab.getAttribute('aria-selected'), 'true', 'the CSV tab is the active one');
    await page
      .locator('.editor-group-container.active .view-lines', { hasText: 'ID,Customer_Name.first_name' })
      .waitFor();
    const text = await wb().activeEditorText();
    const [header, first] = text.split('\n');
    assert.strictEqual(
      header,
      'ID,Customer_Name.first_name,Customer_Name.last_name,Email,Phone,City,Country,Joined_On,Credit_Limit,Tags',
    );
    assert.match(first, /^\d{19},/, 'the first record starts with its 19-digit ID');
    await page
      .locator('.statusbar-item', { hasText: /^CSV$/ })
      .waitFor()
      .catch(() => undefined); // language mode shown when a CSV extension is present; not required
    // Opened: it no longer counts as ready, in the status bar or on the view's badge.
    await wb().statusBarItem(/ready/).first().waitFor({ state: 'detached' });
    await page
      .locator('.activitybar .badge-content', { hasText: /^1$/ })
      .first()
      .waitFor({ state: 'hidden' });
  });

  it('README screenshot: the tree, the status bar and the CSV editor together', async () => {
    const { page } = wb();
    // A second job, still running, so the picture shows both states and the tree groups by report.
    const running = await createJobThroughPalette(wb(), { app: 'Zylker Store', report: 'All_Orders' });
    await spinner(jobRow(page, running)).waitFor();
    for (const report of ['All_Customers', 'All_Orders']) {
      await jobsView(page).locator('.monaco-list-row', { hasText: report }).waitFor();
    }
    await wb()
      .statusBarItem(/1 running/)
      .waitFor();
    // The default side bar width: rows must read well there (the label is the report, not an id).
    await page.locator('.tabs-container .tab', { hasText: 'All_Customers · batch 1' }).click();
    await clearNotifications(wb());
    await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
    await page.mouse.move(900, 400); // no hover highlight or tooltip in the picture
    const shot = await wb().screenshot('README screenshot');
    if (process.env.CBJ_E2E_README_SCREENSHOT) {
      const target = path.resolve(process.env.CBJ_E2E_README_SCREENSHOT);
      fs.copyFileSync(shot, target);
      console.log(`      README screenshot copied to ${path.relative(process.cwd(), target)}`);
    }
  });

  it('rows stay readable at 250 px: report, count and state before the cut', async () => {
    const { page } = wb();
    await setSideBarWidth(page, 250);
    const row = jobRow(page, jobId);
    const label = row.locator('.label-name');
    const description = row.locator('.label-description');
    assert.strictEqual((await label.textContent())?.trim(), 'Batch 1', 'under its report row: the batch');
    assert.match((await description.textContent()) ?? '', /^1,000 records/);
    // What shows before the ellipsis: the label and the start of the description are on screen.
    const rowBox = await row.boundingBox();
    const labelBox = await label.boundingBox();
    assert.ok(rowBox && labelBox && labelBox.x + labelBox.width < rowBox.x + rowBox.width, 'the label fits');
    await wb().screenshot('rows at 250 px');
    await setSideBarWidth(page, 300);
  });

  it('saves the CSV from the tree row into the workspace: the Explorer lists it', async () => {
    const { page } = wb();
    const row = jobRow(page, jobId);
    await row.hover();
    await row.locator('.action-label[aria-label="Save Result to Workspace"]').click();
    const fileName = `All_Customers_${jobId}.csv`;
    await wb().clickNotificationAction(new RegExp(`Saved exports/${fileName}`), 'Reveal in Explorer');
    const explorer = page.locator('.explorer-folders-view');
    await explorer.locator('.monaco-list-row', { hasText: 'exports' }).waitFor();
    const fileRow = explorer.locator('.monaco-list-row', { hasText: fileName });
    await fileRow.waitFor();
    assert.ok(await fileRow.isVisible(), `${fileName} is listed in the Explorer`);
    const saved = fs.readFileSync(path.join(e2e.workspace, 'exports', fileName), 'utf8');
    assert.match(saved, /^ID,Customer_Name\.first_name,/, 'the saved file is the CSV');
    assert.strictEqual(saved.trimEnd().split('\r\n').length, 1_001, 'header plus 1,000 records');
  });
});

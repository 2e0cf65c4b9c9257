// Accounts as a person meets them: the shipped extension does not offer the simulator until a
// setting asks for it; signed-in accounts appear in VS Code's Accounts menu under "Zoho Creator";
// two accounts work side by side and the tree groups jobs by account.
import * as assert from 'assert';
import { answerInputBox, inputBox, jobsView, signInThroughPalette, useControlledSimulator } from './flows';
import { e2e, useWorkbench } from './workbench';

describe('Accounts', () => {
  const other = useControlledSimulator();
  const wb = useWorkbench();

  before(async () => {
    await wb().page.setViewportSize({ width: 1280, height: 800 });
  });

  it('offers Try the Local Simulator only once the setting enables it', async () => {
    const { page } = wb();
    await wb().openView();
    const welcome = jobsView(page).locator('.welcome-view-content');
    await welcome.locator('.monaco-button', { hasText: 'Sign In with Access Token' }).waitFor();
    assert.strictEqual(
      await welcome.locator('.monaco-button', { hasText: 'Try the Local Simulator' }).count(),
      0,
      'the installed extension does not advertise a simulator it does not ship',
    );
    // As a person would: the Settings editor, the extension's checkbox.
    await wb().runCommand('Preferences: Open User Settings');
    const search = page
      .locator('.settings-editor .suggest-input-container textarea, .settings-editor .search-container input')
      .first();
    await search.waitFor();
    await search.fill('creatorBulkJobs.enableSimulator');
    const checkbox = page.locator('.settings-editor .setting-item-bool .setting-value-checkbox').first();
    await checkbox.waitFor();
    await checkbox.click();
    await wb().runCommand('View: Close All Editors');
    const button = welcome.locator('.monaco-button', { hasText: 'Try the Local Simulator' });
    await button.waitFor();
    await button.click();
    await welcome.filter({ hasText: 'No bulk read jobs tracked yet' }).first().waitFor();
  });

  it('lists the account in the Accounts menu under Zoho Creator', async () => {
    const { page } = wb();
    await page.locator('.activitybar .codicon-accounts-view-bar-icon').first().click();
    const entry = page.locator('.monaco-menu .action-label', {
      hasText: /demo \(127\.0\.0\.1:\d+\).*Zoho Creator/,
    });
    await entry.first().waitFor();
    await wb().screenshot('accounts menu');
    await page.keyboard.press('Escape');
  });

  it('works with two accounts side by side: the job flow asks which, the tree groups by account', async () => {
    const { page } = wb();
    await signInThroughPalette(wb(), { host: other().url, owner: 'demo', token: 'demo-token' });
    // Read the Notifications center, not a toast: VS Code toasts at most 3 notifications per 800 ms
    // and sends the rest only to the center, and this sign-in follows the previous test's closely.
    await wb().runCommand('Notifications: Show Notifications');
    await page
      .locator('.notifications-center .notification-list-item', {
        hasText: new RegExp(`Signed in to demo \\(${new URL(other().url).host}\\)`),
      })
      .first()
      .waitFor();
    await wb().runCommand('Notifications: Hide Notifications');
    for (const url of [other().url, e2e.simulatorUrl]) {
      await wb().runCommand('Zoho Creator: Create Bulk Read Job');
      await page
        .locator('.quick-input-widget .quick-input-title', { hasText: 'Create Bulk Read Job (1/6)' })
        .waitFor();
      await wb().quickPick(new URL(url).host);
      await wb().quickPick('Zylker Store');
      await wb().quickPick('All_Customers');
      await answerInputBox(page, 'Which records to read', '');
      await answerInputBox(page, 'link names separated by commas', '');
      await (await inputBox(page, 'Records per batch')).press('Enter');
      await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
    }
    // Two accounts with jobs: the tree's top level lists the accounts.
    const accountRows = jobsView(page).getByRole('treeitem', {
      name: /^Account demo \(127\.0\.0\.1:\d+\), ok$/,
    });
    await accountRows.nth(1).waitFor();
    assert.strictEqual(await accountRows.count(), 2);
    await wb().screenshot('two accounts');
  });
});

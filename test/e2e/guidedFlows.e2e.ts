// The guided flows as a person meets them: each command is one quick input with a title and a step
// count, Back on every step after the first keeps what was typed, and a refusal (a wrong token, bad
// criteria, an unknown job id) offers Try Again, which reopens the step that was wrong with the
// other answers kept (never the secret). Reports bulk read cannot read are listed but not taken.
import * as assert from 'assert';
import type { Locator, Page } from 'playwright-core';
import { answerInputBox, inputBox, jobRow, jobsView, useControlledSimulator } from './flows';
import { expectErrors, useWorkbench } from './workbench';

/** The quick input's title bar text, e.g. "Create Bulk Read Job (2/5)". */
async function titleOf(page: Page): Promise<string> {
  const title = page.locator('.quick-input-widget .quick-input-title');
  await title.waitFor();
  return ((await title.textContent()) ?? '').trim();
}

async function waitForTitle(page: Page, text: string): Promise<void> {
  await page.locator('.quick-input-widget .quick-input-title', { hasText: text }).waitFor();
}

/** The Back button of the open quick input. */
function backButton(page: Page): Locator {
  return page.locator('.quick-input-widget .quick-input-left-action-bar .action-label').first();
}

async function pressBack(page: Page): Promise<void> {
  await backButton(page).click();
}

describe('Guided flows', () => {
  const sim = useControlledSimulator();
  const wb = useWorkbench();

  before(async () => {
    await wb().page.setViewportSize({ width: 1280, height: 800 });
  });

  it('signs in step by step: plain URL styles, Back keeps the host, a refused token offers Try Again', async () => {
    const { page } = wb();
    expectErrors(/Sign-in to demo .* failed/);
    await wb().openView();
    await wb().runCommand('Zoho Creator: Sign In with Access Token');
    // The total depends on the answer to this step (a custom host adds two): not shown until known,
    // so it never jumps (it used to read 1/3, then 2/5).
    await waitForTitle(page, 'Sign In with Access Token (1)');
    assert.strictEqual(await titleOf(page), 'Sign In with Access Token (1)');
    assert.strictEqual(await backButton(page).count(), 0, 'no Back on the first step');
    const dcRows = page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
    assert.match((await dcRows.first().textContent()) ?? '', /US.*www\.zohoapis\.com.*accounts\.zoho\.com/);
    await wb().quickPick('Custom host');
    await waitForTitle(page, 'Sign In with Access Token (2/5)');
    await answerInputBox(page, 'Base URL of the Creator server', sim().url);

    await waitForTitle(page, 'Sign In with Access Token (3/5)');
    const styles = await page
      .locator('.quick-input-widget .quick-input-list .monaco-list-row')
      .allTextContents();
    assert.ok(
      styles[0].includes(`${sim().url}/creator/v2.1/bulk/`),
      `the first style names the host: ${styles[0]}`,
    );
    assert.match(styles[0], /Recommended/);
    assert.ok(
      styles[1].includes(`${sim().url}/api/bulk/v2.1/`),
      `the second style names the host: ${styles[1]}`,
    );
    await wb().screenshot('guided-sign-in-url-style');

    await pressBack(page);
    await waitForTitle(page, 'Sign In with Access Token (2/5)');
    const host = await inputBox(page, 'Base URL of the Creator server');
    assert.strictEqual(await host.inputValue(), sim().url, 'Back shows the host typed before');
    await host.press('Enter');
    await wb().quickPick(/Recommended/);
    await answerInputBox(page, 'Account owner name', 'demo');

    await waitForTitle(page, 'Sign In with Access Token (5/5)');
    const token = await inputBox(page, /Access token for demo/);
    assert.strictEqual(await token.getAttribute('type'), 'password');
    await token.fill('not-a-token');
    await token.press('Enter');

    const toast = await wb().waitForNotification(/Sign-in to demo .* failed/);
    const message = (await toast.locator('.notification-list-item-message').textContent()) ?? '';
    assert.ok(!message.includes('not-a-token'), 'the message never shows the token');
    await wb().screenshot('guided-sign-in-refused');
    await toast.locator('.monaco-button', { hasText: /^Try Again$/ }).click();

    await waitForTitle(page, 'Sign In with Access Token (5/5)');
    // The box says why it is asked again (in place of its prompt).
    const again = await inputBox(page, /refused that token/);
    assert.strictEqual(await again.inputValue(), '', 'the refused token is not kept');
    await pressBack(page);
    const owner = await inputBox(page, 'Account owner name');
    assert.strictEqual(await owner.inputValue(), 'demo', 'the owner is kept');
    await owner.press('Enter');
    const retry = await inputBox(page, /Access token for demo/);
    await retry.fill('demo-token');
    await retry.press('Enter');
    // Signed in: the view offers the job commands (a toast may already have faded).
    await jobsView(page)
      .locator('.welcome-view-content', { hasText: 'No bulk read jobs tracked yet' })
      .waitFor();
  });

  it('creates a job step by step: counted steps, a pivot report listed but refused, Back keeps criteria', async () => {
    const { page } = wb();
    expectErrors(/Could not create a job for All_Orders/);
    await wb().runCommand('Zoho Creator: Create Bulk Read Job');
    await waitForTitle(page, 'Create Bulk Read Job (1/5)');
    // Typing part of a listed name and pressing Enter takes the listed application: the row that
    // uses the typed text as a link name comes last and is not the active row.
    const filterBox = page.locator('.quick-input-widget .quick-input-box input');
    await page
      .locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: 'Zylker Store' })
      .waitFor();
    await filterBox.fill('Zylker');
    const rows = page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
    await rows.filter({ hasText: 'use "Zylker" as the application link name' }).waitFor();
    const listed = await rows.allTextContents();
    assert.match(listed[0], /Zylker Store/, `the listed match is first: ${listed.join(' | ')}`);
    assert.match(listed[listed.length - 1], /use "Zylker" as the application link name/);
    await wb().screenshot('guided-create-typed-zylker');
    await filterBox.press('Enter');
    await waitForTitle(page, 'Create Bulk Read Job (2/5)');
    await page
      .locator('.quick-input-widget .quick-input-box input[placeholder*="Which report of zylker-store"]')
      .waitFor();
    const pivot = page.locator('.quick-input-widget .quick-input-list .monaco-list-row', {
      hasText: 'Sales Pivot',
    });
    await pivot.waitFor();
    assert.match((await pivot.textContent()) ?? '', /cannot read pivot/, 'the row says why');
    await pivot.click();
    // The pick stays open on the same step and says why the pivot report cannot be read.
    const filter = page.locator('.quick-input-widget .quick-input-box input');
    await page
      .locator('.quick-input-widget .quick-input-box input[placeholder*="Sales Pivot is a pivot report"]')
      .waitFor();
    assert.strictEqual(await titleOf(page), 'Create Bulk Read Job (2/5)');
    await wb().screenshot('guided-create-pivot-refused');
    await filter.fill('All_Orders');
    await wb().quickPick('All_Orders');

    await waitForTitle(page, 'Create Bulk Read Job (3/5)');
    await answerInputBox(page, 'Which records to read', 'No_Such_Field == "x"');
    await waitForTitle(page, 'Create Bulk Read Job (4/5)');
    await pressBack(page);
    const criteria = await inputBox(page, 'Which records to read');
    assert.strictEqual(await criteria.inputValue(), 'No_Such_Field == "x"', 'Back keeps the criteria');
    await criteria.press('Enter');
    await answerInputBox(page, 'link names separated by commas', '');
    await waitForTitle(page, 'Create Bulk Read Job (5/5)');
    await (await inputBox(page, 'Records per batch')).press('Enter');

    const toast = await wb().waitForNotification(/Could not create a job for All_Orders/);
    const message = (await toast.locator('.notification-list-item-message').textContent()) ?? '';
    assert.match(message, /No_Such_Field/, 'the message names the problem');
    await toast.locator('.monaco-button', { hasText: /^Try Again$/ }).click();

    await waitForTitle(page, 'Create Bulk Read Job (3/5)');
    const reopened = await inputBox(page, 'No_Such_Field');
    assert.strictEqual(await reopened.inputValue(), 'No_Such_Field == "x"', 'Try Again keeps the criteria');
    await wb().screenshot('guided-create-try-again');
    await pressBack(page);
    await waitForTitle(page, 'Create Bulk Read Job (2/5)');
    const active = page.locator('.quick-input-widget .quick-input-list .monaco-list-row.focused');
    assert.match((await active.textContent()) ?? '', /All_Orders/, 'the report picked before is highlighted');
    await page.keyboard.press('Enter');
    await answerInputBox(page, 'Which records to read', '');
    await answerInputBox(page, 'link names separated by commas', '');
    await (await inputBox(page, 'Records per batch')).press('Enter');
    const created = /Created bulk read job (\d+) for [^ ]+ \/ All_Orders/;
    await page.locator('.statusbar-item', { hasText: created }).first().waitFor();
  });

  it('tracks an existing job: an unknown id offers Try Again with the id kept', async () => {
    const { page } = wb();
    expectErrors(/Could not track/);
    await wb().runCommand('Notifications: Clear All Notifications');
    await wb().runCommand('Zoho Creator: Track Existing Job');
    await waitForTitle(page, 'Track Existing Job (1/3)');
    await wb().quickPick('Zylker Store');
    await wb().quickPick('All_Customers');
    await waitForTitle(page, 'Track Existing Job (3/3)');
    await inputBox(page, 'The id of a bulk read job');
    // The prompt gives way to validation messages: hold the box itself, not the prompt's widget.
    const box = page.locator('.quick-input-widget .quick-input-box input');
    await box.fill('12ab');
    await page.locator('.quick-input-widget .quick-input-message', { hasText: /digits only/ }).waitFor();
    await box.fill('999999');
    await box.press('Enter');
    const toast = await wb().waitForNotification(/Could not track/);
    const message = (await toast.locator('.notification-list-item-message').textContent()) ?? '';
    assert.strictEqual(message.split('999999').length - 1, 1, `the id is named once: ${message}`);
    await toast.locator('.monaco-button', { hasText: /^Try Again$/ }).click();
    await waitForTitle(page, 'Track Existing Job (3/3)');
    await inputBox(page, 'check the id');
    const again = page.locator('.quick-input-widget .quick-input-box input');
    assert.strictEqual(await again.inputValue(), '999999');

    // The job to track is made outside the extension, as a colleague's script would.
    const outside = await fetch(
      `${sim().url}/creator/v2.1/bulk/demo/zylker-store/report/All_Customers/read`,
      {
        method: 'POST',
        headers: { Authorization: 'Zoho-oauthtoken demo-token', 'Content-Type': 'application/json' },
        body: JSON.stringify({ query: {} }),
      },
    );
    const created = (await outside.json()) as { details?: { id?: string } };
    const id = String(created.details?.id ?? '');
    assert.match(id, /^\d+$/, `the simulator made a job: ${JSON.stringify(created)}`);
    await again.fill(id);
    await again.press('Enter');
    await jobRow(page, id).waitFor();
  });
});

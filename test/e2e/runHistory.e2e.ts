// The run history of a saved export and Compare with Previous Run, as a person meets them (issue
// 20.3, 20.4): a saved export of All_Customers run twice (the second time with wider criteria)
// shows its two runs under its own row, newest first; Compare with Previous Run, from the
// palette, opens the summary as a preview and offers every difference as a CSV.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { startSimulator } from '../simulator';
import {
  clearNotifications,
  jobsView,
  setSideBarWidth,
  showRowHover,
  signInThroughPalette,
  useSimulator,
} from './flows';
import { e2e, useWorkbench, type Workbench } from './workbench';

const NAME = 'Customers backup';

/** Writes the definitions file with `criteria` (the destination keeps each run's file). */
function writeDefinition(criteria: string): void {
  const file = path.join(e2e.workspace, '.vscode', 'zoho-exports.json');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const definition = {
    name: NAME,
    app: 'zylker-store',
    report: 'All_Customers',
    criteria,
    destination: 'history-e2e/{report}_{time}.csv',
  };
  fs.writeFileSync(file, JSON.stringify({ exports: [definition] }, null, 2));
}

async function runSaved(wb: Workbench): Promise<void> {
  await wb.runCommand('Zoho Creator: Run Saved Export');
  await wb.typeIntoInput(NAME);
  await wb.waitForNotification(/All_Customers exported/, 60_000);
  await clearNotifications(wb);
}

describe('Run history and Compare with Previous Run', () => {
  const simulator = useSimulator(() =>
    startSimulator({ throttles: false, jobDurationMs: 1500, tokenLifetimeSeconds: 30 * 24 * 3600 }),
  );
  const wb = useWorkbench();

  it('shows the two runs of a saved export under it, newest first, saying what each read', async () => {
    const { page } = wb();
    await page.setViewportSize({ width: 1400, height: 900 });
    await wb().openView();
    await setSideBarWidth(page, 560);
    await signInThroughPalette(wb(), { host: simulator().url, owner: 'demo', token: 'demo-token' });
    await wb().waitForNotification(/Signed in to demo/);
    await clearNotifications(wb());
    writeDefinition('Credit_Limit < 20000');
    await runSaved(wb());
    writeDefinition('Credit_Limit < 30000');
    await runSaved(wb());

    const row = await wb().waitForTreeItem(NAME);
    await row.click(); // expands it
    const runs = jobsView(page).locator('.monaco-list-row[aria-label^="Run of Customers backup"]');
    await runs.nth(1).waitFor();
    const names = await runs.evaluateAll((els) =>
      els.map((el) =>
        (el as unknown as { getAttribute(name: string): string | null }).getAttribute('aria-label'),
      ),
    );
    assert.equal(names.length, 2, names.join(' | '));
    const records = names.map((name) => Number(/, ([\d,]+) records/.exec(name ?? '')?.[1].replace(/,/g, '')));
    assert.ok(
      records[0] > records[1],
      `newest first, and the wider criteria read more: ${names.join(' | ')}`,
    );
    await showRowHover(page, runs.first(), /Criteria\ssent:\sCredit_Limit\s<\s30000/);
    console.log(`      screenshot: ${await wb().screenshot('run history rows with a run tooltip')}`);
  });

  it('compares the newest run with the one before it: a readable summary, and the differences as CSV', async () => {
    const { page } = wb();
    await page.keyboard.press('Escape');
    await wb().runCommand('Zoho Creator: Compare with Previous Run');
    await wb().typeIntoInput(NAME);
    await wb().waitForNotification(/records differ from the previous run/, 60_000);
    const preview = page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
    await preview.locator('h1', { hasText: /Customers backup/ }).waitFor({ timeout: 30_000 });
    const text = await preview.locator('body').innerText();
    assert.match(text, /\+[\d,]+ added · ~0 changed · −0 removed/);
    assert.match(text, /Added \(first 10 of [\d,]+\)/);
    console.log(`      screenshot: ${await wb().screenshot('compare with previous run summary')}`);
    await wb().clickNotificationAction(/records differ from the previous run/, 'Open Differences (CSV)');
    await page
      .locator('.tab', { hasText: /differences/ })
      .first()
      .waitFor();
    assert.match(await wb().activeEditorText(), /^Change,Changed columns,ID,/);
  });
});

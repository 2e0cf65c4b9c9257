// An incremental definition as a person runs it (issue 20): the "Run export" CodeLens above it runs
// full the first time; the report changes in Creator (the simulator); the same CodeLens then asks
// only for what changed, and the snapshot equals a full export of the report byte for byte once
// both are sorted by ID. Its two runs then show under it in the tree (newest first, saying what
// changed), and Compare with Previous Run opens a summary of the two snapshots and the differences
// as CSV. One file, one workbench: each e2e file's start costs CI time.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { startSimulator, type Simulator } from '../simulator';
import { sortedById } from '../unit/helpers/sortedById';
import {
  clearNotifications,
  jobsView,
  openDefinitionsFile,
  setSideBarWidth,
  showRowHover,
  signInThroughPalette,
} from './flows';
import { e2e, useWorkbench } from './workbench';

const DEFINITIONS = {
  exports: [
    { name: 'Tickets', app: 'help-desk', report: 'All_Tickets', mode: 'incremental' },
    { name: 'Reference', app: 'help-desk', report: 'All_Tickets', destination: 'ref/{report}.csv' },
  ],
};

/** state.json's lastStartedAt once it is past `after` (written just after the snapshot is replaced). */
async function snapshotWritten(after: number): Promise<number> {
  const state = path.join(e2e.workspace, 'exports', 'All_Tickets.csv.runs', 'state.json');
  for (let tries = 0; tries < 600; tries++) {
    try {
      const { lastStartedAt } = JSON.parse(fs.readFileSync(state, 'utf8')) as { lastStartedAt: number };
      if (lastStartedAt > after) {
        return lastStartedAt;
      }
    } catch {
      // not written yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the snapshot was not written');
}

describe('An incremental export in the editor', () => {
  let sim: Simulator;
  before(async () => {
    sim = await startSimulator({ throttles: false, jobDurationMs: 0, tokenLifetimeSeconds: 30 * 24 * 3600 });
  });
  after(async () => {
    await sim?.close();
  });
  const wb = useWorkbench();

  it('runs twice through the CodeLens, the second time only what changed; the snapshot equals a full export', async () => {
    const { page } = wb();
    await page.setViewportSize({ width: 1400, height: 900 });
    await wb().openView();
    await setSideBarWidth(page, 520);
    await signInThroughPalette(wb(), { host: sim.url, owner: 'demo', token: 'demo-token' });
    await wb().waitForNotification(/Signed in to demo/);
    await openDefinitionsFile(wb(), DEFINITIONS);
    const lens = (title: string) => page.locator('.codelens-decoration a', { hasText: title });
    await lens('Run full export').first().waitFor();
    console.log(`      screenshot: ${await wb().screenshot('incremental definition - its CodeLenses')}`);

    await lens('Run export').first().click();
    const first = await snapshotWritten(0);
    // VS Code shows at most three toasts; the next ones go to the notification center unseen.
    await clearNotifications(wb());
    sim.changeReport('help-desk', 'All_Tickets', { seed: 11, added: 4, edited: 6 });
    const creates = sim.requests.length;
    await lens('Run export').first().click();
    await snapshotWritten(first);
    const sent = sim.requests.slice(creates).find((request) => request.method === 'POST');
    assert.match(sent?.body ?? '', /Modified_Time > /, 'the second run asked only for what changed');
    // The toast names the file the user keeps and what changed in it, not the run's own records.
    await wb().waitForNotification(
      /All_Tickets\.csv updated by an incremental run: \+4 added, ~6 changed, −0 removed; it has 304 records \(10 records read in 1 batch\)/,
    );

    await lens('Run export').nth(1).click(); // Reference: a plain full export
    const reference = path.join(e2e.workspace, 'ref', 'All_Tickets.csv');
    for (let tries = 0; tries < 600 && !fs.existsSync(reference); tries++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.strictEqual(
      fs.readFileSync(path.join(e2e.workspace, 'exports', 'All_Tickets.csv'), 'utf8'),
      await sortedById(reference),
    );
  });

  it('shows both runs under the definition, newest first, saying what changed; Compare with Previous Run sums them up', async () => {
    const { page } = wb();
    await clearNotifications(wb());
    const definitionRow = jobsView(page)
      .locator('.monaco-list-row', { has: page.locator('.label-name', { hasText: /^Tickets$/ }) })
      .first();
    await definitionRow.click(); // expands it
    const runs = jobsView(page).locator('.monaco-list-row[aria-label^="Run of Tickets,"]');
    await runs.nth(1).waitFor();
    const names = await runs.evaluateAll((els) =>
      els.map((el) =>
        (el as unknown as { getAttribute(name: string): string | null }).getAttribute('aria-label'),
      ),
    );
    assert.equal(names.length, 2, names.join(' | '));
    assert.match(names[0] ?? '', /^Run of Tickets, \+4 ~6 −0 · /, 'the newest run says what it changed');
    assert.match(
      names[1] ?? '',
      /^Run of Tickets, \+[\d,]+ ~0 −0 · /,
      'the first (full) run added every record',
    );
    await showRowHover(page, runs.first(), /Criteria\ssent:\sModified_Time\s>/);
    console.log(`      screenshot: ${await wb().screenshot('run history rows with a run tooltip')}`);
    await page.keyboard.press('Escape');

    await wb().runCommand('Zoho Creator: Compare with Previous Run');
    await wb().typeIntoInput('Tickets');
    await wb().waitForNotification(/10 records differ from the previous run/, 60_000);
    const preview = page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
    await preview.locator('h1', { hasText: /Tickets/ }).waitFor({ timeout: 30_000 });
    const text = await preview.locator('body').innerText();
    assert.match(text, /\+4 added · ~6 changed · −0 removed/);
    assert.match(text, /Changed \(6\)/);
    console.log(`      screenshot: ${await wb().screenshot('compare with previous run summary')}`);
    await wb().clickNotificationAction(/records differ from the previous run/, 'Open Differences (CSV)');
    await page
      .locator('.tab', { hasText: /differences/ })
      .first()
      .waitFor();
    assert.match(await wb().activeEditorText(), /^Change,Changed columns,ID,/);
  });
});

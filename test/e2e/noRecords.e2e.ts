// Criteria that match nothing, as a person meets them: the job completes with 0 records (not a
// failed download), and Open and Save still give a file and say that no records matched. The
// simulator answers the result request the way Zoho does for such a batch: JSON with code 3000
// and no ZIP.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import {
  createJobThroughPalette,
  JOB_DURATION_MS,
  jobRow,
  signInThroughPalette,
  useControlledSimulator,
  setSideBarWidth,
} from './flows';
import { e2e, useWorkbench } from './workbench';

describe('A job whose criteria match no records', () => {
  const sim = useControlledSimulator();
  before(() => {
    sim().switches.emptyResult = 'code3000';
  });
  const wb = useWorkbench();
  let jobId = '';

  before(async () => {
    await wb().page.setViewportSize({ width: 1280, height: 800 });
    await wb().openView();
    await setSideBarWidth(wb().page, 430);
    await signInThroughPalette(wb(), { host: sim().url, owner: 'demo', token: 'demo-token' });
    await wb().waitForNotification(/Signed in to demo/);
  });

  it('accepts Deluge criteria with escaped quotes and completes with 0 records', async () => {
    const { page } = wb();
    jobId = await createJobThroughPalette(wb(), {
      app: 'Zylker Store',
      report: 'All_Customers',
      criteria: 'Country=="Atlantis" || (Email.endsWith("@nowhere") && Tags.contains("\\"VIP\\" (gold)"))',
    });
    sim().clock.advance(JOB_DURATION_MS);
    await jobRow(page, jobId)
      .filter({ hasText: '0 records' })
      .filter({ has: page.locator('.codicon-pass') })
      .waitFor();
    await wb().waitForNotification(/All_Customers completed: no records matched\./);
    await wb()
      .statusBarItem(/1 ready/)
      .waitFor();
    assert.strictEqual(
      await wb()
        .statusBarItem(/failed/)
        .count(),
      0,
      'nothing is counted as failed',
    );
  });

  it('opens an empty CSV and says that no records matched', async () => {
    const { page } = wb();
    await wb().clickNotificationAction(/All_Customers completed: no records matched/, /^Open$/);
    await page
      .locator('.tabs-container .tab', { hasText: 'All_Customers · batch 1 · 0 records.csv' })
      .waitFor();
    await wb().waitForNotification(
      /All_Customers · batch 1 · 0 records\.csv: no records matched; Zoho sent no file/,
    );
    await page.mouse.move(900, 400);
    await wb().screenshot('no records - opened');
  });

  it('saves the empty CSV into the workspace and says so', async () => {
    const { page } = wb();
    const row = jobRow(page, jobId);
    await row.hover();
    await row.locator('.action-label[aria-label="Save Result to Workspace"]').click();
    const fileName = `All_Customers_${jobId}.csv`;
    await wb().waitForNotification(new RegExp(`Saved exports/${fileName}: no records matched;`));
    assert.strictEqual(fs.readFileSync(path.join(e2e.workspace, 'exports', fileName), 'utf8'), '');
    await page.mouse.move(900, 400);
    await wb().screenshot('no records - saved');
  });
});

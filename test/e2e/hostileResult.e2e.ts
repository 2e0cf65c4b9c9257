// What a person sees when the server lies: a completed job whose ZIP holds one record fewer than
// Zoho counted is shown as a failed download (never as ready) and Open Result says both numbers;
// a job whose status is "Cancelled" is shown as exactly that, and not spun forever. The hostile
// server of the fault suite (test/faults) plays Zoho, in this process.
import * as assert from 'assert';
import { csvOf, HostileZoho, json, zipOf } from '../faults/hostileServer';
import {
  assertNoStackTrace,
  clearNotifications,
  createJobThroughPalette,
  jobRow,
  signInThroughPalette,
  setSideBarWidth,
} from './flows';
import { expectErrors, useWorkbench } from './workbench';

const COUNTED = 1000;

describe('Hostile results', () => {
  const server = new HostileZoho();
  let created = 0;
  before(async () => {
    await server.start();
    server.handlers.create = (_req, res) => {
      created++;
      json(res, 200, {
        code: 3000,
        details: { id: `200000001800${created}`, operation: 'read', status: 'In-progress' },
      });
    };
    server.handlers.status = (_req, res, hit) => {
      const first = hit.jobId?.endsWith('1');
      json(res, 200, {
        code: 3000,
        details: first
          ? { id: hit.jobId, operation: 'read', status: 'Completed', result: { count: COUNTED } }
          : { id: hit.jobId, operation: 'read', status: 'Cancelled' },
      });
    };
    const zip = await zipOf([['All_Orders.csv', csvOf(COUNTED - 1)]]);
    server.handlers.download = (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/zip' });
      res.end(zip);
    };
  });
  after(async () => {
    await server.stop();
  });
  const wb = useWorkbench();

  it('shows a result with fewer records than Zoho counted as a failed download, never as ready', async () => {
    const { page } = wb();
    await page.setViewportSize({ width: 1280, height: 800 });
    await wb().openView();
    await setSideBarWidth(page, 560); // wide enough to read a row's description in the screenshots
    await signInThroughPalette(wb(), { host: server.url, owner: 'jason18', token: 'e2e-hostile-token' });
    await wb().waitForNotification(/Signed in to jason18/);
    await clearNotifications(wb());
    expectErrors(/holds 999 records but Zoho counted 1000/);
    const jobId = await createJobThroughPalette(wb(), { app: 'Zylker', report: 'All_Orders' });
    const row = jobRow(page, jobId);
    await row.filter({ hasText: 'download failed' }).waitFor({ timeout: 30_000 });
    assert.ok(await row.filter({ hasText: '1,000 records' }).isVisible(), 'the row keeps what Zoho counted');
    await wb()
      .statusBarItem(/1 failed/)
      .waitFor();
    assert.strictEqual(await wb().statusBarItem(/ready/).count(), 0, 'the status bar calls nothing ready');
    await wb().screenshot('hostile-count-mismatch-row');
  });

  it('Open Result says both numbers and opens nothing', async () => {
    const { page } = wb();
    await clearNotifications(wb());
    expectErrors(/holds 999 records but Zoho counted 1000/);
    await wb().runCommand('Zoho Creator: Open Result');
    await wb().quickPick('2000000018001');
    const toast = await wb().waitForNotification(/holds 999 records but Zoho counted 1000/);
    const text = (await toast.locator('.notification-list-item-message').textContent()) ?? '';
    assertNoStackTrace(text);
    assert.match(text, /it was not kept/);
    // The row goes back to "download failed" and the progress toast closes.
    await jobRow(page, '2000000018001').filter({ hasText: 'download failed' }).waitFor();
    await page
      .locator('.notification-toast', { hasText: 'Downloading All_Orders' })
      .waitFor({ state: 'hidden' });
    await wb().screenshot('hostile-count-mismatch-open');
    assert.strictEqual(
      await page.locator('.editor-group-container .tab', { hasText: '.csv' }).count(),
      0,
      'no CSV tab',
    );
  });

  it('shows a "Cancelled" status as what it is, with a question mark, and asks only at the slowest pace', async () => {
    const { page } = wb();
    await clearNotifications(wb());
    await createJobThroughPalette(wb(), { app: 'Zylker', report: 'All_Orders' });
    // The status bar may still name the first job: the server's counter names this one.
    for (let waited = 0; created < 2 && waited < 30_000; waited += 100) {
      await page.waitForTimeout(100);
    }
    const jobId = `200000001800${created}`;
    const row = jobRow(page, jobId);
    await row.filter({ hasText: 'Zoho status "Cancelled"' }).waitFor({ timeout: 30_000 });
    assert.ok(await row.locator('.codicon-question').isVisible(), 'a question-mark icon, not a spinner');
    const polls = server.requests.filter((r) => r.route === 'status' && r.url.endsWith(jobId)).length;
    // Three poll intervals of the e2e settings (1 s), inside one wait of the slowest pace (5 s): an
    // unknown status is checked only at that pace (src/jobs/pollPolicy.ts), not at a running job's.
    await page.waitForTimeout(3000);
    const after = server.requests.filter((r) => r.route === 'status' && r.url.endsWith(jobId)).length;
    assert.ok(
      after - polls <= 1,
      `at most one check at the slowest pace, not one a second (${after - polls})`,
    );
    await wb().screenshot('hostile-cancelled-status');
  });
});

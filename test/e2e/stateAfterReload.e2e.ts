// What is left after a reload and after signing out, as a person sees it (issue 17.8): an export
// running across a Reload Window shows its progress notification with Cancel again at once; the
// view names the account you are signed in as; signing out of the last account brings the welcome
// back, with no export or job left behind and no notification about them afterwards.
import * as assert from 'assert';
import {
  createJobThroughPalette,
  exportThroughPalette,
  JOB_DURATION_MS,
  jobsView,
  signInThroughPalette,
  useControlledSimulator,
  setSideBarWidth,
} from './flows';
import { useWorkbench } from './workbench';

/**
 * Records, from the page's first moment, every welcome text the jobs view shows (in
 * window.__cbjWelcomes): a welcome shown for a frame is seen too (a MutationObserver sees every
 * change, a poll would not).
 */
const WATCH_WELCOME = `(() => {
  window.__cbjWelcomes = [];
  const scan = () => {
    for (const pane of document.querySelectorAll('.pane')) {
      const header = pane.querySelector('.pane-header');
      if (!header || !/Bulk Read Jobs/i.test(header.textContent ?? '')) continue;
      for (const welcome of pane.querySelectorAll('.welcome-view-content')) {
        const text = (welcome.textContent ?? '').trim();
        if (text && welcome.getClientRects().length > 0 && !window.__cbjWelcomes.includes(text)) {
          window.__cbjWelcomes.push(text);
        }
      }
    }
  };
  new MutationObserver(scan).observe(document, { subtree: true, childList: true, attributes: true });
})()`;

describe('State after reload and sign-out', () => {
  const simulator = useControlledSimulator();
  const wb = useWorkbench();

  it('the view says who you are signed in as', async () => {
    const sim = simulator();
    await wb().openView();
    await setSideBarWidth(wb().page, 520);
    await signInThroughPalette(wb(), { host: sim.url, owner: 'demo', token: 'demo-token' });
    await wb().waitForNotification(/Signed in to demo/);
    // The container's title bar shows the view's title (a lone view's own header is hidden).
    await wb()
      .page.locator('.part.sidebar .composite.title', {
        hasText: /Bulk Read Jobs · demo \(127\.0\.0\.1:\d+\)/,
      })
      .first()
      .waitFor();
    console.log(`      screenshot: ${await wb().screenshot('signed in as demo')}`);
  });

  it('after Reload Window mid-export, the progress notification with Cancel comes back at once', async () => {
    await exportThroughPalette(wb(), 'All_Orders');
    await wb().waitForNotification(/Exporting All_Orders/);

    await wb().context.addInitScript(WATCH_WELCOME);
    await wb().reload();
    await wb().openView();
    // Promptly: within the time the workbench takes to show anything, not after a lease lapses.
    const toast = await wb().waitForNotification(/Exporting All_Orders/, 15_000);
    await toast.locator('.monaco-button', { hasText: 'Cancel' }).first().waitFor({ timeout: 5000 });
    await jobsView(wb().page)
      .getByRole('treeitem', { name: /Export All_Orders/ })
      .first()
      .waitFor();
    console.log(`      screenshot: ${await wb().screenshot('export progress after reload')}`);
    // Until the rows came, the view said nothing untrue: no "sign in", no "no jobs tracked yet".
    const welcomes = await wb().page.evaluate('window.__cbjWelcomes');
    assert.deepStrictEqual(welcomes, [], 'no welcome shown while the running export was being listed');
  });

  it('signing out of the last account brings the welcome back; nothing of it is left, no toast after a check', async () => {
    const sim = simulator();
    const { page } = wb();
    await wb().runCommand('Zoho Creator: Sign Out');
    await page.locator('.monaco-dialog-box .monaco-button', { hasText: /^Sign Out$/ }).click();
    await wb().waitForNotification(/Signed out of demo/);
    await jobsView(page)
      .locator('.welcome-view-content', { hasText: 'Sign In with Access Token' })
      .first()
      .waitFor({ timeout: 15_000 });
    assert.strictEqual(await jobsView(page).getByRole('treeitem').count(), 0, 'no export or job row left');
    console.log(`      screenshot: ${await wb().screenshot('signed out - the welcome is back')}`);
    // The export's batch would have finished now: nobody may hear about it. Waiting proves nothing
    // (no check happens in a fixed time), so make one happen: sign in again, start a job and Refresh
    // All Jobs, which checks every tracked job now; the new job's toast says the check was made and
    // announced, and a job of the signed-out account left tracked would have been checked with it.
    sim.clock.advance(JOB_DURATION_MS);
    await signInThroughPalette(wb(), { host: sim.url, owner: 'demo', token: 'demo-token' });
    await wb().waitForNotification(/Signed in to demo/);
    await createJobThroughPalette(wb(), { app: 'Zylker Store', report: 'All_Customers' });
    sim.clock.advance(JOB_DURATION_MS);
    await wb().runCommand('Zoho Creator: Refresh All Jobs');
    await wb().waitForNotification(/All_Customers: [\d,]+ records ready to open/, 60_000);
    const stale = await page
      .locator('.notifications-toasts .notification-toast', { hasText: /All_Orders|exported/ })
      .count();
    console.log(`      screenshot: ${await wb().screenshot('signed out - no stale toast after a check')}`);
    assert.strictEqual(stale, 0, 'no toast about the signed-out account');
  });
});

// Two workbench windows on one VS Code server: two extension hosts over the same global storage,
// as when a person opens a second window. Both show the same jobs; one polls and notifies; when it
// closes, the other takes over by itself.
import * as assert from 'assert';
import type { Page } from 'playwright-core';
import {
  createJobThroughPalette,
  JOB_DURATION_MS,
  jobRow,
  jobsView,
  signInThroughPalette,
  spinner,
  useControlledSimulator,
} from './flows';
import { openAnotherWindow, useWorkbench, type Workbench } from './workbench';

const COMPLETED = /job \d+ completed/;

function completedToasts(page: Page): Promise<number> {
  return page.locator('.notifications-toasts .notification-toast', { hasText: COMPLETED }).count();
}

describe('Two windows', () => {
  const simulator = useControlledSimulator();
  const wb = useWorkbench();
  let second: Workbench;
  let jobId = '';

  it('a job created in one window shows up in the other, running', async () => {
    const sim = simulator();
    await wb().openView();
    await signInThroughPalette(wb(), { host: sim.url, owner: 'demo', token: 'demo-token' });
    await wb().waitForNotification(/Signed in to demo/);
    second = await openAnotherWindow(wb());
    await second.openView();
    jobId = await createJobThroughPalette(wb(), { app: 'Zylker Store', report: 'All_Customers' });

    await spinner(jobRow(second.page, jobId)).waitFor();
    // The hover says when the job was checked and when it will be (or that the other window polls).
    for (const window of [wb(), second]) {
      await window.page.bringToFront();
      const row = jobRow(window.page, jobId);
      await row.hover();
      await row
        .locator('.label-name')
        .first()
        .hover({ position: { x: 5, y: 5 } });
      await window.page
        .locator('.monaco-hover, .workbench-hover-container, .custom-hover', { hasText: /Next check/ })
        .first()
        .waitFor({ timeout: 10_000 });
      console.log(
        `      screenshot: ${await window.screenshot(`two windows - hover in ${window === second ? 'the second' : 'the first'}`)}`,
      );
      await window.page.mouse.move(900, 400);
    }
    console.log(
      `      screenshot: ${await second.screenshot('two windows - the second sees the running job')}`,
    );
  });

  it('when it completes, both windows show it completed and exactly one of them notifies', async () => {
    const sim = simulator();
    const before = sim.requests.filter((r) => r.path.endsWith('/result')).length;
    sim.clock.advance(JOB_DURATION_MS);
    for (const page of [wb().page, second.page]) {
      await jobRow(page, jobId)
        .filter({ hasText: '1,000 records' })
        .filter({ has: page.locator('.codicon-pass') })
        .waitFor();
    }
    // Give a second notification every chance to appear before counting.
    await wb().page.waitForTimeout(3000);
    const toasts = (await completedToasts(wb().page)) + (await completedToasts(second.page));
    console.log(
      `      screenshot: ${await second.screenshot('two windows - the second shows it completed')}`,
    );
    assert.strictEqual(toasts, 1, 'one notification across the two windows');
    assert.strictEqual(
      sim.requests.filter((r) => r.path.endsWith('/result')).length - before,
      1,
      'the result is downloaded once',
    );
  });

  it('when the polling window closes, the other one polls and notifies by itself', async () => {
    const sim = simulator();
    const firstPolled = (await completedToasts(wb().page)) === 1;
    // Close whichever window notified (it holds the lease); keep the other.
    const keep = firstPolled ? second : wb();
    if (firstPolled) {
      await wb().page.goto('about:blank'); // the first window and its extension host go away
    } else {
      await second.close();
    }
    await keep.page.bringToFront();
    const fresh = await createJobThroughPalette(keep, { app: 'Zylker Store', report: 'All_Orders' });
    await spinner(jobRow(keep.page, fresh)).waitFor();
    sim.clock.advance(JOB_DURATION_MS);
    await keep.waitForNotification(new RegExp(`job ${fresh} completed`), 60_000);
    assert.ok(
      await jobsView(keep.page)
        .locator('.monaco-list-row', { hasText: `#${jobId}` })
        .isVisible(),
    );
    console.log(`      screenshot: ${await keep.screenshot('two windows - the survivor notifies')}`);
    if (!firstPolled) {
      await second.close().catch(() => undefined);
    }
  });
});

// A token that worked and then expires while a job is being tracked: the person sees one message
// that says what to do (sign in again) with a button for it, never a stack trace. "Sign In Again"
// asks only for the new token, and tracking picks up again without a manual refresh. The simulator
// runs in this process so the test can expire the token and finish the job when it chooses.
import * as assert from 'assert';
import {
  assertNoStackTrace,
  clearNotifications,
  createJobThroughPalette,
  JOB_DURATION_MS,
  jobRow,
  jobsView,
  signInThroughPalette,
  spinner,
  useControlledSimulator,
  typeToken,
} from './flows';
import { expectErrors, useWorkbench } from './workbench';

const FIRST_TOKEN = 'e2e-token-1';
const SECOND_TOKEN = 'e2e-token-2';

describe('Expired token', () => {
  const sim = useControlledSimulator();
  before(() => {
    sim().addAccessToken(FIRST_TOKEN);
  });
  const wb = useWorkbench();
  let jobId = '';

  it('tracks a running job for a signed-in account', async () => {
    const { page } = wb();
    await wb().openView();
    await signInThroughPalette(wb(), { host: sim().url, owner: 'demo', token: FIRST_TOKEN });
    await wb().waitForNotification(/Signed in to demo/);
    jobId = await createJobThroughPalette(wb(), { app: 'Zylker Store', report: 'All_Customers' });
    await spinner(jobRow(page, jobId)).waitFor();
    await clearNotifications(wb());
  });

  it('says the token was rejected and offers Sign In Again, without a stack trace', async () => {
    expectErrors(/access token was rejected/);
    sim().expireAccessToken(FIRST_TOKEN); // the next status check answers 401/1030
    const toast = await wb().waitForNotification(/access token was rejected/);
    const text = (await toast.locator('.notification-list-item-message').textContent()) ?? '';
    assert.match(text, /demo \(127\.0\.0\.1:\d+\)/, 'the message names the account');
    assert.match(text, /until you sign in again/i, 'the message says what to do');
    assertNoStackTrace(text);
    assert.ok(
      await toast.locator('.monaco-button', { hasText: /^Sign In Again$/ }).isVisible(),
      'the message has a Sign In Again button',
    );
    assert.ok(
      await wb().page.locator('.notification-toast .codicon-error').first().isVisible(),
      'it is shown as an error',
    );
  });

  it('Sign In Again asks only for the new token (hidden) and the job then completes by itself', async () => {
    const { page } = wb();
    sim().addAccessToken(SECOND_TOKEN);
    await wb().clickNotificationAction(/access token was rejected/, /^Sign In Again$/);
    const type = await typeToken(page, SECOND_TOKEN);
    assert.strictEqual(type, 'password', 'the token box hides what is typed');
    await wb().waitForNotification(/Signed in to demo/);
    sim().clock.advance(JOB_DURATION_MS);
    await jobRow(page, jobId).filter({ hasText: '1,000 records' }).waitFor({ timeout: 60_000 });
    await wb().waitForNotification(/All_Customers: [\d,]+ records ready to open/);
    const expired = sim().requests.filter((r) => r.authorization?.includes(FIRST_TOKEN)).length;
    assert.ok(expired > 0, 'the first token was used before it expired');
  });

  it('an unknown token at sign-in is refused with a readable message and nothing is stored', async () => {
    const { page } = wb();
    await clearNotifications(wb());
    expectErrors(/Sign-in to other \(127\.0\.0\.1:\d+\) failed/);
    await signInThroughPalette(wb(), { host: sim().url, owner: 'other', token: 'not-a-known-token' });
    const toast = await wb().waitForNotification(/Sign-in to other \(127\.0\.0\.1:\d+\) failed/);
    const text = (await toast.locator('.notification-list-item-message').textContent()) ?? '';
    assert.match(text, /refused the token as invalid or expired\.$/, 'the message says what happened, once');
    assert.ok(
      await toast.locator('.monaco-button', { hasText: /^Try Again$/ }).isVisible(),
      'the next step is a button: Try Again',
    );
    assertNoStackTrace(text);
    // Still one account: no account row for "other" appeared, the job is listed as before.
    await jobRow(page, jobId).waitFor();
    assert.strictEqual(await jobsView(page).locator('.monaco-list-row', { hasText: 'other (' }).count(), 0);
  });
});

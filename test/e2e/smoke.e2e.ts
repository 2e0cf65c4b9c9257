// First look at the installed VSIX in a real workbench: the activity bar entry opens the view and,
// signed out, the welcome content offers the sign-in buttons (declared in package.json, so this holds
// before any extension code runs). Also checks the harness itself: palette and editor helpers work and
// the user settings point at this run's simulator.
import * as assert from 'assert';
import { ACTIVITY_LABEL, e2e, useWorkbench } from './workbench';

describe('Smoke: installed extension in the workbench', () => {
  const wb = useWorkbench();

  it('opens the Creator Bulk Jobs view from the activity bar and shows the sign-in welcome', async () => {
    const { page } = wb();
    const icon = page.locator(`.activitybar .action-item a.action-label[aria-label^="${ACTIVITY_LABEL}"]`);
    await icon.click();
    const view = page.locator('.pane', { has: page.locator('.pane-header', { hasText: /Bulk Read Jobs/i }) });
    await view.waitFor();
    const signIn = view.locator('.welcome-view-content .monaco-button', {
      hasText: 'Sign In with Access Token',
    });
    await signIn.waitFor();
    assert.ok(await signIn.isVisible(), 'the Sign In with Access Token button is visible');
    assert.ok(
      await view
        .locator('.welcome-view-content', { hasText: 'Export large Zoho Creator reports' })
        .isVisible(),
      'the welcome text is shown',
    );
  });

  it('runs a palette command and reads the editor: user settings name the run simulator', async () => {
    await wb().runCommand('Preferences: Open User Settings (JSON)');
    const text = await wb().activeEditorText();
    assert.match(text, /"creatorBulkJobs\.simulatorUrl": "http:\/\/127\.0\.0\.1:\d+"/);
    assert.ok(text.includes(e2e.simulatorUrl), `settings point at ${e2e.simulatorUrl}:\n${text}`);
  });
});

// Helpers for end-to-end tests: drive the real VS Code workbench (code-server in headless chromium) the
// way a person does — palette, quick picks, input boxes, tree, status bar, notifications — and look at
// what is on screen. test/host/run-e2e.js starts the server, the simulator and this file's test run;
// the CBJ_E2E_* variables describe them. Selectors are the ones measured on VS Code 1.100.
//
//   describe('Something', () => {
//     const wb = useWorkbench();
//     it('does it', async () => { await wb().runCommand('Zoho Creator: Show Jobs'); ... });
//   });
import * as fs from 'fs';
import * as path from 'path';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { launchPersistent } from '../host/chromium';
import { describeErrors, ErrorGuard, logFiles, TREE_ROOT_REFRESH_RACE } from './errorGuard';

function env(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: run e2e tests through \`npm run test:e2e\``);
  }
  return value;
}

/** What run-e2e.js set up for this test file. */
export const e2e = {
  get simulatorUrl(): string {
    return env('CBJ_SIMULATOR_URL');
  },
  get workspace(): string {
    return env('CBJ_E2E_WORKSPACE');
  },
  get resultsDir(): string {
    return env('CBJ_E2E_RESULTS_DIR');
  },
};

/** The activity bar entry is labelled with the view container's title. */
export const ACTIVITY_LABEL = 'Creator Bulk Jobs';
const DEFAULT_TIMEOUT = 30_000;

/** The part of a DOM element activeEditorText() reads (this project compiles without the DOM lib). */
interface RenderedLine {
  textContent: string | null;
  style: { top: string };
}

export interface Workbench {
  readonly page: Page;
  readonly context: BrowserContext;
  /** Clicks the activity bar icon unless the view container is already shown. */
  openView(): Promise<void>;
  /** F1, `>title` (e.g. 'Zoho Creator: Create Bulk Read Job'), then the row whose label is exactly title. */
  runCommand(title: string): Promise<void>;
  /** Picks the row of the open quick pick whose label matches (string: contained in the row text). */
  quickPick(label: string | RegExp): Promise<void>;
  /** Types into the open input box (showInputBox, quick pick filter) and presses Enter unless told not to. */
  typeIntoInput(text: string, options?: { submit?: boolean }): Promise<void>;
  /** Waits until a tree row with this accessible name (string: substring) is visible. */
  waitForTreeItem(name: string | RegExp, timeoutMs?: number): Promise<Locator>;
  /** The status bar items whose text matches. */
  statusBarItem(text: RegExp): Locator;
  /** Waits for a notification toast whose text matches. */
  waitForNotification(text: RegExp, timeoutMs?: number): Promise<Locator>;
  /** Clicks a button (e.g. 'Open') on the toast whose text matches. */
  clickNotificationAction(text: RegExp, action: string | RegExp): Promise<void>;
  /** The visible lines of the active text editor, top to bottom. */
  activeEditorText(): Promise<string>;
  /** Saves test-results/e2e/<name>.png and returns its path. */
  screenshot(name: string): Promise<string>;
  /** Reloads the page: a new extension host, same browser profile (so SecretStorage is kept). */
  reload(): Promise<void>;
  close(): Promise<void>;
}

/** Merges keys into the user settings.json (the workbench picks changes up while running). */
export function updateUserSettings(patch: Record<string, unknown>): void {
  const file = env('CBJ_E2E_SETTINGS_FILE');
  const current = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  fs.writeFileSync(file, JSON.stringify({ ...current, ...patch }, null, 2));
}

/** The error guard of the open workbench (see ./errorGuard.ts); one browser at a time per file. */
let guard: ErrorGuard | undefined;

/**
 * The current test shows or logs errors matching these on purpose (a refused token, a hostile
 * server): every other error notification, error dialog or `[error]` log line fails the test.
 */
export function expectErrors(...patterns: RegExp[]): void {
  if (!guard) {
    throw new Error('expectErrors() needs the workbench of useWorkbench()');
  }
  guard.expect(patterns);
}

/** Opens the workbench on the run's workspace and waits until it and the extension's icon are there. */
export async function openWorkbench(): Promise<Workbench> {
  const context = await launchPersistent(env('CBJ_E2E_PROFILE_DIR'));
  guard = new ErrorGuard(env('CBJ_E2E_LOGS_DIR'));
  await guard.install(context);
  return workbenchIn(context, context.pages()[0] ?? (await context.newPage()));
}

/**
 * A second window on the same workspace: another tab of the same browser profile (so it shares
 * SecretStorage), with its own extension host over the same global storage. close() closes the tab.
 */
export async function openAnotherWindow(wb: Workbench): Promise<Workbench> {
  // Its view loads while the other window may change the tree (./errorGuard.ts).
  guard?.expect([TREE_ROOT_REFRESH_RACE]);
  const other = await workbenchIn(wb.context, await wb.context.newPage());
  return { ...other, close: () => other.page.close() };
}

async function workbenchIn(context: BrowserContext, page: Page): Promise<Workbench> {
  page.setDefaultTimeout(DEFAULT_TIMEOUT);
  const activityIcon = page.locator(
    `.activitybar .action-item a.action-label[aria-label^="${ACTIVITY_LABEL}"]`,
  );
  const load = async (): Promise<void> => {
    await page.locator('.monaco-workbench .part.statusbar').waitFor({ timeout: 60_000 });
    await activityIcon.waitFor({ timeout: 60_000 });
  };
  await page.goto(env('CBJ_E2E_WORKBENCH_URL'));
  await load();

  const quickInput = page.locator('.quick-input-widget');
  const rows = quickInput.locator('.quick-input-list .monaco-list-row');
  const toasts = page.locator('.notifications-toasts .notification-toast');

  const wb: Workbench = {
    page,
    context,
    async openView() {
      // A container with one view hides that view's header (class "hidden"): wait for its body.
      const body = page
        .locator('.pane', { has: page.locator('.pane-header[aria-label^="Bulk Read Jobs"]') })
        .locator('.pane-body')
        .first();
      // Clicking the icon toggles: after a reload the workbench may restore the open side bar just
      // after the icon was read as closed, and the click would then close it. So click only while
      // the view is not shown, and look again after each click rather than trust one reading.
      const deadline = Date.now() + DEFAULT_TIMEOUT;
      let forced = false;
      for (;;) {
        if (await body.isVisible()) {
          return;
        }
        const expanded = await activityIcon.getAttribute('aria-expanded');
        const checked = await activityIcon.locator('..').getAttribute('aria-checked');
        if (expanded !== 'true' && checked !== 'true') {
          // Near the top-left corner: the badge ("2 results ready") covers the icon's lower right.
          // A click Playwright cannot deliver (something over the icon just after a reload, seen
          // once in CI) must not spend the whole test's timeout: give up after 5 s, close any
          // hover or menu with Escape, and force the next click through.
          try {
            await activityIcon.click({ position: { x: 6, y: 6 }, timeout: 5000, force: forced });
          } catch {
            await page.keyboard.press('Escape');
            forced = true;
          }
        }
        const left = deadline - Date.now();
        try {
          await body.waitFor({ timeout: Math.max(1000, Math.min(5000, left)) });
          return;
        } catch (err) {
          if (left <= 5000) {
            throw err;
          }
        }
      }
    },
    async runCommand(title) {
      await page.keyboard.press('F1');
      const input = quickInput.locator('input');
      await input.waitFor();
      await input.fill(`>${title}`);
      const row = rows.filter({ has: page.locator('.label-name', { hasText: exactly(title) }) }).first();
      await row.waitFor();
      await row.click();
    },
    async quickPick(label) {
      const row = rows.filter({ hasText: label }).first();
      await row.waitFor();
      await row.click();
    },
    async typeIntoInput(text, options = {}) {
      const input = quickInput.locator('input');
      await input.waitFor();
      await input.fill(text);
      if (options.submit ?? true) {
        await input.press('Enter');
      }
    },
    async waitForTreeItem(name, timeoutMs = DEFAULT_TIMEOUT) {
      const item = page.getByRole('treeitem', { name }).first();
      await item.waitFor({ timeout: timeoutMs });
      return item;
    },
    statusBarItem(text) {
      return page.locator('.statusbar-item').filter({ hasText: text });
    },
    async waitForNotification(text, timeoutMs = DEFAULT_TIMEOUT) {
      const toast = toasts.filter({ hasText: text }).first();
      await toast.waitFor({ timeout: timeoutMs });
      return toast;
    },
    async clickNotificationAction(text, action) {
      const toast = await wb.waitForNotification(text);
      await toast.locator('.monaco-button', { hasText: action }).first().click();
    },
    async activeEditorText() {
      const lines = page.locator('.editor-group-container.active .monaco-editor .view-lines').first();
      await lines.waitFor();
      // Monaco renders only the visible lines, positioned by style.top (DOM order may differ).
      return lines.evaluate((el) =>
        Array.from((el as unknown as { children: ArrayLike<RenderedLine> }).children)
          .map((line) => ({ top: parseFloat(line.style.top) || 0, text: line.textContent ?? '' }))
          .sort((a, b) => a.top - b.top)
          .map((l) => l.text.replace(/\u00a0/g, ' '))
          .join('\n'),
      );
    },
    async screenshot(name) {
      fs.mkdirSync(e2e.resultsDir, { recursive: true });
      const file = path.join(e2e.resultsDir, `${slug(name)}.png`);
      // Toasts fade in: finish CSS transitions so the picture shows what a person sees a moment later.
      await page.screenshot({ path: file, animations: 'disabled' });
      return file;
    },
    async reload() {
      // The extension host of the page being left logs this as its connection goes: VS Code's own
      // line about the old page, nothing a person sees.
      guard?.expect([/Error: Channel has been closed/, /Error: read ECONNRESET/]);
      // The reloaded view loads while a running export may change the tree (./errorGuard.ts).
      guard?.expect([TREE_ROOT_REFRESH_RACE]);
      await page.reload();
      await load();
    },
    async close() {
      await context.close();
    },
  };
  return wb;
}

/**
 * Opens one workbench for the enclosing describe block and closes it after; after every test saves a
 * screenshot named after it, and after a failure also copies the extension's logs next to it. A test
 * fails on any error notification, error dialog or error log line it did not declare (expectErrors).
 */
export function useWorkbench(): () => Workbench {
  let wb: Workbench | undefined;
  before(async function () {
    this.timeout(180_000);
    wb = await openWorkbench();
  });
  afterEach(async function () {
    const test = this.currentTest;
    if (!wb || !test) {
      return;
    }
    const unexpected = guard?.takeUnexpected() ?? [];
    const failed = test.state === 'failed' || unexpected.length > 0;
    // The marker goes after the cut, so a long title still says it failed.
    const name = `${slug(test.fullTitle()).slice(0, 110)}${failed ? '-FAILED' : ''}`;
    const shot = await wb.screenshot(name).catch((error: Error) => `(no screenshot: ${error.message})`);
    console.log(`      screenshot: ${path.relative(process.cwd(), shot)}`);
    if (failed) {
      const copied = copyExtensionLogs(path.join(e2e.resultsDir, `${slug(name)}-logs`));
      console.log(`      extension logs: ${copied.length ? copied.join(', ') : 'none found'}`);
    }
    if (unexpected.length > 0) {
      // A hook failure: mocha reports it against this test and skips the rest of the file, whose
      // steps build on this one.
      throw new Error(`"${test.title}": ${describeErrors(unexpected)}`);
    }
  });
  after(async () => {
    await wb?.close();
    guard = undefined;
  });
  return () => {
    if (!wb) {
      throw new Error('the workbench is not open (did the before hook fail?)');
    }
    return wb;
  };
}

/** Copies the extension's log files and the extension host's log into dir; returns their paths. */
export function copyExtensionLogs(dir: string): string[] {
  const logsDir = env('CBJ_E2E_LOGS_DIR');
  return logFiles(logsDir).map((file) => {
    fs.mkdirSync(dir, { recursive: true });
    const target = path.join(dir, path.relative(logsDir, file).replace(/[\\/]/g, '__'));
    fs.copyFileSync(file, target);
    return path.relative(process.cwd(), target);
  });
}

function slug(text: string): string {
  return text
    .replace(/[^a-zA-Z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 120);
}

function exactly(text: string): RegExp {
  return new RegExp(`^\\s*${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);
}

// What a person does in the workbench, step by step, shared by the e2e files: sign in through the
// palette and the prompts, create a job through the QuickPicks, and find the view's parts on screen.
// Each step waits for its own prompt before typing, so a slow extension host never gets keystrokes
// meant for the next box.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { Locator, Page } from 'playwright-core';
import { startSimulator, type Simulator } from '../simulator';
import { e2e, type Workbench } from './workbench';

/**
 * A simulator in this test process (not the harness's CLI one), so a test can hold a job in the
 * running state for as long as it looks at it and then finish it (clock.advance), or expire a token.
 */
export async function startControlledSimulator(): Promise<Simulator> {
  // Tokens outlive every clock.advance() of a test.
  const sim = await startSimulator({
    throttles: false,
    ordersRows: 5_000,
    tokenLifetimeSeconds: 30 * 24 * 3600,
  });
  // Jobs stay running until the test moves the simulated clock past this.
  sim.switches.jobDurationMs = JOB_DURATION_MS;
  return sim;
}

export const JOB_DURATION_MS = 10 * 60 * 1000;

/** A controlled simulator for the enclosing describe block (started before, closed after). */
export function useControlledSimulator(): () => Simulator {
  return useSimulator(startControlledSimulator);
}

/** A simulator started by `start` for the enclosing describe block (before), closed after. */
export function useSimulator(start: () => Promise<Simulator>): () => Simulator {
  let sim: Simulator | undefined;
  before(async () => {
    sim = await start();
  });
  after(async () => {
    await sim?.close();
  });
  return () => {
    if (!sim) {
      throw new Error('the simulator is not running (did the before hook fail?)');
    }
    return sim;
  };
}

/** The open quick input (QuickPick or InputBox) once it shows this text (prompt, title or a row). */
export function quickInputShowing(page: Page, text: string | RegExp): Locator {
  return page.locator('.quick-input-widget', { hasText: text });
}

/** Waits for the InputBox whose prompt contains `prompt` and returns its text field. */
export async function inputBox(page: Page, prompt: string | RegExp): Promise<Locator> {
  const widget = quickInputShowing(page, prompt);
  await widget.waitFor();
  const input = widget.locator('.quick-input-box input');
  await input.waitFor();
  return input;
}

/** Fills the InputBox with this prompt and presses Enter. */
export async function answerInputBox(page: Page, prompt: string | RegExp, text: string): Promise<void> {
  const input = await inputBox(page, prompt);
  await input.fill(text);
  await input.press('Enter');
  // The next prompt reuses the widget: wait until this one is gone before anyone types again.
  await page.locator('.quick-input-message', { hasText: prompt }).waitFor({ state: 'hidden' });
}

export interface SignIn {
  host: string;
  owner: string;
  token: string;
}

/**
 * F1 > Zoho Creator: Sign In with Access Token > Custom host > URL > the recommended URL style >
 * owner > token. Returns the `type` attribute the token box had while the token was typed into it.
 */
export async function signInThroughPalette(wb: Workbench, { host, owner, token }: SignIn): Promise<string> {
  const { page } = wb;
  await wb.runCommand('Zoho Creator: Sign In with Access Token');
  await wb.quickPick('Custom host');
  await answerInputBox(page, 'Base URL of the Creator server', host);
  await wb.quickPick(/Recommended/);
  await answerInputBox(page, 'Account owner name', owner);
  return typeToken(page, token);
}

/** Types the token into the Access token box (also reached by "Sign In Again"); returns its type. */
export async function typeToken(page: Page, token: string): Promise<string> {
  const input = await inputBox(page, /Access token for/);
  const type = (await input.getAttribute('type')) ?? '(none)';
  await input.fill(token);
  await input.press('Enter');
  return type;
}

/**
 * F1 > Zoho Creator: Create Bulk Read Job > application > report, then the criteria (none unless
 * given) and the defaults for fields and batch size. Returns the job id from the "Created bulk read job" status bar message.
 */
export async function createJobThroughPalette(
  wb: Workbench,
  /** app: its name in the picker; report: its link name (e.g. All_Customers); criteria: typed as is. */
  { app, report, criteria = '' }: { app: string; report: string; criteria?: string },
): Promise<string> {
  const { page } = wb;
  await wb.runCommand('Zoho Creator: Create Bulk Read Job');
  await wb.quickPick(app);
  await wb.quickPick(report);
  await answerInputBox(page, 'Which records to read', criteria);
  await answerInputBox(page, 'link names separated by commas', '');
  const batch = await inputBox(page, 'Records per batch');
  assert.strictEqual(await batch.inputValue(), '100000', 'the batch size box offers the default');
  await batch.press('Enter');
  // The confirmation is a status bar message (no toast to dismiss); it names the new job's id.
  const createdText = new RegExp(`Created bulk read job (\\d+) for [^ ]+ / ${report}\\b`);
  const created = page.locator('.statusbar-item', { hasText: createdText }).first();
  await created.waitFor({ timeout: 30_000 });
  const id = createdText.exec((await created.textContent()) ?? '')?.[1];
  assert.ok(id, 'the status bar message names the job id');
  return id;
}

/** The "Bulk Read Jobs" pane of the side bar. */
/** Export Whole Report of a Zylker Store report with every default answer (one batch of 200,000). */
export async function exportThroughPalette(wb: Workbench, report: string): Promise<void> {
  const { page } = wb;
  await wb.runCommand('Zoho Creator: Export Whole Report');
  await wb.quickPick('Zylker Store');
  await wb.quickPick(report);
  await answerInputBox(page, 'Which records to read', '');
  await answerInputBox(page, 'link names separated by commas', '');
  await answerInputBox(page, 'Records per batch', '200000');
  await (await inputBox(page, /CSV file in/)).press('Enter');
}

export function jobsView(page: Page): Locator {
  return page.locator('.pane', { has: page.locator('.pane-header', { hasText: /Bulk Read Jobs/i }) });
}

/** The tree row of a job: its label is the report or batch; its accessible name ends with the id. */
export function jobRow(page: Page, jobId: string): Locator {
  return jobsView(page).getByRole('treeitem', { name: new RegExp(`job ${jobId}$`) });
}

/** The spinning codicon (`$(sync~spin)`) inside a locator. */
export function spinner(scope: Locator): Locator {
  return scope.locator('.codicon-sync.codicon-modifier-spin');
}

/** Text a person must never see in a message: stack frames and raw error prefixes. */
export function assertNoStackTrace(text: string): void {
  assert.doesNotMatch(
    text,
    /\bat \S+ \(|\bat (async )?[\w.<>]+ \S*:\d+|\n\s+at /,
    `no stack frame in: ${text}`,
  );
  assert.doesNotMatch(text, /\b(Type|Reference|Zoho|Axios)?Error:/, `no "Error:" prefix in: ${text}`);
}

/** Closes every notification, so the next wait sees only new ones. */
export async function clearNotifications(wb: Workbench): Promise<void> {
  await wb.runCommand('Notifications: Clear All Notifications');
  await wb.page.locator('.notifications-toasts .notification-toast').first().waitFor({ state: 'hidden' });
}

/** Drags the side bar's edge so it is about `width` pixels wide. */
export async function setSideBarWidth(page: Page, width: number): Promise<void> {
  const box = await page.locator('.part.sidebar').boundingBox();
  if (!box || Math.abs(box.width - width) < 2) {
    return;
  }
  const edge = box.x + box.width;
  const y = box.y + box.height / 2;
  await page.mouse.move(edge, y);
  await page.mouse.down();
  await page.mouse.move(edge + (width - box.width) / 2, y, { steps: 4 });
  await page.mouse.move(box.x + width, y, { steps: 4 });
  await page.mouse.up();
}

/**
 * Shows a tree row's hover (its tooltip) the way a keyboard user does: the row is focused, then
 * Ctrl+K Ctrl+I (VS Code's `list.showHover`). Not by resting the mouse on it: VS Code shows a
 * hover only after a mouse-over followed by `workbench.hover.delay` without a re-render of the row,
 * and a row re-rendered under a still pointer (a check time written by the polling window) gets no
 * new mouse-over, so its hover never comes (twoWindows timed out that way under load).
 */
export async function showRowHover(page: Page, row: Locator, text: string | RegExp): Promise<Locator> {
  // A click on the label selects and focuses the row (a running job's row has no command to run).
  await row.locator('.label-name').first().click();
  await row.and(page.locator('.focused')).waitFor();
  await page.keyboard.press('Control+K');
  await page.keyboard.press('Control+I');
  const hover = page
    .locator('.monaco-hover, .workbench-hover-container, .custom-hover', { hasText: text })
    .first();
  await hover.waitFor({ timeout: 10_000 });
  return hover;
}

/** Writes the workspace's .vscode/zoho-exports.json and opens it in an editor (Quick Open). */
export async function openDefinitionsFile(wb: Workbench, definitions: unknown): Promise<void> {
  const file = path.join(e2e.workspace, '.vscode', 'zoho-exports.json');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(definitions, null, 2));
  await wb.page.keyboard.press('Control+P');
  await wb.typeIntoInput('zoho-exports.json', { submit: false });
  await wb.quickPick('zoho-exports.json');
  await wb.page.locator('.tab', { hasText: 'zoho-exports.json' }).first().waitFor();
}

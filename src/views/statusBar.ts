// Status bar summary of tracked jobs: "$(sync~spin) 2 running  $(check) 1 ready" (ready = results
// not opened or saved yet), plus the state of a held account (from the account states model).
// Redrawn on job service events only (no polling here).
import * as vscode from 'vscode';
import { Disposable } from '../core/lifecycle';
import type { AccountState } from '../jobs/accountStates';
import type { Services } from '../services';
import { readyCount } from './readyResults';

/** Held accounts named in the tooltip (each is one line); more are counted. */
const MAX_TOOLTIP_HELD = 3;

export class JobsStatusBar extends Disposable {
  private readonly item: vscode.StatusBarItem;
  private shown = false;

  constructor(private readonly services: Services) {
    super();
    this.item = this.register(
      vscode.window.createStatusBarItem('creatorBulkJobs.status', vscode.StatusBarAlignment.Left, 50),
    );
    this.item.name = 'Creator Bulk Jobs';
    this.item.command = 'creatorBulkJobs.showJobs';
    this.register(services.jobs.onDidChangeJob(() => this.render()));
    this.register(services.jobs.accountStates.onDidChange(() => this.render()));
    this.register(services.accounts.onDidChange(() => this.render()));
    this.register(services.exports.onDidChangeExport(() => this.render()));
    this.render();
  }

  get text(): string {
    return this.item.text;
  }

  get tooltip(): string {
    const tooltip = this.item.tooltip;
    return tooltip instanceof vscode.MarkdownString ? tooltip.value : (tooltip ?? '');
  }

  /** What a screen reader announces. */
  get ariaLabel(): string {
    return this.item.accessibilityInformation?.label ?? '';
  }

  get visible(): boolean {
    return this.shown;
  }

  private render(): void {
    if (this.isDisposed) {
      return;
    }
    // An export's batches are counted as the export, not one by one.
    const jobs = this.services.jobs.jobs().filter((job) => !this.services.exports.exportOfJob(job.key));
    const exporting = this.services.exports.exports().filter((run) => run.state === 'running').length;
    // States of signed-out accounts no longer matter to anyone.
    const held = this.services.jobs.accountStates
      .held()
      .filter((state) => this.services.accounts.get(state.accountId));
    const ready = readyCount(this.services);
    if (jobs.length === 0 && held.length === 0 && exporting === 0 && ready === 0) {
      this.item.hide();
      this.shown = false;
      return;
    }
    const isHeld = (accountId: string): boolean => held.some((state) => state.accountId === accountId);
    const runningJobs = jobs.filter((job) => job.state === 'running');
    const waiting = runningJobs.filter((job) => isHeld(job.accountId)).length;
    const running = runningJobs.length - waiting;
    // A completed job whose result failed its checks is not "ready": it counts as failed.
    const failed = jobs.filter(
      (job) => job.state === 'failed' || (job.state === 'completed' && job.download === 'failed'),
    ).length;
    // One list of what is going on, drawn three ways: icons for the eye, words for a screen
    // reader (aria-label; left alone VS Code reads the whole tooltip, codicon names included), and
    // a tooltip of a few lines that says it in full.
    const counts: { icon: string; text: string; long: string }[] = [];
    const add = (n: number, icon: string, text: string, long: string): void => {
      if (n > 0) {
        counts.push({ icon, text: `${n} ${text}`, long: `${n} ${long}` });
      }
    };
    add(exporting, 'cloud-download', 'exporting', `${exporting === 1 ? 'export' : 'exports'} running`);
    add(running, 'sync~spin', 'running', `${running === 1 ? 'job' : 'jobs'} running`);
    add(waiting, 'watch', 'waiting', `${waiting === 1 ? 'job waits' : 'jobs wait'} for a held account`);
    add(ready, 'check', 'ready', `${ready === 1 ? 'result' : 'results'} ready, not opened yet`);
    add(failed, 'error', 'failed', `${failed === 1 ? 'job' : 'jobs'} failed`);
    const heldText =
      held.length === 1 ? held[0].summary : held.length > 1 ? `${held.length} accounts held` : undefined;
    const parts = counts.map((count) => `$(${count.icon}) ${count.text}`);
    if (heldText) {
      const icon =
        held.length === 1 && (held[0].kind === 'needsSignIn' || held[0].kind === 'missingScope')
          ? 'warning'
          : 'debug-pause';
      parts.push(`$(${icon}) ${heldText}`);
    }
    this.item.text = parts.length > 0 ? parts.join('  ') : '$(check) Creator jobs';
    const words = [...counts.map((count) => count.text), ...(heldText ? [heldText] : [])];
    this.item.accessibilityInformation = {
      label: `Creator Bulk Jobs: ${words.length > 0 ? words.join(', ') : 'no jobs need attention'}`,
      role: 'button',
    };
    this.item.backgroundColor =
      held.length > 0 ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.tooltip = this.tooltipFor(counts, held);
    this.item.show();
    this.shown = true;
  }

  /** A few lines: the counts in words, the held accounts, what a click does. */
  private tooltipFor(counts: readonly { long: string }[], held: AccountState[]): vscode.MarkdownString {
    const lines = ['**Creator Bulk Jobs**', ...counts.map((count) => count.long)];
    if (counts.length === 0) {
      lines.push('Nothing running, nothing waiting to be opened.');
    }
    for (const state of held.slice(0, MAX_TOOLTIP_HELD)) {
      const account = this.services.accounts.get(state.accountId)?.label ?? state.accountId;
      lines.push(`${account}: ${state.summary}; its jobs wait`);
    }
    if (held.length > MAX_TOOLTIP_HELD) {
      lines.push(`…and ${held.length - MAX_TOOLTIP_HELD} more accounts held`);
    }
    lines.push('Click to show the jobs and their actions.');
    return new vscode.MarkdownString(lines.join('\n\n'));
  }
}

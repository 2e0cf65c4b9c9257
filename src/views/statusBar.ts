// Status bar summary of tracked jobs: "$(sync~spin) 2 running  $(check) 1 ready" (ready = results
// not opened or saved yet), plus the state of a held account (from the account states model).
// Redrawn on job service events only (no polling here).
import * as vscode from 'vscode';
import { Disposable } from '../host/disposable';
import type { AccountState } from '../jobs/accountStates';
import type { Services } from '../services';
import { formatCount } from './jobDescription';
import { isExportUnopened, isJobReady, readyCount } from './readyResults';

const MAX_TOOLTIP_JOBS = 15;

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
    const parts: string[] = [];
    if (exporting > 0) {
      parts.push(`$(cloud-download) ${exporting} exporting`);
    }
    if (running > 0) {
      parts.push(`$(sync~spin) ${running} running`);
    }
    if (waiting > 0) {
      parts.push(`$(watch) ${waiting} waiting`);
    }
    if (ready > 0) {
      parts.push(`$(check) ${ready} ready`);
    }
    if (failed > 0) {
      parts.push(`$(error) ${failed} failed`);
    }
    if (held.length === 1) {
      parts.push(
        `$(${held[0].kind === 'needsSignIn' || held[0].kind === 'missingScope' ? 'warning' : 'debug-pause'}) ${held[0].summary}`,
      );
    } else if (held.length > 1) {
      parts.push(`$(debug-pause) ${held.length} accounts held`);
    }
    this.item.text = parts.length > 0 ? parts.join('  ') : '$(check) Creator jobs';
    this.item.backgroundColor =
      held.length > 0 ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.tooltip = this.tooltipFor(held);
    this.item.show();
    this.shown = true;
  }

  private tooltipFor(held: AccountState[]): vscode.MarkdownString {
    const icon = {
      running: '$(sync~spin)',
      completed: '$(check)',
      failed: '$(error)',
      unknown: '$(question)',
    } as const;
    const lines = this.services.jobs
      .jobs()
      .sort((a, b) => b.trackedAt - a.trackedAt)
      .slice(0, MAX_TOOLTIP_JOBS)
      .map((job) => {
        const count = job.details?.result?.count;
        const records =
          job.state === 'completed' && count !== undefined ? `, ${formatCount(count)} records` : '';
        const unopened = isJobReady(this.services, job) ? ', not opened yet' : '';
        return `${icon[job.state]} ${job.ref.app} / ${job.ref.report} · batch ${job.batch}: ${job.state}${records}${unopened}`;
      });
    const more = this.services.jobs.jobs().length - lines.length;
    if (more > 0) {
      lines.push(`…and ${more} more`);
    }
    for (const run of this.services.exports.exports().filter(isExportUnopened)) {
      lines.push(
        `$(check) ${run.ref.app} / ${run.ref.report}: exported, ${formatCount(run.records)} records, not opened yet`,
      );
    }
    for (const state of held) {
      const account = this.services.accounts.get(state.accountId)?.label ?? state.accountId;
      lines.push(`$(debug-pause) ${account}: ${state.summary}; its jobs wait`);
    }
    lines.push('', 'Click to show the jobs and their actions.');
    const markdown = new vscode.MarkdownString(lines.join('\n\n'), true);
    return markdown;
  }
}

// Status bar summary of tracked jobs: "$(sync~spin) 2 running  $(check) 1 ready", plus a pause
// note while an account is rate-limited. Redrawn on job service events only (no polling here).
import * as vscode from 'vscode';
import { systemClock, type Clock } from '../core/ports';
import { Disposable } from '../host/disposable';
import type { AccountPause } from '../jobs/serviceApi';
import type { Services } from '../services';
import { clockTime } from '../core/format';
import { formatCount } from './jobDescription';

const MAX_TOOLTIP_JOBS = 15;

export class JobsStatusBar extends Disposable {
  private readonly item: vscode.StatusBarItem;
  private shown = false;

  constructor(
    private readonly services: Services,
    private readonly clock: Clock = systemClock,
  ) {
    super();
    this.item = this.register(
      vscode.window.createStatusBarItem('creatorBulkJobs.status', vscode.StatusBarAlignment.Left, 50),
    );
    this.item.name = 'Creator Bulk Jobs';
    this.item.command = 'creatorBulkJobs.showJobs';
    this.register(services.jobs.onDidChangeJob(() => this.render()));
    this.register(services.jobs.onDidChangePause(() => this.render()));
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
    // Pauses of signed-out accounts no longer matter to anyone.
    const pauses = this.services.jobs
      .pauses()
      .filter((pause) => pause.until > this.clock.now() && this.services.accounts.get(pause.accountId));
    if (jobs.length === 0 && pauses.length === 0 && exporting === 0) {
      this.item.hide();
      this.shown = false;
      return;
    }
    // A completed job whose result failed its checks is not "ready": it counts as failed.
    const downloadFailed = (job: (typeof jobs)[number]): boolean =>
      job.state === 'completed' && job.download === 'failed';
    const count = (matches: (job: (typeof jobs)[number]) => boolean) => jobs.filter(matches).length;
    const running = count((job) => job.state === 'running');
    const ready = count((job) => job.state === 'completed' && !downloadFailed(job));
    const failed = count((job) => job.state === 'failed' || downloadFailed(job));
    const parts: string[] = [];
    if (exporting > 0) {
      parts.push(`$(cloud-download) ${exporting} exporting`);
    }
    if (running > 0) {
      parts.push(`$(sync~spin) ${running} running`);
    }
    if (ready > 0) {
      parts.push(`$(check) ${ready} ready`);
    }
    if (failed > 0) {
      parts.push(`$(error) ${failed} failed`);
    }
    const lastPause = pauses.reduce<AccountPause | undefined>(
      (a, b) => (a && a.until >= b.until ? a : b),
      undefined,
    );
    if (lastPause) {
      parts.push(`$(debug-pause) paused until ${clockTime(lastPause.until)}`);
    }
    this.item.text = parts.join('  ');
    this.item.backgroundColor = lastPause
      ? new vscode.ThemeColor('statusBarItem.warningBackground')
      : undefined;
    this.item.tooltip = this.tooltipFor(pauses);
    this.item.show();
    this.shown = true;
  }

  private tooltipFor(pauses: AccountPause[]): vscode.MarkdownString {
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
        return `${icon[job.state]} ${job.ref.app} / ${job.ref.report} · job ${job.jobId}: ${job.state}${records}`;
      });
    const more = this.services.jobs.jobs().length - lines.length;
    if (more > 0) {
      lines.push(`…and ${more} more`);
    }
    for (const pause of pauses) {
      const account = this.services.accounts.get(pause.accountId)?.label ?? pause.accountId;
      lines.push(`$(debug-pause) ${account}: paused until ${clockTime(pause.until)} (${pause.message})`);
    }
    lines.push('', 'Click to show the jobs and their actions.');
    const markdown = new vscode.MarkdownString(lines.join('\n\n'), true);
    return markdown;
  }
}

// The "Bulk Read Jobs" tree: exports (newest first) with their batches, then account -> report ->
// job, skipping a level that has a single entry. Where each row goes is decided by ./treeShape.ts;
// this provider maps its rows to node objects (./treeNodes.ts), cached by row id and reused, so a job
// or export update refreshes that row. Export rows are ./exportItem.ts, account and report rows
// ./accountRows.ts, job rows here; relative times are re-rendered by ./ageTicker.ts.
import * as vscode from 'vscode';
import { systemClock, type Clock } from '../core/ports';
import { Disposable, Emitter } from '../core/lifecycle';
import type { TrackedJob } from '../jobs/model';
import { isMergedBatch, isMergedJob } from '../exports/model';
import type { Services } from '../services';
import { accountItem, reportItem } from './accountRows';
import { AgeTicker, type TickNeed } from './ageTicker';
import { jobContextValue } from './jobContext';
import { jobDescription } from './jobDescription';
import { isJobReady } from './readyResults';
import { exportItem } from './exportItem';
import { definitionItem, runItem } from './historyItem';
import { runLabel } from './historyText';
import { jobIcon } from './jobIcons';
import { jobTooltip } from './jobTooltip';
import { nodeForRow, type ExportNode, type JobNode, type ReportNode, type TreeNode } from './treeNodes';
import { layoutOf, ROOT, type ReportGroup, type Row, type TreeLayout } from './treeShape';

export type { AccountNode, ExportNode, JobNode, ReportNode, RunNode, TreeNode } from './treeNodes';

export const JOBS_VIEW_ID = 'creatorBulkJobs.jobs';

export class JobsTreeProvider extends Disposable implements vscode.TreeDataProvider<TreeNode> {
  private readonly changeEmitter = this.register(new Emitter<TreeNode | TreeNode[] | undefined>());
  readonly onDidChangeTreeData = this.changeEmitter.event;

  /** Node objects by row id, reused while the row exists (VS Code tells elements apart by object). */
  private readonly nodes = new Map<string, TreeNode>();
  /** Job key -> description last handed to the view, so the age ticker fires only real changes. */
  private readonly rendered = new Map<string, string>();
  /** What each row showed when VS Code last asked for it (see lookOf). */
  private readonly shown = new Map<string, string>();
  private layout: TreeLayout;
  private readonly ticker: AgeTicker;

  constructor(
    private readonly services: Services,
    /** Ages and the ticker run on this clock (tests pass a fake one). */
    private readonly clock: Clock = systemClock,
  ) {
    super();
    this.layout = this.computeLayout();
    this.ticker = new AgeTicker(
      clock,
      () => this.tickNeed(),
      () => this.tick(),
    );
    const { jobs, accounts, exports } = services;
    this.register(exports.onDidChangeExport(({ run }) => this.onExportChanged(run.id)));
    this.register(jobs.onDidChangeJob(({ kind, job }) => this.onJobChanged(kind, job)));
    this.register(jobs.accountStates.onDidChange((state) => this.onAccountStateChanged(state.accountId)));
    if (services.history) {
      // A run recorded (here or in another window): its saved export's row and runs.
      this.register(services.history.onDidChange(() => this.relayout(() => [])));
    }
    this.register(accounts.onDidChange(() => this.refreshRoot()));
    this.register({ dispose: () => this.ticker.stop() });
  }

  // ---- TreeDataProvider ----

  getChildren(element?: TreeNode): TreeNode[] {
    return (this.layout.children.get(element?.id ?? ROOT) ?? []).map((row) => this.nodeOf(row));
  }

  getParent(element: TreeNode): TreeNode | undefined {
    const parentId = this.layout.parents.get(element.id);
    const parent = parentId ? this.rowOf(parentId) : undefined;
    return parent && this.nodeOf(parent);
  }

  getTreeItem(element: TreeNode): vscode.TreeItem {
    const item = this.itemFor(element);
    this.shown.set(element.id, lookOf(item));
    return item;
  }

  private itemFor(element: TreeNode): vscode.TreeItem {
    switch (element.kind) {
      case 'account':
        return accountItem(this.services, element);
      case 'report':
        return reportItem(this.services, element, this.group(element));
      case 'definition':
        return definitionItem(this.services.history, element.id, element.definition);
      case 'run':
        return runItem(this.services.history, element, this.clock.now());
      case 'export': {
        const row = this.row(element);
        const label = row?.kind === 'export' ? row : { id: element.id, label: '', fileInLabel: false };
        return exportItem(this.services.exports.get(element.exportId), label, this.clock.now());
      }
      default:
        return this.jobItem(element);
    }
  }

  /** The tooltip is built on hover only: it is the largest part of a row. */
  resolveTreeItem(item: vscode.TreeItem, element: TreeNode): vscode.TreeItem {
    if (element.kind === 'job') {
      const job = this.services.jobs.get(element.key);
      if (job) {
        const run = this.services.exports.exportOfJob(job.key);
        const mergedInto =
          run && isMergedBatch(run, job.key)
            ? run.state === 'completed'
              ? run.destination
              : `the ${run.state} export's file`
            : undefined;
        item.tooltip = jobTooltip(job, this.clock.now(), this.services.jobs.checkTimes(job.key), mergedInto);
      }
    }
    return item;
  }

  // ---- nodes ----

  /** The node of a job's row, or undefined when the job is not shown (not tracked). */
  jobNode(key: string): JobNode | undefined {
    const row = this.layout.jobRows.get(key);
    return row && (this.nodeOf(row) as JobNode);
  }

  /** The node of an export's row, or undefined when the export is not listed. */
  exportNode(id: string): ExportNode | undefined {
    const row = this.layout.children.get(ROOT)?.find((r) => r.kind === 'export' && r.exportId === id);
    return row && (this.nodeOf(row) as ExportNode);
  }

  private row(node: TreeNode): Row | undefined {
    return this.rowOf(node.id);
  }

  private rowOf(id: string): Row | undefined {
    const parentId = this.layout.parents.get(id);
    return parentId === undefined
      ? undefined
      : this.layout.children.get(parentId)?.find((row) => row.id === id);
  }

  /** The cached node of a row (created on first use). */
  private nodeOf(row: Row): TreeNode {
    let node = this.nodes.get(row.id);
    if (!node) {
      node = nodeForRow(row);
      this.nodes.set(row.id, node);
    }
    return node;
  }

  private group(node: ReportNode): ReportGroup | undefined {
    return this.layout.shape.reports.get(node.accountId)?.find((group) => group.key === node.groupKey);
  }

  // ---- items ----

  private jobItem(node: JobNode): vscode.TreeItem {
    const job = this.services.jobs.get(node.key);
    const row = this.row(node);
    if (!job || row?.kind !== 'job') {
      // Removed between the refresh and this call; the pending parent refresh drops it.
      const gone = new vscode.TreeItem('(no longer tracked)');
      gone.id = node.id;
      return gone;
    }
    const now = this.clock.now();
    const item = new vscode.TreeItem(row.label, vscode.TreeItemCollapsibleState.None);
    item.id = node.id;
    item.description = this.describe(job, now);
    this.rendered.set(job.key, item.description);
    // Screen readers (and tests) hear the job id the row no longer shows, and the report a "Batch 2"
    // row sits under (they hear one row at a time).
    const named = row.label.includes(job.ref.report) ? row.label : `${row.label} of ${job.ref.report}`;
    item.accessibilityInformation = { label: `${named}, ${item.description}, job ${job.jobId}` };
    item.iconPath = jobIcon(job);
    const merged = isMergedJob(this.services.exports, job.key);
    item.contextValue = jobContextValue(job, now, merged);
    if (job.state === 'completed' && !merged) {
      item.command = { command: 'creatorBulkJobs.openResult', title: 'Open Result', arguments: [job.key] };
    }
    return item;
  }

  /** The row's description; a running job of a held account says it is waiting, and why. */
  private describe(job: TrackedJob, now: number): string {
    const state = this.services.jobs.accountStates.get(job.accountId);
    const hold = state.kind === 'ok' ? undefined : state.summary;
    return jobDescription(job, now, hold, isJobReady(this.services, job, now));
  }

  // ---- change handling ----

  private computeLayout(): TreeLayout {
    return layoutOf(this.services, this.clock.now(), runLabel);
  }

  /**
   * Lays the tree out again. When a row was added, removed, moved or relabelled the whole tree is
   * refreshed (rows are few; a partial refresh of a moved row is what once listed it twice);
   * otherwise only `changed` rows are.
   */
  private relayout(changed: () => (TreeNode | undefined)[]): void {
    const before = this.layout.signature;
    this.layout = this.computeLayout();
    if (before !== this.layout.signature) {
      this.pruneNodes();
      this.changeEmitter.fire(undefined);
    } else {
      const nodes = changed().filter((node): node is TreeNode => node !== undefined);
      if (nodes.length > 0) {
        this.changeEmitter.fire(nodes);
      }
    }
    this.ticker.schedule();
  }

  private onExportChanged(id: string): void {
    // Its row, and its batches' rows (merged batches lose their Open and Save), when they look
    // different: a change nobody sees (another window taking the writing over) refreshes nothing.
    // Each refresh of the export's row makes VS Code fetch its batches again, and one that comes
    // while they are still being fetched (the tree just restored after a reload) registers them
    // twice: "Element with id … is already registered".
    this.relayout(() =>
      [
        this.exportNode(id),
        ...(this.layout.children.get(`export:${id}`) ?? []).map((row) => this.nodes.get(row.id)),
      ].filter((node) => node !== undefined && lookOf(this.itemFor(node)) !== this.shown.get(node.id)),
    );
  }

  private onJobChanged(kind: 'added' | 'updated' | 'removed', job: TrackedJob): void {
    if (kind === 'removed') {
      this.rendered.delete(job.key);
    }
    this.relayout(() => [this.jobNode(job.key)]);
  }

  /** The account row and its running jobs' rows (waiting or running) change with its state. */
  private onAccountStateChanged(accountId: string): void {
    const changed: TreeNode[] = [];
    const node = this.nodes.get(`account:${accountId}`);
    if (node && this.layout.shape.showAccounts) {
      changed.push(node);
    }
    for (const job of this.services.jobs.jobs()) {
      const jobNode = this.jobNode(job.key);
      if (jobNode && job.accountId === accountId && job.state === 'running') {
        changed.push(jobNode);
      }
    }
    if (changed.length > 0) {
      this.changeEmitter.fire(changed);
    }
  }

  refreshRoot(): void {
    this.layout = this.computeLayout();
    this.pruneNodes();
    this.changeEmitter.fire(undefined);
  }

  /** Forgets the nodes of rows that are gone, so a row that comes back gets a fresh one. */
  private pruneNodes(): void {
    for (const id of this.nodes.keys()) {
      if (!this.layout.parents.has(id)) {
        this.nodes.delete(id);
        this.shown.delete(id);
      }
    }
  }

  // ---- relative times ----

  /** Ages and running durations are re-rendered only while the view is visible. */
  setVisible(visible: boolean): void {
    this.ticker.setVisible(visible);
  }

  private tickNeed(): TickNeed {
    const jobs = this.services.jobs.jobs();
    const exporting = this.services.exports.exports().some((run) => run.state === 'running');
    if (jobs.length === 0 && !exporting) {
      // A saved export's runs say how long ago they ran ("3 min ago").
      return this.layout.order.some((row) => row.kind === 'run') ? 'idle' : 'none';
    }
    return exporting || jobs.some((job) => job.state === 'running') ? 'running' : 'idle';
  }

  /** Fires only the rows whose description text actually changed. */
  private tick(): void {
    const now = this.clock.now();
    const changed: TreeNode[] = [];
    for (const [key, description] of this.rendered) {
      const job = this.services.jobs.get(key);
      const node = this.jobNode(key);
      if (job && node && this.describe(job, now) !== description) {
        changed.push(node);
      }
    }
    for (const run of this.services.exports.exports()) {
      const node = this.exportNode(run.id);
      if (node && run.state === 'running') {
        changed.push(node); // its elapsed time
      }
    }
    for (const row of this.layout.order) {
      if (row.kind === 'run' && this.shown.has(row.id)) {
        const node = this.nodeOf(row);
        if (lookOf(this.itemFor(node)) !== this.shown.get(row.id)) {
          changed.push(node); // "just now" → "3 min ago"
        }
      }
    }
    if (changed.length > 0) {
      this.changeEmitter.fire(changed);
    }
  }
}

/** What a row shows, as one string: two looks differ exactly when the row needs a refresh. */
function lookOf(item: vscode.TreeItem): string {
  const icon =
    item.iconPath instanceof vscode.ThemeIcon ? [item.iconPath.id, item.iconPath.color?.id] : item.iconPath;
  const tooltip = typeof item.tooltip === 'string' ? item.tooltip : item.tooltip?.value;
  return JSON.stringify([
    item.label,
    item.description,
    item.contextValue,
    icon,
    tooltip,
    item.command?.command,
    item.command?.arguments,
    item.collapsibleState,
    item.accessibilityInformation?.label,
    item.resourceUri?.toString(),
  ]);
}

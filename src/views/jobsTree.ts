// The "Bulk Read Jobs" tree: account -> report -> job, skipping a level that has a single entry.
// Node objects are cached by id and reused, so a job update refreshes exactly that row.
import * as vscode from 'vscode';
import { capitalise } from '../core/format';
import { systemClock, type Clock, type TimerHandle } from '../core/ports';
import { Disposable } from '../host/disposable';
import { jobIdOfKey, type TrackedJob } from '../jobs/model';
import type { AccountStateKind } from '../jobs/accountStates';
import { isMergedJob } from '../exports/model';
import type { Services } from '../services';
import type { Account } from '../zoho/types';
import { jobContextValue } from './jobContext';
import { jobDescription, jobLabel } from './jobDescription';
import { isJobReady, readyCount } from './readyResults';
import { exportItem } from './exportItem';
import { jobIcon } from './jobIcons';
import { jobTooltip } from './jobTooltip';
import { computeShape, jobsOfGroup, reportGroupKey, type ReportGroup, type TreeShape } from './treeShape';

export const JOBS_VIEW_ID = 'creatorBulkJobs.jobs';

export class AccountNode {
  readonly kind = 'account';
  constructor(readonly accountId: string) {}
  get id(): string {
    return `account:${this.accountId}`;
  }
}

export class ReportNode {
  readonly kind = 'report';
  constructor(
    readonly accountId: string,
    readonly groupKey: string,
  ) {}
  get id(): string {
    return `report:${this.groupKey}`;
  }
}

export class JobNode {
  readonly kind = 'job';
  /** The job key; commands accept the node because it exposes `.key`. */
  constructor(readonly key: string) {}
  get id(): string {
    return `job:${this.key}`;
  }
}

export class ExportNode {
  readonly kind = 'export';
  /** Export commands accept the node because it exposes `.exportId`. */
  constructor(readonly exportId: string) {}
  get id(): string {
    return `export:${this.exportId}`;
  }
}

export type TreeNode = AccountNode | ReportNode | JobNode | ExportNode;

const ACCOUNT_ICONS: Record<AccountStateKind, string> = {
  ok: 'account',
  throttled: 'debug-pause',
  dailyLimit: 'debug-pause',
  needsSignIn: 'warning',
  missingScope: 'warning',
};

const RUNNING_TICK_MS = 5_000;
const IDLE_TICK_MS = 60_000;

function hostText(account: Account): string {
  if (account.dataCentre !== 'custom') {
    return account.dataCentre;
  }
  try {
    return new URL(account.customHost ?? '').host;
  } catch {
    return 'custom host';
  }
}

export class JobsTreeProvider extends Disposable implements vscode.TreeDataProvider<TreeNode> {
  private readonly changeEmitter = this.register(
    new vscode.EventEmitter<TreeNode | TreeNode[] | undefined>(),
  );
  readonly onDidChangeTreeData = this.changeEmitter.event;

  private readonly nodes = new Map<string, TreeNode>();
  /** Job key -> description last handed to the view, so the age ticker fires only real changes. */
  private readonly rendered = new Map<string, string>();
  private shape: TreeShape;
  private visible = false;
  private ticker: TimerHandle | undefined;

  constructor(
    private readonly services: Services,
    /** Ages and the ticker run on this clock (tests pass a fake one). */
    private readonly clock: Clock = systemClock,
  ) {
    super();
    this.shape = this.computeShape();
    const { jobs, accounts, exports } = services;
    this.register(exports.onDidChangeExport(({ kind, run }) => this.onExportChanged(kind, run.id)));
    this.register(jobs.onDidChangeJob(({ kind, job }) => this.onJobChanged(kind, job)));
    this.register(jobs.accountStates.onDidChange((state) => this.onAccountStateChanged(state.accountId)));
    this.register(accounts.onDidChange(() => this.refreshRoot()));
    this.register({ dispose: () => this.stopTicker() });
  }

  // ---- TreeDataProvider ----

  getChildren(element?: TreeNode): TreeNode[] {
    if (!element) {
      const exports = this.exportNodes();
      if (this.shape.showAccounts) {
        return [...exports, ...this.shape.accountIds.map((id) => this.accountNode(id))];
      }
      const only = this.shape.accountIds[0];
      return only === undefined ? exports : [...exports, ...this.childrenOfAccount(only)];
    }
    switch (element.kind) {
      case 'export':
        return this.batchNodes(element.exportId);
      case 'account':
        return this.childrenOfAccount(element.accountId);
      case 'report':
        return this.jobNodes(element.groupKey);
      default:
        return [];
    }
  }

  getParent(element: TreeNode): TreeNode | undefined {
    switch (element.kind) {
      case 'account':
        return undefined;
      case 'report':
        return this.shape.showAccounts ? this.accountNode(element.accountId) : undefined;
      case 'export':
        return undefined;
      default: {
        const run = this.services.exports.exportOfJob(element.key);
        if (run) {
          return this.exportNode(run.id);
        }
        const job = this.services.jobs.get(element.key);
        return job && this.parentOfGroup(job);
      }
    }
  }

  getTreeItem(element: TreeNode): vscode.TreeItem {
    switch (element.kind) {
      case 'account':
        return this.accountItem(element);
      case 'report':
        return this.reportItem(element);
      case 'export':
        return exportItem(this.services.exports.get(element.exportId), element.id, this.clock.now());
      default:
        return this.jobItem(element);
    }
  }

  /** The tooltip is built on hover only: it is the largest part of a row. */
  resolveTreeItem(item: vscode.TreeItem, element: TreeNode): vscode.TreeItem {
    if (element.kind === 'job') {
      const job = this.services.jobs.get(element.key);
      if (job) {
        item.tooltip = jobTooltip(job, this.clock.now(), this.services.jobs.checkTimes(job.key));
      }
    }
    return item;
  }

  // ---- nodes ----

  /** The cached node of a job (created on first use), or undefined when the job is not tracked. */
  jobNode(key: string): JobNode | undefined {
    if (!this.services.jobs.get(key)) {
      return undefined;
    }
    return this.cached(`job:${key}`, () => new JobNode(key));
  }

  exportNode(id: string): ExportNode {
    return this.cached(`export:${id}`, () => new ExportNode(id));
  }

  /** Exports first, newest on top: they are what the user is waiting for. */
  private exportNodes(): ExportNode[] {
    return this.services.exports
      .exports()
      .sort((a, b) => b.startedAt - a.startedAt)
      .map((run) => this.exportNode(run.id));
  }

  private batchNodes(exportId: string): JobNode[] {
    const run = this.services.exports.get(exportId);
    return (run?.batches ?? [])
      .map((batch) => this.jobNode(batch.key))
      .filter((node): node is JobNode => node !== undefined);
  }

  private accountNode(accountId: string): AccountNode {
    return this.cached(`account:${accountId}`, () => new AccountNode(accountId));
  }

  private reportNode(accountId: string, groupKey: string): ReportNode {
    return this.cached(`report:${groupKey}`, () => new ReportNode(accountId, groupKey));
  }

  private cached<T extends TreeNode>(id: string, create: () => T): T {
    let node = this.nodes.get(id);
    if (!node) {
      node = create();
      this.nodes.set(id, node);
    }
    return node as T;
  }

  private childrenOfAccount(accountId: string): TreeNode[] {
    const groups = this.shape.reports.get(accountId) ?? [];
    if (groups.length > 1) {
      return groups.map((group) => this.reportNode(accountId, group.key));
    }
    return groups.length === 1 ? this.jobNodes(groups[0].key) : [];
  }

  private jobNodes(groupKey: string): JobNode[] {
    return jobsOfGroup(this.services.jobs.jobs(), groupKey).map((job) =>
      this.cached(`job:${job.key}`, () => new JobNode(job.key)),
    );
  }

  private group(node: ReportNode): ReportGroup | undefined {
    return this.shape.reports.get(node.accountId)?.find((group) => group.key === node.groupKey);
  }

  // ---- items ----

  private accountItem(node: AccountNode): vscode.TreeItem {
    const account = this.services.accounts.get(node.accountId);
    const item = new vscode.TreeItem(
      account?.label ?? node.accountId,
      vscode.TreeItemCollapsibleState.Expanded,
    );
    item.id = node.id;
    const state = this.services.jobs.accountStates.get(node.accountId);
    const host = account ? hostText(account) : 'signed out';
    const held = state.kind !== 'ok';
    // The label already names a custom host ("demo (127.0.0.1:8780)"): say it once.
    const where = account && item.label?.toString().includes(host) ? undefined : host;
    item.description = [where, held ? state.summary : undefined].filter(Boolean).join(' · ') || undefined;
    item.tooltip = account ? `${account.owner} on ${host}${held ? `: ${state.summary}` : ''}` : undefined;
    item.accessibilityInformation = { label: `Account ${String(item.label)}, ${state.summary}` };
    item.iconPath = new vscode.ThemeIcon(ACCOUNT_ICONS[state.kind]);
    item.contextValue = `account ${state.kind}`;
    return item;
  }

  private reportItem(node: ReportNode): vscode.TreeItem {
    const ref = this.group(node)?.job.ref;
    const item = new vscode.TreeItem(ref?.report ?? node.groupKey, vscode.TreeItemCollapsibleState.Expanded);
    item.id = node.id;
    if (ref) {
      const accountOwner = this.services.accounts.get(node.accountId)?.owner;
      item.description = ref.owner === accountOwner ? ref.app : `${ref.owner} / ${ref.app}`;
      item.tooltip = `${ref.owner} / ${ref.app} / ${ref.report}`;
    }
    item.iconPath = new vscode.ThemeIcon('table');
    item.contextValue = 'report';
    return item;
  }

  private jobItem(node: JobNode): vscode.TreeItem {
    const job = this.services.jobs.get(node.key);
    if (!job) {
      // Removed between the refresh and this call; the pending parent refresh drops it.
      const gone = new vscode.TreeItem('(no longer tracked)');
      gone.id = node.id;
      return gone;
    }
    const now = this.clock.now();
    // Without a report row above it (one report only), the row itself must say which report it is.
    const parentKind = this.getParent(node)?.kind;
    const label = jobLabel(job, parentKind === 'report' || parentKind === 'export');
    const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.None);
    item.id = node.id;
    item.description = this.describe(job, now);
    this.rendered.set(job.key, item.description);
    // Screen readers (and tests) hear the job id the row no longer shows.
    item.accessibilityInformation = { label: `${label}, ${item.description}, job ${job.jobId}` };
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

  private computeShape(): TreeShape {
    // An export's batches sit under the export's row, not under their report.
    const { exports } = this.services;
    return computeShape(
      this.services.accounts.list().map((account) => account.id),
      this.services.jobs.jobs().filter((job) => !exports.exportOfJob(job.key)),
    );
  }

  private onExportChanged(kind: 'added' | 'updated' | 'removed', id: string): void {
    if (kind === 'removed') {
      this.nodes.delete(`export:${id}`);
    }
    const before = this.shape.signature;
    this.shape = this.computeShape();
    if (kind !== 'updated' || before !== this.shape.signature) {
      this.pruneGroupNodes();
      this.changeEmitter.fire(undefined);
    } else {
      this.changeEmitter.fire(this.exportNode(id)); // its row and its list of batches
    }
    this.scheduleTick();
  }

  private onJobChanged(kind: 'added' | 'updated' | 'removed', job: TrackedJob): void {
    if (kind === 'updated') {
      const node = this.nodes.get(`job:${job.key}`);
      if (node) {
        this.changeEmitter.fire(node);
      }
      this.scheduleTick();
      return;
    }
    if (kind === 'removed') {
      this.nodes.delete(`job:${job.key}`);
      this.rendered.delete(job.key);
    }
    const before = this.shape.signature;
    this.shape = this.computeShape();
    if (before !== this.shape.signature) {
      this.pruneGroupNodes();
      this.changeEmitter.fire(undefined);
    } else {
      // Same grouping: only the job's parent lists a different set of children.
      this.changeEmitter.fire(this.parentOfGroup(job));
    }
    this.scheduleTick();
  }

  /** The node whose children are the jobs of `job`'s report (undefined = root). */
  private parentOfGroup(job: TrackedJob): TreeNode | undefined {
    const groups = this.shape.reports.get(job.accountId) ?? [];
    if (groups.length > 1) {
      return this.reportNode(job.accountId, reportGroupKey(job));
    }
    return this.shape.showAccounts ? this.accountNode(job.accountId) : undefined;
  }

  /** The account row and its running jobs' rows (waiting or running) change with its state. */
  private onAccountStateChanged(accountId: string): void {
    const changed: TreeNode[] = [];
    const node = this.nodes.get(`account:${accountId}`);
    if (node && this.shape.showAccounts) {
      changed.push(node);
    }
    for (const job of this.services.jobs.jobs()) {
      const jobNode = this.nodes.get(`job:${job.key}`);
      if (jobNode && job.accountId === accountId && job.state === 'running') {
        changed.push(jobNode);
      }
    }
    if (changed.length > 0) {
      this.changeEmitter.fire(changed);
    }
  }

  refreshRoot(): void {
    this.shape = this.computeShape();
    this.pruneGroupNodes();
    this.changeEmitter.fire(undefined);
  }

  private pruneGroupNodes(): void {
    for (const [id, node] of this.nodes) {
      if (node.kind === 'report' && !this.group(node)) {
        this.nodes.delete(id);
      }
    }
  }

  // ---- relative times ----

  /** Ages and running durations are re-rendered only while the view is visible. */
  setVisible(visible: boolean): void {
    this.visible = visible;
    if (visible) {
      this.tick();
    } else {
      this.stopTicker();
    }
  }

  private scheduleTick(): void {
    if (!this.visible || this.ticker !== undefined) {
      return;
    }
    const jobs = this.services.jobs.jobs();
    const exporting = this.services.exports.exports().some((run) => run.state === 'running');
    if (jobs.length === 0 && !exporting) {
      return;
    }
    const interval =
      exporting || jobs.some((job) => job.state === 'running') ? RUNNING_TICK_MS : IDLE_TICK_MS;
    this.ticker = this.clock.setTimeout(() => {
      this.ticker = undefined;
      this.tick();
    }, interval);
  }

  /** Fires only the rows whose description text actually changed. */
  private tick(): void {
    const now = this.clock.now();
    const changed: TreeNode[] = [];
    for (const [key, description] of this.rendered) {
      const job = this.services.jobs.get(key);
      const node = this.nodes.get(`job:${key}`);
      if (job && node && this.describe(job, now) !== description) {
        changed.push(node);
      }
    }
    for (const run of this.services.exports.exports()) {
      if (run.state === 'running') {
        changed.push(this.exportNode(run.id)); // its elapsed time
      }
    }
    if (changed.length > 0) {
      this.changeEmitter.fire(changed);
    }
    this.scheduleTick();
  }

  private stopTicker(): void {
    if (this.ticker !== undefined) {
      this.clock.clearTimeout(this.ticker);
      this.ticker = undefined;
    }
  }
}

export interface JobsTree extends vscode.Disposable {
  readonly provider: JobsTreeProvider;
  readonly view: vscode.TreeView<TreeNode>;
  /** Shows and selects the job's row; rejects when the job is not tracked. */
  reveal(key: string): Promise<void>;
  /** Shows and selects an export's row. */
  revealExport(id: string): Promise<void>;
}

/** What the view says above the rows about accounts that cannot be polled now. */
function accountMessage(services: Services): string | undefined {
  const accounts = services.accounts.list();
  const lines = services.jobs.accountStates
    .held()
    .filter((state) => accounts.some((account) => account.id === state.accountId))
    .map((state) => {
      const label = services.accounts.get(state.accountId)?.label ?? state.accountId;
      return accounts.length === 1 ? `${capitalise(state.summary)}.` : `${label}: ${state.summary}.`;
    });
  return lines.length > 0 ? lines.join(' ') : undefined;
}

export function registerJobsTree(context: vscode.ExtensionContext, services: Services): JobsTree {
  const provider = new JobsTreeProvider(services);
  const view = vscode.window.createTreeView(JOBS_VIEW_ID, {
    treeDataProvider: provider,
    showCollapseAll: true,
  });
  const updateMessage = (): void => {
    view.message = accountMessage(services);
  };
  updateMessage();
  // The badge counts results not opened or saved yet, as the status bar's "ready" does.
  const updateBadge = (): void => {
    const ready = readyCount(services);
    view.badge =
      ready > 0
        ? { value: ready, tooltip: `${ready} ${ready === 1 ? 'result' : 'results'} ready to open` }
        : undefined;
  };
  updateBadge();
  provider.setVisible(view.visible);

  const tree: JobsTree = {
    provider,
    view,
    async reveal(key: string): Promise<void> {
      const node = provider.jobNode(key);
      if (!node) {
        throw new Error(`Job ${jobIdOfKey(key)} is not tracked.`);
      }
      await view.reveal(node, { select: true, focus: false, expand: true });
    },
    async revealExport(id: string): Promise<void> {
      await view.reveal(provider.exportNode(id), { select: true, focus: false, expand: true });
    },
    dispose(): void {
      view.dispose();
      provider.dispose();
    },
  };

  context.subscriptions.push(
    tree,
    view.onDidChangeVisibility((event) => provider.setVisible(event.visible)),
    services.jobs.accountStates.onDidChange(updateMessage),
    services.jobs.onDidChangeJob(updateBadge),
    services.exports.onDidChangeExport(updateBadge),
    services.accounts.onDidChange(updateMessage),
  );
  return tree;
}

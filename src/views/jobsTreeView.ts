// Registers the "Bulk Read Jobs" view over ./jobsTree.ts's provider: the view's message (who is
// signed in), its badge (results ready to open) and the reveal calls commands use to show a row.
import * as vscode from 'vscode';
import { LocalRefusal } from '../core/refusal';
import { jobIdOfKey } from '../jobs/model';
import type { Services } from '../services';
import { accountMessage } from './accountRows';
import { JOBS_VIEW_ID, JobsTreeProvider, type TreeNode } from './jobsTree';
import { readyCount } from './readyResults';

export interface JobsTree extends vscode.Disposable {
  readonly provider: JobsTreeProvider;
  readonly view: vscode.TreeView<TreeNode>;
  /** Shows and selects the job's row; rejects when the job is not tracked. */
  reveal(key: string): Promise<void>;
  /** Shows and selects an export's row. */
  revealExport(id: string): Promise<void>;
}

export function registerJobsTree(context: vscode.ExtensionContext, services: Services): JobsTree {
  const provider = new JobsTreeProvider(services);
  const view = vscode.window.createTreeView(JOBS_VIEW_ID, {
    treeDataProvider: provider,
    showCollapseAll: true,
  });
  const updateMessage = (): void => {
    const message = accountMessage(services);
    if (message !== view.message) {
      view.message = message; // set only when it changes: job changes come by the hundred
    }
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
        throw new LocalRefusal(`Job ${jobIdOfKey(key)} is not tracked.`);
      }
      await view.reveal(node, { select: true, focus: false, expand: true });
    },
    async revealExport(id: string): Promise<void> {
      const node = provider.exportNode(id);
      if (!node) {
        throw new LocalRefusal('This export is no longer listed.');
      }
      await view.reveal(node, { select: true, focus: false, expand: true });
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
    services.jobs.onDidChangeJob(() => {
      updateBadge();
      updateMessage();
    }),
    services.exports.onDidChangeExport(() => {
      updateBadge();
      updateMessage();
    }),
    services.accounts.onDidChange(updateMessage),
  );
  if (services.history) {
    context.subscriptions.push(services.history.onDidChange(updateMessage));
  }
  return tree;
}

// The rows above the jobs: an account (its host and why it cannot be polled now) and a report group,
// and the message the view shows above its rows about held accounts, or that none is signed in.
import * as vscode from 'vscode';
import { capitalise } from '../core/format';
import type { AccountStateKind } from '../jobs/accountStates';
import type { Services } from '../services';
import type { Account } from '../zoho/types';
import type { AccountNode, ReportNode } from './treeNodes';
import type { ReportGroup } from './treeShape';

const ACCOUNT_ICONS: Record<AccountStateKind, string> = {
  ok: 'account',
  throttled: 'debug-pause',
  dailyLimit: 'debug-pause',
  needsSignIn: 'warning',
  missingScope: 'warning',
};

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

export function accountItem(services: Services, node: AccountNode): vscode.TreeItem {
  const account = services.accounts.get(node.accountId);
  const item = new vscode.TreeItem(
    account?.label ?? node.accountId,
    vscode.TreeItemCollapsibleState.Expanded,
  );
  item.id = node.id;
  const state = services.jobs.accountStates.get(node.accountId);
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

export function reportItem(
  services: Services,
  node: ReportNode,
  group: ReportGroup | undefined,
): vscode.TreeItem {
  const ref = group?.job.ref;
  const item = new vscode.TreeItem(ref?.report ?? node.groupKey, vscode.TreeItemCollapsibleState.Expanded);
  item.id = node.id;
  if (ref) {
    const accountOwner = services.accounts.get(node.accountId)?.owner;
    item.description = ref.owner === accountOwner ? ref.app : `${ref.owner} / ${ref.app}`;
    item.tooltip = `${ref.owner} / ${ref.app} / ${ref.report}`;
  }
  item.iconPath = new vscode.ThemeIcon('table');
  item.contextValue = 'report';
  return item;
}

/** What the view says above the rows about accounts that cannot be polled now. */
export function accountMessage(services: Services): string | undefined {
  const accounts = services.accounts.list();
  const lines = services.jobs.accountStates
    .held()
    .filter((state) => accounts.some((account) => account.id === state.accountId))
    .map((state) => {
      const label = services.accounts.get(state.accountId)?.label ?? state.accountId;
      return accounts.length === 1 ? `${capitalise(state.summary)}.` : `${label}: ${state.summary}.`;
    });
  if (accounts.length === 0 && hasRows(services)) {
    // The welcome (with its sign-in buttons) shows only in an empty view.
    lines.push('Not signed in: sign in (the key above) to run, refresh or download.');
  }
  return lines.length > 0 ? lines.join(' ') : undefined;
}

function hasRows(services: Services): boolean {
  return (
    services.jobs.jobs().length > 0 ||
    services.exports.exports().length > 0 ||
    (services.history?.definitions().length ?? 0) > 0
  );
}

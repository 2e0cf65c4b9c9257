// The node objects of the jobs tree, one kind per row kind. VS Code tells elements apart by object,
// so the provider (./jobsTree.ts) keeps one per row id; commands accept a node for what it exposes
// (a job node's `.key`, an export node's `.exportId`).
import type { Row } from './treeShape';

export type AccountNode = Readonly<{ kind: 'account'; id: string; accountId: string }>;
export type ReportNode = Readonly<{ kind: 'report'; id: string; accountId: string; groupKey: string }>;
export type JobNode = Readonly<{ kind: 'job'; id: string; key: string }>;
export type ExportNode = Readonly<{ kind: 'export'; id: string; exportId: string }>;

export type DefinitionNode = Readonly<{ kind: 'definition'; id: string; definition: string }>;
export type RunNode = Readonly<{ kind: 'run'; id: string; definition: string; runId: string }>;

export type TreeNode = AccountNode | ReportNode | JobNode | ExportNode | DefinitionNode | RunNode;

/** A new node for a row: its kind and ids, nothing that changes while the row exists. */
export function nodeForRow(row: Row): TreeNode {
  switch (row.kind) {
    case 'account':
      return { kind: 'account', id: row.id, accountId: row.accountId };
    case 'report':
      return { kind: 'report', id: row.id, accountId: row.accountId, groupKey: row.groupKey };
    case 'export':
      return { kind: 'export', id: row.id, exportId: row.exportId };
    case 'definition':
      return { kind: 'definition', id: row.id, definition: row.definition };
    case 'run':
      return { kind: 'run', id: row.id, definition: row.definition, runId: row.runId };
    default:
      return { kind: 'job', id: row.id, key: row.key };
  }
}

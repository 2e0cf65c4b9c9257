// The node objects of the jobs tree, one class per row kind. VS Code tells elements apart by object,
// so the provider (./jobsTree.ts) keeps one per row id; commands accept a node for what it exposes.
import type { Row } from './treeShape';

export class AccountNode {
  readonly kind = 'account';
  constructor(
    readonly id: string,
    readonly accountId: string,
  ) {}
}

export class ReportNode {
  readonly kind = 'report';
  constructor(
    readonly id: string,
    readonly accountId: string,
    readonly groupKey: string,
  ) {}
}

export class JobNode {
  readonly kind = 'job';
  /** The job key; commands accept the node because it exposes `.key`. */
  constructor(
    readonly id: string,
    readonly key: string,
  ) {}
}

export class ExportNode {
  readonly kind = 'export';
  /** Export commands accept the node because it exposes `.exportId`. */
  constructor(
    readonly id: string,
    readonly exportId: string,
  ) {}
}

export type TreeNode = AccountNode | ReportNode | JobNode | ExportNode;

/** A new node for a row. */
export function nodeForRow(row: Row): TreeNode {
  switch (row.kind) {
    case 'account':
      return new AccountNode(row.id, row.accountId);
    case 'report':
      return new ReportNode(row.id, row.accountId, row.groupKey);
    case 'export':
      return new ExportNode(row.id, row.exportId);
    default:
      return new JobNode(row.id, row.key);
  }
}

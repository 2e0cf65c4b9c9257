// Which export a command acts on: a tree row (ExportNode), an id, or a pick from the list.
import * as vscode from 'vscode';
import type { ExportRun } from '../exports/model';
import type { Services } from '../services';
import { exportDescription } from '../views/exportText';
import { layoutOf } from '../views/treeShape';

export function exportIdOf(arg: unknown): string | undefined {
  if (typeof arg === 'string') {
    return arg;
  }
  const candidate = arg as { exportId?: unknown } | undefined;
  return typeof candidate?.exportId === 'string' ? candidate.exportId : undefined;
}

/** The export named by `arg`, or one the user picks among those `filter` accepts. */
export async function resolveExport(
  services: Services,
  arg: unknown,
  filter: (run: ExportRun) => boolean,
  placeHolder: string,
): Promise<ExportRun | undefined> {
  const id = exportIdOf(arg);
  if (id !== undefined) {
    const run = services.exports.get(id);
    if (!run) {
      void vscode.window.showInformationMessage('This export is no longer listed.');
    }
    return run;
  }
  const now = Date.now();
  // The tree's rows, in its order and with its labels: the export picked is the row seen there.
  const items = layoutOf(services, now).order.flatMap((row) => {
    if (row.kind !== 'export') {
      return [];
    }
    const run = services.exports.get(row.exportId);
    return run && filter(run)
      ? [{ label: row.label, description: exportDescription(run, now, !row.fileInLabel), run }]
      : [];
  });
  if (items.length === 0) {
    void vscode.window.showInformationMessage('No export to choose from.');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(items, { placeHolder, matchOnDescription: true });
  return picked?.run;
}

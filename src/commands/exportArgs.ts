// Which export a command acts on: a tree row (ExportNode), an id, or a pick from the list.
import * as vscode from 'vscode';
import { exportFile, type ExportRun } from '../exports/model';
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

/**
 * The export's file, checked first when it is a completed export's: a file changed or removed
 * since the export wrote it is never shown as the export (ExportsApi.verifyCompleted; the row
 * then shows it as not trusted). The problem is said with Restart Export offered.
 */
export async function checkedExportFile(
  services: Services,
  run: ExportRun,
): Promise<{ file: string; problem?: string } | undefined> {
  const file = exportFile(run);
  if (!file) {
    return undefined;
  }
  const problem = await services.exports.verifyCompleted(run.id);
  if (problem !== undefined) {
    void vscode.window
      .showErrorMessage(problem, 'Restart Export')
      .then((choice) => choice && vscode.commands.executeCommand('creatorBulkJobs.restartExport', run.id));
  }
  return { file, problem };
}

// Reveal Export in Explorer: selects the export's file in the Explorer view (a completed export's
// file is checked first, and a problem said, see ./exportArgs.ts).
import * as vscode from 'vscode';
import { exists } from '../exports/workingFile';
import { exportFile } from '../exports/model';
import type { Services } from '../services';
import { checkedExportFile, resolveExport } from './exportArgs';

/** The handler of 'creatorBulkJobs.revealExport' (registered, and loaded on first use, by registerCommands.ts). */
export function revealExportCommand(services: Services) {
  return async (arg?: unknown) => {
    const run = await resolveExport(
      services,
      arg,
      (r) => exportFile(r) !== undefined,
      'Reveal which export?',
    );
    const checked = run && (await checkedExportFile(services, run));
    if (!run || !checked) {
      return undefined;
    }
    if (!(await exists(checked.file))) {
      return undefined; // already said: it is no longer there
    }
    // Shown even when changed (the problem is said): the user may want to look at it.
    await vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(checked.file));
    await services.exports.markSeen(run.id);
    return checked.file;
  };
}

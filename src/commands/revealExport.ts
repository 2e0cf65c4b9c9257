// Reveal Export in Explorer: selects the export's file in the Explorer view.
import * as vscode from 'vscode';
import { exportFile } from '../exports/model';
import type { Services } from '../services';
import { resolveExport } from './exportArgs';

export function registerRevealExport(context: vscode.ExtensionContext, services: Services): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('creatorBulkJobs.revealExport', async (arg?: unknown) => {
      const run = await resolveExport(
        services,
        arg,
        (r) => exportFile(r) !== undefined,
        'Reveal which export?',
      );
      const file = run && exportFile(run);
      if (file) {
        await vscode.commands.executeCommand('revealInExplorer', vscode.Uri.file(file));
        await services.exports.markSeen(run.id);
      }
      return file;
    }),
  );
}

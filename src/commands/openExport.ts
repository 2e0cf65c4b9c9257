// Open Export: the merged CSV of a completed export, or the partial file a stopped one kept.
import * as vscode from 'vscode';
import { exportFile } from '../exports/model';
import type { Services } from '../services';
import { resolveExport } from './exportArgs';
import { showCommandError } from './showError';

export function registerOpenExport(context: vscode.ExtensionContext, services: Services): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('creatorBulkJobs.openExport', async (arg?: unknown) => {
      const run = await resolveExport(
        services,
        arg,
        (r) => exportFile(r) !== undefined,
        'Open which export?',
      );
      const file = run && exportFile(run);
      if (!run || !file) {
        return undefined;
      }
      try {
        // vscode.open also handles files over 50 MB, which openTextDocument refuses.
        await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(file));
        await services.exports.markSeen(run.id);
        return file;
      } catch (error) {
        showCommandError(services, `Could not open ${file}`, error);
        return undefined;
      }
    }),
  );
}

// Remove Export: forgets a finished export and its batch jobs; files in the workspace stay.
import * as vscode from 'vscode';
import type { Services } from '../services';
import { resolveExport } from './exportArgs';
import { confirmCancel } from './exportProgress';

export function registerRemoveExport(context: vscode.ExtensionContext, services: Services): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('creatorBulkJobs.removeExport', async (arg?: unknown) => {
      const run = await resolveExport(services, arg, () => true, 'Remove which export from the list?');
      if (!run) {
        return;
      }
      const after = run.state === 'running' ? await confirmCancel(services, run.id) : run;
      if (after && after.state !== 'running') {
        await services.exports.remove(run.id);
      }
    }),
  );
}

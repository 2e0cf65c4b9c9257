// Cancel Export: stops creating batches, asking whether to keep the records so far.
import * as vscode from 'vscode';
import type { Services } from '../services';
import { resolveExport } from './exportArgs';
import { confirmCancel } from './exportProgress';

export function registerCancelExport(context: vscode.ExtensionContext, services: Services): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('creatorBulkJobs.cancelExport', async (arg?: unknown) => {
      const run = await resolveExport(services, arg, (r) => r.state === 'running', 'Cancel which export?');
      return run && confirmCancel(services, run.id);
    }),
  );
}

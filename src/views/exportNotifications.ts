// One notification when an export completes ("All_Orders exported: 250,000 records in 3 batches")
// and one when it stops without completing, each with the next step. Batches stay quiet: their
// per-job notifications are skipped by JobNotifications.
import { promises as fs } from 'node:fs';
import * as vscode from 'vscode';
import type { ExportRun } from '../exports/model';
import { openDefinition } from '../host/definitionFiles';
import { EXTENSION_DOCUMENT_LIMIT_BYTES } from '../host/resultFileSystem';
import { Disposable } from '../core/lifecycle';
import type { NotificationLevel } from '../host/settings';
import type { Services } from '../services';
import { exportFinishedText } from './exportText';

const sizeOf = (file: string): Promise<number> =>
  fs.stat(file).then(
    ({ size }) => size,
    () => 0,
  );

export class ExportNotifications extends Disposable {
  constructor(
    private readonly services: Services,
    private readonly level: () => NotificationLevel,
  ) {
    super();
    this.register(services.exports.onDidFinishExport((run) => this.completed(run)));
    this.register(services.exports.onDidStopExport((run) => this.stopped(run)));
  }

  private completed(run: ExportRun): void {
    if (this.level() !== 'all') {
      return;
    }
    if (run.snapshot && run.changes) {
      this.snapshotUpdated(run, run.snapshot, run.changes.file);
      return;
    }
    const actions = ['Open', 'Reveal in Explorer'];
    if (!run.definition) {
      actions.push('Save as Definition');
    }
    this.act(vscode.window.showInformationMessage(exportFinishedText(run), ...actions), run, {
      Open: 'openExport',
      'Reveal in Explorer': 'revealExport',
      'Save as Definition': 'saveExportDefinition',
    });
  }

  /** An incremental definition's run: the file the user keeps is its snapshot, and what changed is listed. */
  private snapshotUpdated(run: ExportRun, snapshot: string, changes: string): void {
    void vscode.window
      .showInformationMessage(exportFinishedText(run), 'Open Snapshot', 'Open Changes', 'Reveal in Explorer')
      .then(async (choice): Promise<unknown> => {
        const file = choice === 'Open Changes' ? changes : snapshot;
        const uri = vscode.Uri.file(file);
        if (
          choice === 'Reveal in Explorer' ||
          (choice === 'Open Snapshot' && (await sizeOf(file)) > EXTENSION_DOCUMENT_LIMIT_BYTES)
        ) {
          // Opened whole, a snapshot above this stops at VS Code's "very large" page.
          return vscode.commands.executeCommand('revealInExplorer', uri);
        }
        return choice ? vscode.commands.executeCommand('vscode.open', uri, { preview: false }) : undefined;
      })
      .then(undefined, (error) => this.services.logger.error(`Notification action failed: ${String(error)}`));
  }

  private stopped(run: ExportRun): void {
    if (this.level() === 'none') {
      return;
    }
    const actions = ['Restart Export'];
    if (run.keptPath) {
      actions.push('Open Partial File');
    }
    if (run.definition) {
      actions.push('Open Definition'); // the line to fix
    }
    actions.push('Show Log');
    const what = run.state === 'interrupted' ? 'was interrupted' : 'failed';
    this.act(
      vscode.window.showErrorMessage(
        `The export of ${run.ref.report} ${what}: ${run.error ?? ''}`,
        ...actions,
      ),
      run,
      {
        'Restart Export': 'restartExport',
        'Open Partial File': 'openExport',
        'Show Log': 'showLog',
      },
    );
  }

  private act(choice: Thenable<string | undefined>, run: ExportRun, commands: Record<string, string>): void {
    void choice
      .then((action) => {
        if (action === 'Open Definition' && run.definition) {
          return openDefinition(run.definition);
        }
        const command = commands[action ?? ''];
        return command ? vscode.commands.executeCommand(`creatorBulkJobs.${command}`, run.id) : undefined;
      })
      .then(undefined, (error) => this.services.logger.error(`Notification action failed: ${String(error)}`));
  }
}

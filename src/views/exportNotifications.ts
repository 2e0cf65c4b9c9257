// One notification when an export completes ("All_Orders exported: 250,000 records in 3 batches")
// and one when it stops without completing, each with the next step. Batches stay quiet: their
// per-job notifications are skipped by JobNotifications.
import * as vscode from 'vscode';
import type { ExportRun } from '../exports/model';
import { openDefinition } from '../host/definitionFiles';
import { Disposable } from '../core/lifecycle';
import type { NotificationLevel } from '../host/settings';
import type { Services } from '../services';
import { exportFinishedText } from './exportText';

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
    if (run.changes?.snapshotCopy) {
      this.snapshotUpdated(run, run.changes.file);
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

  /**
   * An incremental definition's run: Open and Reveal show the snapshot as of the run (Open Export,
   * checked as any export's file), Open Changes its record of changes.
   */
  private snapshotUpdated(run: ExportRun, changes: string): void {
    const choice = vscode.window.showInformationMessage(
      exportFinishedText(run),
      'Open Snapshot',
      'Open Changes',
      'Reveal in Explorer',
    );
    void choice.then((picked) =>
      picked === 'Open Changes'
        ? vscode.commands.executeCommand('vscode.open', vscode.Uri.file(changes), { preview: false })
        : undefined,
    );
    this.act(choice, run, { 'Open Snapshot': 'openExport', 'Reveal in Explorer': 'revealExport' });
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
          return openDefinition(run.definition, run.definitionsFile);
        }
        const command = commands[action ?? ''];
        return command ? vscode.commands.executeCommand(`creatorBulkJobs.${command}`, run.id) : undefined;
      })
      .then(undefined, (error) => this.services.logger.error(`Notification action failed: ${String(error)}`));
  }
}

// Issue 20: "If the report lacks Modified_Time, say so ... when run, and offer full mode." The
// first run of an incremental definition is full and succeeds either way; when its records have
// no Modified_Time column (ExportRun.noModifiedTime, set by ../exports/incremental.ts) this says
// at once that the next runs would be refused, in the window that is told of the run's end.
import * as vscode from 'vscode';
import { Disposable } from '../core/lifecycle';
import { noModifiedTimeText } from '../exports/incremental';
import type { ExportRun } from '../exports/model';
import { openDefinition } from '../host/definitionFiles';
import type { Services } from '../services';

export class NoModifiedTimeWarning extends Disposable {
  constructor(private readonly services: Services) {
    super();
    this.register(services.exports.onDidFinishExport((run) => this.completed(run)));
  }

  private completed(run: ExportRun): void {
    if (!run.noModifiedTime) {
      return;
    }
    const { definition, definitionsFile } = run;
    const actions = definition ? ['Open Definition'] : [];
    void vscode.window
      .showWarningMessage(noModifiedTimeText(run), ...actions)
      .then((choice) =>
        choice === 'Open Definition' && definition ? openDefinition(definition, definitionsFile) : undefined,
      )
      .then(undefined, (error) => this.services.logger.error(`Notification action failed: ${String(error)}`));
  }
}

// The progress notification of a running export (with Cancel), and the question a cancel asks.
import * as path from 'path';
import * as vscode from 'vscode';
import type { ExportRun } from '../exports/model';
import type { Services } from '../services';
import { exportProgressText } from '../views/exportText';

import { formatCount } from '../views/jobDescription';

/**
 * The cancel question's answers, named by what they do. VS Code adds its own "Cancel" to a modal
 * dialog unless one answer is the close affordance; here "Cancel" would read as "cancel the
 * export" while it meant "keep exporting", so the close affordance is "Continue Export".
 */
export function cancelChoices(records: number): { keep?: string; discard: string; continue: string } {
  return {
    keep: records > 0 ? `Keep ${formatCount(records)} ${records === 1 ? 'Record' : 'Records'}` : undefined,
    discard: records > 0 ? 'Discard' : 'Stop Export',
    continue: 'Continue Export',
  };
}

/**
 * The cancel question, naming the export's file when another listed export is of the same report
 * (the tree then names their files too, ../views/treeShape.ts): "Stop exporting All_Orders to
 * second_All_Orders.csv?".
 */
export function stopQuestion(run: ExportRun, listed: readonly ExportRun[]): string {
  const alike = listed.some(
    (other) =>
      other.id !== run.id &&
      other.accountId === run.accountId &&
      other.ref.owner === run.ref.owner &&
      other.ref.app === run.ref.app &&
      other.ref.report === run.ref.report,
  );
  return alike
    ? `Stop exporting ${run.ref.report} to ${path.basename(run.destination)}?`
    : `Stop exporting ${run.ref.report}?`;
}

/**
 * Asks whether to keep the records so far, then cancels. Dismissing the question (Escape,
 * Continue Export) keeps the export running. Resolves with the run as it ends up.
 */
export async function confirmCancel(services: Services, id: string): Promise<ExportRun | undefined> {
  let run = services.exports.get(id);
  let arrived = 0;
  for (;;) {
    if (!run || run.state !== 'running') {
      return run;
    }
    const choices = cancelChoices(run.records);
    const keep: vscode.MessageItem | undefined = choices.keep ? { title: choices.keep } : undefined;
    const discard: vscode.MessageItem = { title: choices.discard };
    const resume: vscode.MessageItem = { title: choices.continue, isCloseAffordance: true };
    const meanwhile =
      arrived > 0 ? `While you decided, ${formatCount(arrived)} more records were written. ` : '';
    const choice = await vscode.window.showWarningMessage(
      stopQuestion(run, services.exports.exports()),
      {
        modal: true,
        detail:
          run.records > 0
            ? `${meanwhile}${exportProgressText(run, newestBatch(services, run))}. Keep them in a file named as partial, or discard them?`
            : 'No records have been written yet.',
      },
      ...(keep ? [keep, discard, resume] : [discard, resume]),
    );
    if (choice === undefined || choice === resume) {
      return services.exports.get(id) ?? run;
    }
    // The export runs on while the question is open: an answer given about other numbers than the
    // file holds now (records discarded unasked, a Keep button naming fewer) is asked again.
    const now = services.exports.get(id);
    if (now && now.state !== 'running') {
      // It ended while the question was open: there is nothing left to stop, and the answer was
      // about numbers that no longer hold. Say what happened instead of acting on it.
      void vscode.window.showInformationMessage(
        now.state === 'completed'
          ? `The export of ${run.ref.report} completed while you decided, with all ${formatCount(now.records)} records: nothing was stopped.`
          : `The export of ${run.ref.report} ${now.state === 'failed' ? 'failed' : `was ${now.state}`} while you decided: nothing more was stopped.`,
      );
      return now;
    }
    if (now?.state === 'running' && now.records !== run.records) {
      arrived = now.records - run.records;
      run = now;
      continue;
    }
    return stopAs(services, run, choice === keep);
  }
}

async function stopAs(
  services: Services,
  run: ExportRun,
  keepRecords: boolean,
): Promise<ExportRun | undefined> {
  const id = run.id;
  // In a window without the poller lease the window that runs the export carries the cancel out:
  // say what is happening while it does.
  const after = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Stopping the export of ${run.ref.report}…` },
    () => services.exports.cancel(id, keepRecords),
  );
  if (after?.state === 'running') {
    void vscode.window.showWarningMessage(
      `The window running the export of ${run.ref.report} has not stopped it yet. Your request stands: it stops the export as soon as it looks again (or the window that takes over from it does).`,
    );
  }
  return after;
}

/** What the export's newest batch is doing: Zoho still reads it, or its result is coming in. */
function newestBatch(services: Services, run: ExportRun): 'running' | 'downloading' {
  const newest = run.batches[run.batches.length - 1];
  return newest && services.jobs.get(newest.key)?.state === 'completed' ? 'downloading' : 'running';
}

/** Shows a cancellable progress notification until the export stops (the user may hide it). */
export function watchExport(services: Services, id: string): void {
  const run = services.exports.get(id);
  if (!run || run.state !== 'running') {
    return;
  }
  void vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: `Exporting ${run.ref.report}`,
      cancellable: true,
    },
    (progress, token) =>
      new Promise<void>((resolve) => {
        let cancelling = false;
        let shown: string | undefined;
        const report = (current: ExportRun): void => {
          const message = exportProgressText(current, newestBatch(services, current));
          if (message !== shown) {
            shown = message; // a batch's every poll changes its job: report only what reads differently
            progress.report({ message });
          }
        };
        report(run);
        // The newest batch's own change (completed, so downloading) says so as the tree row does.
        const batchWatch = services.jobs.onDidChangeJob(({ job }) => {
          const current = services.exports.get(id);
          if (current?.state === 'running' && current.batches.some((batch) => batch.key === job.key)) {
            report(current);
          }
        });
        const subscription = services.exports.onDidChangeExport(({ run: changed, kind }) => {
          if (changed.id !== id) {
            return;
          }
          if (kind === 'removed' || changed.state !== 'running') {
            finish();
          } else {
            report(changed);
          }
        });
        const finish = (): void => {
          subscription.dispose();
          batchWatch.dispose();
          resolve();
        };
        token.onCancellationRequested(() => {
          if (cancelling) {
            return;
          }
          cancelling = true;
          finish();
          // The notification is gone; if the user then keeps the export running, show it again.
          void confirmCancel(services, id).then((after) => {
            if (after?.state === 'running') {
              watchExport(services, id);
            }
          });
        });
      }),
  );
}

// A batch of an export whose records are in the export's merged file: its own copy was removed
// once appended, so opening or saving it would download it again (an API call for records the
// user already has). Open and Save point to the export instead.
import * as vscode from 'vscode';
import { exportFile, isMergedBatch } from '../exports/model';
import type { TrackedJob } from '../jobs/model';
import type { Services } from '../services';

/** Handled (true) when the job is a merged batch: says so and offers the export's file. */
export function pointToMergedFile(services: Services, job: TrackedJob): boolean {
  const run = services.exports.exportOfJob(job.key);
  if (!run || !isMergedBatch(run, job.key)) {
    return false;
  }
  const file = exportFile(run);
  const where = file
    ? 'Open the export to see them.'
    : run.state === 'running'
      ? 'The export is still running.'
      : 'The export kept no file.';
  const text = `Batch ${job.batch}'s records are in the export of ${run.ref.report}; its own copy was removed when they were merged. ${where}`;
  void (
    file
      ? vscode.window.showInformationMessage(text, 'Open Export')
      : vscode.window.showInformationMessage(text)
  ).then((choice) => choice && vscode.commands.executeCommand('creatorBulkJobs.openExport', run.id));
  return true;
}

// Opens a completed job's CSV in a read-only editor (language csv), downloading it first when needed.
import * as vscode from 'vscode';
import type { TrackedJob } from '../jobs/model';
import type { Services } from '../services';
import { EXTENSION_DOCUMENT_LIMIT_BYTES, resultTitle, resultUri } from '../host/resultFileSystem';
import { formatCount, formatMegabytes, unknownStatusText } from '../views/jobDescription';
import { noRecordsNote } from '../views/noRecordsNote';
import { pointToMergedFile } from './mergedBatch';
import { resolveJob } from './pickers';
import { ensureResultWithProgress, isCompleted } from './resultFile';
import { showCommandError } from './showError';

/** Records a preview shows: a few MB, which VS Code opens in about a second with colouring on. */
export const PREVIEW_RECORDS = 10_000;
const OPENING_MESSAGE_MS = 10_000;

/**
 * Opens the result read-only from the cache under a friendly title. A status bar message names
 * the file and its size at once; the editor is opened by the workbench, which reads the bytes
 * itself, so the first text appears without waiting for the document to reach the extension host.
 */
export async function openResult(services: Services, job: TrackedJob): Promise<vscode.Uri | undefined> {
  try {
    const result = await ensureResultWithProgress(services, job);
    const current = services.jobs.get(job.key) ?? job;
    const large = result.bytes > EXTENSION_DOCUMENT_LIMIT_BYTES;
    const uri = resultUri(current, large ? PREVIEW_RECORDS : undefined);
    const name = uri.path.slice(1);
    const opening = vscode.commands.executeCommand('vscode.open', uri, { preview: false });
    // Shown at once; gone when the open completes (the workbench may still be handing the text to
    // extensions long after it is on screen, so at most OPENING_MESSAGE_MS).
    const message = vscode.window.setStatusBarMessage(
      `$(loading~spin) Opening ${name} (${formatMegabytes(result.bytes)} MB)…`,
    );
    const hide = setTimeout(() => message.dispose(), OPENING_MESSAGE_MS);
    void Promise.resolve(opening).finally(() => {
      clearTimeout(hide);
      message.dispose();
    });
    // Seen once asked to open: the count of ready results drops while the editor loads.
    await services.jobs.markSeen(job.key);
    await opening;
    services.logger.info(`Opened the result of job ${job.jobId} (${result.bytes} bytes).`);
    if (large) {
      void vscode.window
        .showInformationMessage(
          `${resultTitle(current)} is ${formatMegabytes(result.bytes)} MB, ${tooLargeText(result.records ?? current.details?.result?.count ?? PREVIEW_RECORDS)} Save it to the workspace to work on it whole with other tools.`,
          'Save to Workspace',
        )
        .then((choice) => choice && vscode.commands.executeCommand('creatorBulkJobs.saveResult', job.key));
    }
    const note = noRecordsNote(result);
    if (note) {
      void vscode.window.showInformationMessage(`${name}: ${note}`);
    }
    return uri;
  } catch (error) {
    showCommandError(
      services,
      `Could not open the result of ${job.ref.report} batch ${job.batch}`,
      error,
      job.accountId,
    );
    return undefined;
  }
}

/** What a preview of a large file shows, for the message that says its size. */
export function tooLargeText(records: number): string {
  return `more than the ${EXTENSION_DOCUMENT_LIMIT_BYTES / (1024 * 1024)} MB VS Code opens in an editor: showing its first ${formatCount(Math.min(PREVIEW_RECORDS, records))} of ${formatCount(records)} records, read-only.`;
}

/** The handler of 'creatorBulkJobs.openResult' (registered, and loaded on first use, by registerCommands.ts). */
export function openResultCommand(services: Services) {
  return async (arg?: unknown) => {
    const job = await resolveJob(services, arg, {
      filter: isCompleted,
      placeHolder: 'Open the result of which job?',
      noneMessage: 'No completed job yet: results can be opened once a job completes.',
    });
    if (!job) {
      return undefined;
    }
    if (!isCompleted(job)) {
      void vscode.window.showInformationMessage(
        job.state === 'failed'
          ? `Job ${job.jobId} failed on the server, so it has no result. Create a new job.`
          : job.state === 'unknown'
            ? `Job ${job.jobId} has no result: ${unknownStatusText(job)}. Refresh it to ask Zoho again.`
            : `Job ${job.jobId} is still running; its result can be opened when it completes.`,
      );
      return undefined;
    }
    if (pointToMergedFile(services, job)) {
      return undefined;
    }
    return openResult(services, job);
  };
}

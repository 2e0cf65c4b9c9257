// Opens a completed job's CSV in an editor (language csv), downloading it first when needed.
import * as vscode from 'vscode';
import type { TrackedJob } from '../jobs/model';
import type { Services } from '../services';
import { unknownStatusText } from '../views/jobDescription';
import { noRecordsNote } from '../views/noRecordsNote';
import { resolveJob } from './pickers';
import { ensureResultWithProgress, isCompleted } from './resultFile';
import { showCommandError } from './showError';

/** VS Code does not sync documents above this size to extensions (openTextDocument fails). */
export const EXTENSION_DOCUMENT_LIMIT_BYTES = 50 * 1024 * 1024;

async function openAsCsv(uri: vscode.Uri): Promise<vscode.TextEditor> {
  let document = await vscode.workspace.openTextDocument(uri);
  // 'csv' is only known when some extension contributes it; setting an unknown id throws.
  if (document.languageId !== 'csv' && (await vscode.languages.getLanguages()).includes('csv')) {
    document = await vscode.languages.setTextDocumentLanguage(document, 'csv');
  }
  return vscode.window.showTextDocument(document, { preview: false });
}

export async function openResult(
  services: Services,
  job: TrackedJob,
): Promise<vscode.TextEditor | vscode.Uri | undefined> {
  try {
    const result = await ensureResultWithProgress(services, job);
    const uri = vscode.Uri.file(result.path);
    if (result.bytes > EXTENSION_DOCUMENT_LIMIT_BYTES) {
      await vscode.commands.executeCommand('vscode.open', uri);
      void vscode.window.showInformationMessage(
        `${job.ref.report} job ${job.jobId} is ${Math.round(result.bytes / (1024 * 1024))} MB: opened in the editor directly, because VS Code does not hand files over 50 MB to extensions (so no CSV language mode). Save it to the workspace to work with it in other tools.`,
      );
      return uri;
    }
    const editor = await openAsCsv(uri);
    const note = noRecordsNote(result);
    if (note) {
      void vscode.window.showInformationMessage(`${job.ref.report} job ${job.jobId}: ${note}`);
    }
    return editor;
  } catch (error) {
    showCommandError(services, `Could not open the result of job ${job.jobId}`, error, job.accountId);
    return undefined;
  }
}

export function registerOpenResult(context: vscode.ExtensionContext, services: Services): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('creatorBulkJobs.openResult', async (arg?: unknown) => {
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
      return openResult(services, job);
    }),
  );
}

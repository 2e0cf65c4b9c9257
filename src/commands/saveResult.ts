// Copies a completed job's CSV into the workspace (setting creatorBulkJobs.exportFolder), never
// overwriting an existing file without asking.
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { LocalRefusal } from '../core/refusal';
import { pickWorkspaceFolder, uriExists } from '../host/workspaceFiles';
import { relativeSegments } from '../exports/destination';
import type { TrackedJob } from '../jobs/model';
import { resultFileName } from '../results/resultPaths';
import type { Services } from '../services';
import { noRecordsNote } from '../views/noRecordsNote';
import { resolveJob } from './pickers';
import { ensureResultWithProgress, isCompleted } from './resultFile';
import { showCommandError } from './showError';
import { pointToMergedFile } from './mergedBatch';

const OVERWRITE = 'Overwrite';
const SAVE_AS = 'Save As...';

/** The export folder as path segments, or an error text when it would leave the workspace. */
export function exportFolderSegments(setting: string): string[] | string {
  const segments = relativeSegments(setting.trim() || 'exports');
  return typeof segments === 'string'
    ? `The setting creatorBulkJobs.exportFolder must be a folder inside the workspace, not "${setting}".`
    : segments;
}

function saveDialog(defaultUri: vscode.Uri): Thenable<vscode.Uri | undefined> {
  return vscode.window.showSaveDialog({ defaultUri, filters: { CSV: ['csv'] }, saveLabel: 'Save CSV' });
}

interface Target {
  uri: vscode.Uri;
  /** True only when the user agreed to replace an existing file (or the save dialog confirmed it). */
  overwrite: boolean;
}

async function chooseTarget(
  job: TrackedJob,
  folder: vscode.WorkspaceFolder | undefined,
): Promise<Target | undefined> {
  const name = resultFileName(job.ref, job.jobId);
  if (!folder) {
    const uri = await saveDialog(vscode.Uri.file(path.join(os.homedir(), name)));
    return uri && { uri, overwrite: true };
  }
  const setting = vscode.workspace.getConfiguration('creatorBulkJobs').get<string>('exportFolder', 'exports');
  const segments = exportFolderSegments(setting);
  if (typeof segments === 'string') {
    throw new LocalRefusal(segments);
  }
  const uri = vscode.Uri.joinPath(folder.uri, ...segments, name);
  if (!(await uriExists(uri))) {
    return { uri, overwrite: false };
  }
  const shown = [...segments, name].join('/');
  const choice = await vscode.window.showWarningMessage(
    `${shown} already exists. Overwrite it?`,
    { modal: true, detail: 'The existing file will be replaced by the result of this job.' },
    OVERWRITE,
    SAVE_AS,
  );
  if (choice === OVERWRITE) {
    return { uri, overwrite: true };
  }
  if (choice === SAVE_AS) {
    const chosen = await saveDialog(uri);
    return chosen && { uri: chosen, overwrite: true };
  }
  return undefined;
}

function announce(uri: vscode.Uri, inWorkspace: boolean, note: string | undefined): void {
  const shown = inWorkspace ? vscode.workspace.asRelativePath(uri) : uri.fsPath;
  const actions = inWorkspace ? ['Reveal in Explorer', 'Open'] : ['Open'];
  void vscode.window
    .showInformationMessage(note ? `Saved ${shown}: ${note}` : `Saved ${shown}.`, ...actions)
    .then((choice) => {
      if (choice === 'Reveal in Explorer') {
        void vscode.commands.executeCommand('revealInExplorer', uri);
      } else if (choice === 'Open') {
        void vscode.commands.executeCommand('vscode.open', uri);
      }
    });
}

export async function saveResult(services: Services, job: TrackedJob): Promise<vscode.Uri | undefined> {
  try {
    const result = await ensureResultWithProgress(services, job);
    const folder = await pickWorkspaceFolder('Save into which workspace folder?');
    const target = await chooseTarget(job, folder);
    if (!target) {
      return undefined;
    }
    await vscode.workspace.fs.createDirectory(vscode.Uri.joinPath(target.uri, '..'));
    await vscode.workspace.fs.copy(vscode.Uri.file(result.path), target.uri, { overwrite: target.overwrite });
    services.logger.info(`Saved the result of job ${job.jobId} to ${target.uri.fsPath}`);
    await services.jobs.markSeen(job.key);
    announce(
      target.uri,
      vscode.workspace.getWorkspaceFolder(target.uri) !== undefined,
      noRecordsNote(result),
    );
    return target.uri;
  } catch (error) {
    showCommandError(services, `Could not save the result of job ${job.jobId}`, error, job.accountId);
    return undefined;
  }
}

/** The handler of 'creatorBulkJobs.saveResult' (registered, and loaded on first use, by registerCommands.ts). */
export function saveResultCommand(services: Services) {
  return async (arg?: unknown) => {
    const job = await resolveJob(services, arg, {
      filter: isCompleted,
      placeHolder: 'Save the result of which job?',
      noneMessage: 'No completed job yet: results can be saved once a job completes.',
    });
    if (!job) {
      return undefined;
    }
    if (!isCompleted(job)) {
      void vscode.window.showInformationMessage(
        `Job ${job.jobId} has no result to save (it is ${job.state}).`,
      );
      return undefined;
    }
    if (pointToMergedFile(services, job)) {
      return undefined;
    }
    return saveResult(services, job);
  };
}

// Compare with Previous Run (issue 20.4): on a run of a saved export (its tree row, or a picker
// from the palette), compares its file with the previous run's by ID (../exports/compareCsv.ts,
// streamed through bucket files, so a 1,000,000-record run fits the export path's memory) and
// opens the summary as a read-only Markdown preview; every difference is offered as a CSV. A
// previous file that is gone or no longer the one its run wrote is said, with what is possible.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { errorMessage } from '../core/format';
import { keepNewestFiles } from '../core/keepNewest';
import { compareCsv, CompareError } from '../exports/compareCsv';
import { compareMarkdown } from '../exports/compareReport';
import { previousGoneReason, runsInBetween } from '../exports/compareSides';
import { historyKey, type RunHistoryApi, type RunRecord } from '../exports/runHistory';
import type { Services } from '../services';
import { runRowText, runTitle } from '../views/historyText';
import { showCommandError } from './showError';

export const COMPARE_RUNS_COMMAND = 'creatorBulkJobs.compareWithPreviousRun';

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}

/** Summaries and differences kept in the compare folder (a 1,000,000-record difference list is large). */
const KEPT_COMPARE_FILES = 10;

/** The run a tree row names, or the one the user picks among runs that have a previous one. */
async function chooseRun(history: RunHistoryApi, arg: unknown): Promise<RunRecord | undefined> {
  const node = arg as { definition?: unknown; runId?: unknown } | undefined;
  if (typeof node?.definition === 'string' && typeof node.runId === 'string') {
    return history.runsOf(node.definition).find((run) => run.id === node.runId);
  }
  const now = Date.now();
  const items = history.definitions().flatMap((key) =>
    history
      .runsOf(key)
      .filter((run) => history.previousOf(key, run.id))
      .map((run) => ({
        label: run.definition,
        description: runRowText(run, now),
        detail: runTitle(run, now),
        run,
      })),
  );
  if (items.length === 0) {
    void vscode.window.showInformationMessage(
      'No saved export has two recorded runs yet: run one again (Run Saved Export) to compare its runs.',
    );
    return undefined;
  }
  return (
    await vscode.window.showQuickPick(items, { placeHolder: 'Compare which run with the run before it?' })
  )?.run;
}

/**
 * The previous run's file, or another CSV the user picks when it is gone (undefined: none). A run
 * that wrote the same file name as this one was replaced by it (unless both hold the same bytes).
 */
async function previousFile(
  previous: RunRecord,
  current: RunRecord,
): Promise<{ file: string; warning?: string } | undefined> {
  const replaced = previous.file === current.file && previous.sha256 !== current.sha256;
  if (previous.file && !replaced && (await exists(previous.file))) {
    return { file: previous.file };
  }
  const where = previousGoneReason(previous, current);
  const choice = await vscode.window.showWarningMessage(
    `The previous run of ${previous.definition} cannot be compared: ${where}. You can compare with another CSV of the same report.`,
    'Compare with a File…',
  );
  if (!choice) {
    return undefined;
  }
  const picked = await vscode.window.showOpenDialog({
    canSelectMany: false,
    filters: { CSV: ['csv'] },
    openLabel: 'Compare',
    defaultUri: previous.file ? vscode.Uri.file(path.dirname(previous.file)) : undefined,
  });
  const file = picked?.[0]?.fsPath;
  return file
    ? {
        file,
        warning: `The previous run's file could not be compared (${replaced ? 'this run replaced it' : 'it is gone'}); compared with ${file} instead.`,
      }
    : undefined;
}

/**
 * Where "Save Differences As…" proposes: the workspace folder, else the folder the user keeps the
 * run's file in (an incremental run's snapshot copy is in the internal `.runs` folder: its parent).
 */
function saveFolder(current: RunRecord): string {
  const workspace = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  if (workspace) {
    return workspace;
  }
  const folder = path.dirname(current.file as string);
  return folder.endsWith('.runs') ? path.dirname(folder) : folder;
}

/** Copies the differences where the user picks, and says so (or why not). */
async function saveDifferences(services: Services, differences: string, current: RunRecord): Promise<void> {
  const target = await vscode.window.showSaveDialog({
    defaultUri: vscode.Uri.file(path.join(saveFolder(current), path.basename(differences))),
    filters: { CSV: ['csv'] },
  });
  if (!target) {
    return;
  }
  try {
    await fs.copyFile(differences, target.fsPath);
  } catch (error) {
    services.logger.error(`Could not save the differences to ${target.fsPath}: ${errorMessage(error)}`);
    const again = await vscode.window.showErrorMessage(
      `The differences were not saved to ${target.fsPath}: ${errorMessage(error)}`,
      'Save Differences As…',
    );
    if (again) {
      await saveDifferences(services, differences, current);
    }
    return;
  }
  const choice = await vscode.window.showInformationMessage(
    `Saved the differences of ${current.definition} to ${vscode.workspace.asRelativePath(target)}.`,
    'Open',
    'Reveal in Explorer',
  );
  if (choice === 'Open') {
    await vscode.commands.executeCommand('vscode.open', target, { preview: false });
  } else if (choice === 'Reveal in Explorer') {
    await vscode.commands.executeCommand('revealInExplorer', target);
  }
}

/** Said on the current side when runs not in this history (e.g. the command line's) updated the snapshot in between. */
async function unlistedRuns(previous: RunRecord, current: RunRecord): Promise<string | undefined> {
  const between = await runsInBetween(previous, current);
  return between > 0
    ? `${between} run${between === 1 ? '' : 's'} not in this history (from the command line, or another window's workspace) updated the snapshot between these two: their changes are counted here too.`
    : undefined;
}

export async function compareWithPreviousRun(services: Services, arg?: unknown): Promise<string | undefined> {
  const { history } = services;
  if (!history) {
    return undefined;
  }
  const current = await chooseRun(history, arg);
  if (!current) {
    return undefined;
  }
  const previous = history.previousOf(historyKey(current), current.id);
  if (!previous) {
    void vscode.window.showInformationMessage(
      `This is the first recorded run of ${current.definition}: there is no run before it to compare with.`,
    );
    return undefined;
  }
  if (!current.file || !(await exists(current.file))) {
    void vscode.window.showWarningMessage(
      `This run of ${current.definition} cannot be compared: ${current.file ? `${path.basename(current.file)} no longer exists` : 'it left no file'}.`,
    );
    return undefined;
  }
  const before = await previousFile(previous, current);
  if (!before) {
    return undefined;
  }
  const folder = path.join(services.storageDir, 'compare');
  await fs.mkdir(folder, { recursive: true });
  await keepNewestFiles(folder, KEPT_COMPARE_FILES, (name) => /\.(md|csv)$/.test(name));
  const differences = path.join(
    folder,
    `${current.definition.replace(/[^\w.-]+/g, '_')} differences ${current.id.slice(0, 8)}.csv`,
  );
  const summaryFile = path.join(
    folder,
    `${current.definition.replace(/[^\w.-]+/g, '_')} compare ${current.id.slice(0, 8)}.md`,
  );
  try {
    const summary = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: `Comparing two runs of ${current.definition}…`,
      },
      () => compareCsv(before.file, current.file as string, { workDir: folder, differencesCsv: differences }),
    );
    const changedSince = (run: RunRecord, sha: string): string | undefined =>
      run.sha256 && run.sha256 !== sha
        ? `${path.basename(run.file ?? '')} changed since its run (its checksum differs): it was compared as it is now.`
        : undefined;
    const now = Date.now();
    const markdown = compareMarkdown(
      `${current.definition}: this run compared with the previous one`,
      {
        title: runTitle(previous, now),
        file: before.file,
        warning: before.warning ?? changedSince(previous, summary.previousSha256),
      },
      {
        title: runTitle(current, now),
        file: current.file,
        warning: changedSince(current, summary.currentSha256) ?? (await unlistedRuns(previous, current)),
      },
      summary,
      differences,
    );
    await fs.writeFile(summaryFile, markdown);
    await vscode.commands.executeCommand('markdown.showPreview', vscode.Uri.file(summaryFile));
    const total = summary.added + summary.changed + summary.removed;
    if (total > 0) {
      void vscode.window
        .showInformationMessage(
          `${current.definition}: ${total.toLocaleString('en-US')} records differ from the previous run.`,
          'Open Differences (CSV)',
          'Save Differences As…',
        )
        .then(async (choice) => {
          if (choice === 'Open Differences (CSV)') {
            await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(differences), {
              preview: false,
            });
          } else if (choice === 'Save Differences As…') {
            await saveDifferences(services, differences, current);
          }
        })
        .then(undefined, (error) => services.logger.error(`Notification action failed: ${String(error)}`));
    }
    return summaryFile;
  } catch (error) {
    if (error instanceof CompareError) {
      void vscode.window.showErrorMessage(
        `The runs of ${current.definition} cannot be compared: ${error.message}`,
      );
      return undefined;
    }
    showCommandError(services, `Could not compare the runs of ${current.definition}`, error);
    return undefined;
  }
}

/** The handler of COMPARE_RUNS_COMMAND (registered, and loaded on first use, by registerCommands.ts). */
export function compareRunsCommand(services: Services) {
  return (arg?: unknown) => compareWithPreviousRun(services, arg);
}

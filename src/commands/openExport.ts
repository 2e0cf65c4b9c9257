// Open Export: the merged CSV of a completed export, or the partial file a stopped one kept,
// read-only through the same file system as Open Result (src/host/resultFileSystem.ts). A file
// above EXTENSION_DOCUMENT_LIMIT_BYTES opens as a preview of its first rows at once, with its size
// said and Reveal in Explorer offered: opened whole it stops at VS Code's "very large" page.
// A completed export's file is checked first: one changed since is not opened as the export.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { exportFile, exportFileFigures } from '../exports/model';
import { EXTENSION_DOCUMENT_LIMIT_BYTES, exportUri } from '../host/resultFileSystem';
import type { Services } from '../services';
import { formatMegabytes } from '../views/jobDescription';
import { checkedExportFile, resolveExport } from './exportArgs';
import { PREVIEW_RECORDS, tooLargeText } from './openResult';
import { showCommandError } from './showError';

/** The handler of 'creatorBulkJobs.openExport' (registered, and loaded on first use, by registerCommands.ts). */
export function openExportCommand(services: Services) {
  return async (arg?: unknown) => {
    const run = await resolveExport(services, arg, (r) => exportFile(r) !== undefined, 'Open which export?');
    const checked = run && (await checkedExportFile(services, run));
    if (!run || !checked || checked.problem !== undefined) {
      return undefined;
    }
    const file = checked.file;
    try {
      const { size } = await fs.stat(file);
      const whole = size <= EXTENSION_DOCUMENT_LIMIT_BYTES;
      const uri = whole ? exportUri(run) : exportUri(run, PREVIEW_RECORDS);
      await vscode.commands.executeCommand('vscode.open', uri, { preview: false });
      await services.exports.markSeen(run.id);
      if (!whole) {
        void vscode.window
          .showInformationMessage(
            `${path.basename(file)} is ${formatMegabytes(size)} MB, ${tooLargeText(exportFileFigures(run).records)} The whole file is in the workspace for other tools.`,
            'Reveal in Explorer',
          )
          .then((choice) => choice && vscode.commands.executeCommand('creatorBulkJobs.revealExport', run.id));
      }
      return uri;
    } catch (error) {
      showCommandError(services, `Could not open ${file}`, error);
      return undefined;
    }
  };
}

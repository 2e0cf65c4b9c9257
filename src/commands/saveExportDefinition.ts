// Save as Definition: turns an export that ran into a named definition in .vscode/zoho-exports.json
// (created when missing; comments and formatting of an existing file are kept).
import * as path from 'node:path';
import { applyEdits, modify } from 'jsonc-parser';
import * as vscode from 'vscode';
import { expandDestination } from '../exports/destination';
import { definitionsFileText, parseDefinitions, type ExportDefinition } from '../exports/definitions';
import type { ExportRun } from '../exports/model';
import { readExportFile } from '../host/settings';
import type { Services } from '../services';
import { definitionsUri, readText } from './definitionFiles';
import { resolveExport } from './exportArgs';
import { showCommandError } from './showError';

/** The destination to save: the settings' template when that is what the run used, else its path. */
function destinationOf(run: ExportRun, folder: vscode.WorkspaceFolder): string {
  const relative = path.relative(folder.uri.fsPath, run.destination).split(path.sep).join('/');
  const template = readExportFile();
  return expandDestination(template, run.ref, new Date(run.startedAt)) === relative ? template : relative;
}

export function definitionOf(
  services: Services,
  run: ExportRun,
  name: string,
  folder: vscode.WorkspaceFolder,
): ExportDefinition {
  const account = services.accounts.get(run.accountId);
  const definition: ExportDefinition = { name, app: run.ref.app, report: run.ref.report };
  if (account) {
    definition.account = account.label;
  }
  if (account && run.ref.owner !== account.owner) {
    definition.owner = run.ref.owner;
  }
  if (run.query.criteria) {
    definition.criteria = run.query.criteria;
  }
  if (run.query.fields?.length) {
    definition.fields = run.query.fields;
  }
  if (run.query.max_records !== undefined) {
    definition.batchSize = run.query.max_records;
  }
  definition.destination = destinationOf(run, folder);
  return definition;
}

export async function saveExportDefinition(
  services: Services,
  arg?: unknown,
): Promise<vscode.Uri | undefined> {
  const run = await resolveExport(services, arg, () => true, 'Save which export as a definition?');
  if (!run) {
    return undefined;
  }
  const folder =
    vscode.workspace.getWorkspaceFolder(vscode.Uri.file(run.destination)) ??
    vscode.workspace.workspaceFolders?.[0];
  if (!folder) {
    void vscode.window.showInformationMessage(
      'Open a folder first: definitions are saved in its .vscode/zoho-exports.json.',
    );
    return undefined;
  }
  try {
    const uri = definitionsUri(folder);
    const text = await readText(uri);
    const taken = new Set(
      text === undefined ? [] : parseDefinitions(text).definitions.map((d) => d.definition.name),
    );
    const name = await vscode.window.showInputBox({
      title: 'Save as Definition',
      prompt: `A name for this export in ${vscode.workspace.asRelativePath(uri)}.`,
      value: taken.has(run.ref.report) ? `${run.ref.report} (${taken.size + 1})` : run.ref.report,
      ignoreFocusOut: true,
      validateInput: (value) =>
        value.trim() === ''
          ? 'Enter a name.'
          : taken.has(value.trim())
            ? `"${value.trim()}" is taken.`
            : undefined,
    });
    if (name === undefined) {
      return undefined;
    }
    const definition = definitionOf(services, run, name.trim(), folder);
    const next =
      text === undefined || text.trim() === ''
        ? definitionsFileText([definition])
        : applyEdits(
            text,
            modify(text, ['exports', -1], definition, {
              formattingOptions: { insertSpaces: true, tabSize: 2 },
            }),
          );
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(next));
    const editor = await vscode.window.showTextDocument(uri, { preview: false });
    const offset = next.lastIndexOf(`"name": ${JSON.stringify(definition.name)}`);
    if (offset >= 0) {
      const position = editor.document.positionAt(offset);
      editor.selection = new vscode.Selection(position, position);
      editor.revealRange(new vscode.Range(position, position));
    }
    return uri;
  } catch (error) {
    showCommandError(services, 'Could not save the definition', error);
    return undefined;
  }
}

export function registerSaveExportDefinition(context: vscode.ExtensionContext, services: Services): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('creatorBulkJobs.saveExportDefinition', (arg?: unknown) =>
      saveExportDefinition(services, arg),
    ),
  );
}

// Save as Definition: turns an export that ran into a named definition in .vscode/zoho-exports.json
// (created when missing; comments and formatting of an existing file are kept).
import * as path from 'node:path';
import * as vscode from 'vscode';
import { DEFAULT_EXPORT_FILE, expandDestination } from '../exports/destination';
import { definitionsFileText, jsonc, parseDefinitions, type ExportDefinition } from '../exports/definitions';
import type { ExportRun } from '../exports/model';
import { readExportFile } from '../host/settings';
import type { Services } from '../services';
import { definitionsUri, readText } from '../host/definitionFiles';
import { resolveExport } from './exportArgs';
import { showCommandError } from './showError';

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Whether `relative` is what `template` gives for this run on some day and time. */
function madeFrom(template: string, run: ExportRun, relative: string): boolean {
  // Expanded with marker values, then the markers widened: {date} and {time} may be the day or
  // second the destination was typed, not the run's startedAt.
  const marked = expandDestination(template, run.ref, new Date(2000, 0, 1, 0, 0, 0));
  const pattern = escape(marked)
    .replace(/2000-01-01/g, '\\d{4}-\\d{2}-\\d{2}')
    .replace(/000000/g, '\\d{6}');
  return new RegExp(`^${pattern}$`).test(relative);
}

/**
 * The destination to save: a pattern, so the definition writes a new dated file each run. The
 * template the run was made from (the setting's, or the default) when it matches; else the path with
 * the report, application and the run's date put back as placeholders.
 */
export function destinationOf(run: ExportRun, folder: vscode.WorkspaceFolder): string {
  const relative = path.relative(folder.uri.fsPath, run.destination).split(path.sep).join('/');
  const template = [readExportFile(), DEFAULT_EXPORT_FILE].find((t) => madeFrom(t, run, relative));
  if (template) {
    return template;
  }
  const started = new Date(run.startedAt);
  const dates = [started, new Date(run.startedAt - 24 * 3600 * 1000)].map((day) =>
    expandDestination('{date}', run.ref, day),
  );
  const report = expandDestination('{report}', run.ref, started);
  const app = expandDestination('{app}', run.ref, started);
  let generic = relative.split(report).join('{report}').split(app).join('{app}');
  for (const date of dates) {
    generic = generic.split(date).join('{date}');
  }
  return generic;
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
  const run = await resolveExport(
    services,
    arg,
    (r) => r.snapshot === undefined,
    'Save which export as a definition?',
  );
  if (!run) {
    return undefined;
  }
  if (run.snapshot !== undefined) {
    // A definition made from one run would lose the mode and keep that run's Modified_Time condition.
    void vscode.window.showInformationMessage(
      `This export is a run of the incremental saved export "${run.definition ?? run.ref.report}": it is in .vscode/zoho-exports.json already.`,
    );
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
        : jsonc().applyEdits(
            text,
            jsonc().modify(text, ['exports', -1], definition, {
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

/** The handler of 'creatorBulkJobs.saveExportDefinition' (registered, and loaded on first use, by registerCommands.ts). */
export function saveExportDefinitionCommand(services: Services) {
  return (arg?: unknown) => saveExportDefinition(services, arg);
}

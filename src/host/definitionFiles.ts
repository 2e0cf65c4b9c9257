// Reading the workspace's export definitions files (one per workspace folder), and opening one at a
// definition (used by Run Saved Export and by the export notifications: here, so views need no command).
import * as vscode from 'vscode';
import type * as DefinitionsModule from '../exports/definitions';
import type { ParsedDefinitions } from '../exports/definitions';

/**
 * ../exports/definitions.ts (the parser, criteria checks and schema rules), loaded when a
 * definitions file is first read or edited, not at window start (esbuild.js, buildSplit).
 */
export function definitionsModule(): typeof DefinitionsModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('../exports/definitions') as typeof DefinitionsModule;
}

export interface DefinitionsFile {
  folder: vscode.WorkspaceFolder;
  uri: vscode.Uri;
  parsed: ParsedDefinitions;
}

export function definitionsUri(folder: vscode.WorkspaceFolder): vscode.Uri {
  return vscode.Uri.joinPath(folder.uri, ...definitionsModule().DEFINITIONS_FILE.split('/'));
}

/** The text of `uri`: an editor's with unsaved edits, else the file's; undefined when missing. */
export async function readText(uri: vscode.Uri): Promise<string | undefined> {
  const open = vscode.workspace.textDocuments.find((doc) => doc.uri.toString() === uri.toString());
  if (open?.isDirty) {
    return open.getText();
  }
  try {
    return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
  } catch {
    return undefined;
  }
}

/** Every workspace folder's definitions file that exists, parsed. */
export async function loadDefinitionFiles(): Promise<DefinitionsFile[]> {
  const files: DefinitionsFile[] = [];
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    const uri = definitionsUri(folder);
    const text = await readText(uri);
    if (text !== undefined) {
      files.push({ folder, uri, parsed: definitionsModule().parseDefinitions(text) });
    }
  }
  return files;
}

/**
 * Opens the definitions file at the definition named `name` (the first file that has it), so a
 * failed run leads to the line to fix.
 */
export async function openDefinition(name: string, uri?: string): Promise<boolean> {
  for (const file of await loadDefinitionFiles()) {
    const found = file.parsed.definitions.find((entry) => entry.definition.name === name);
    if (found && (!uri || file.uri.toString() === uri)) {
      const document = await vscode.workspace.openTextDocument(file.uri);
      const at = document.positionAt(found.span.offset);
      await vscode.window.showTextDocument(document, { selection: new vscode.Range(at, at) });
      return true;
    }
  }
  return false;
}

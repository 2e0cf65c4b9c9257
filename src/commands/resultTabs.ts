// The read-only tabs of results and exports (src/host/resultFileSystem.ts) that are no longer
// listed: closed by the commands that remove them (Sign Out, Remove Export from List).
import * as vscode from 'vscode';
import { RESULT_SCHEME } from '../host/resultFileSystem';

/**
 * Closes the read-only tabs of results and exports no longer listed (`keys`: job keys and
 * `export:<id>`): they could no longer be read and would show an error; the files in the workspace stay.
 */
export async function closeTabsOf(keys: string[]): Promise<void> {
  const listed = new Set(keys);
  const tabs = vscode.window.tabGroups.all
    .flatMap((group) => group.tabs)
    .filter((tab) => {
      const uri = tab.input instanceof vscode.TabInputText ? tab.input.uri : undefined;
      return uri?.scheme === RESULT_SCHEME && listed.has(uri.query.replace(/^head:\d+:/, ''));
    });
  if (tabs.length > 0) {
    await vscode.window.tabGroups.close(tabs);
  }
}

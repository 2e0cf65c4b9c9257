// The tree rows of the run history (../exports/runHistory.ts): a saved export's row, with its
// runs beneath it, newest first. Where they go is decided by ./treeShape.ts.
import * as vscode from 'vscode';
import type { RunHistoryApi, RunRecord } from '../exports/runHistory';
import { definitionsFolder, runDescription, runDetails, runLabel, runRowText } from './historyText';

const ICONS: Record<RunRecord['state'], [string, string | undefined]> = {
  completed: ['pass', 'testing.iconPassed'],
  failed: ['error', 'testing.iconFailed'],
  cancelled: ['circle-slash', undefined],
  interrupted: ['warning', 'list.warningForeground'],
};

/**
 * A saved export that has runs: `Nightly orders`, `saved export · 3 runs`; `key` is its history
 * key. Two workspaces' saved exports of one name also say their folder (`· backend`).
 */
export function definitionItem(history: RunHistoryApi | undefined, id: string, key: string): vscode.TreeItem {
  const runs = history?.runsOf(key) ?? [];
  const definition = runs[0]?.definition ?? key;
  const namesakes = (history?.definitions() ?? []).filter(
    (other) => history?.runsOf(other)[0]?.definition === definition,
  );
  const folder = namesakes.length > 1 ? definitionsFolder(runs[0]?.definitionsFile) : undefined;
  const item = new vscode.TreeItem(definition, vscode.TreeItemCollapsibleState.Collapsed);
  item.id = id;
  item.description = `saved export · ${runs.length} ${runs.length === 1 ? 'run' : 'runs'}${folder ? ` · ${folder}` : ''}`;
  item.iconPath = new vscode.ThemeIcon('history');
  item.contextValue = 'savedExport';
  item.tooltip =
    runs.length === 1
      ? `The one recorded run of the saved export "${definition}".`
      : `The last ${runs.length} runs of the saved export "${definition}", newest first.`;
  return item;
}

/** One run: what changed and when; the details on hover; Compare with Previous Run when there is one. */
export function runItem(
  history: RunHistoryApi | undefined,
  node: { id: string; definition: string; runId: string },
  now: number,
): vscode.TreeItem {
  const run = history?.runsOf(node.definition).find((each) => each.id === node.runId);
  if (!history || !run) {
    const gone = new vscode.TreeItem('(run no longer in the history)');
    gone.id = node.id;
    return gone;
  }
  const item = new vscode.TreeItem(runLabel(run), vscode.TreeItemCollapsibleState.None);
  item.id = node.id;
  item.description = runDescription(run, now);
  item.accessibilityInformation = { label: `Run of ${run.definition}, ${runRowText(run, now)}` };
  const markdown = new vscode.MarkdownString();
  for (const line of runDetails(run, now)) {
    markdown.appendText(line);
    markdown.appendMarkdown('\n\n');
  }
  item.tooltip = markdown;
  const [icon, colour] = ICONS[run.state];
  item.iconPath = new vscode.ThemeIcon(icon, colour ? new vscode.ThemeColor(colour) : undefined);
  const tokens = ['historyRun'];
  if (history.previousOf(node.definition, run.id)) {
    tokens.push('hasPrevious');
  }
  item.contextValue = tokens.join(' ');
  return item;
}

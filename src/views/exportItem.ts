// The tree row of an export: its report, state, batches done, records so far and elapsed time;
// its batches are the rows beneath it.
import * as vscode from 'vscode';
import { batchesDone, exportFile, isUntrusted, type ExportRun, type ExportRunState } from '../exports/model';
import { exportDescription } from './exportText';
import { formatRecords } from './jobDescription';

const ICONS: Record<ExportRunState, [string, string | undefined]> = {
  running: ['sync~spin', undefined],
  completed: ['pass-filled', 'testing.iconPassed'],
  failed: ['error', 'testing.iconFailed'],
  cancelled: ['circle-slash', undefined],
  interrupted: ['warning', 'list.warningForeground'],
};

function tooltip(run: ExportRun): vscode.MarkdownString {
  const lines = [
    `Export of ${run.ref.app} / ${run.ref.report}`,
    `State: ${isUntrusted(run) ? 'completed, but its file is not what the export wrote' : run.state}`,
    `Records: ${formatRecords(run.records)} in ${batchesDone(run)} of ${run.batches.length} batches`,
    `File: ${exportFile(run) ?? `${run.destination} (${run.replacedBy ? 'replaced by a later run' : 'when complete'})`}`,
  ];
  if (run.query.criteria) {
    lines.push(`Criteria: ${run.query.criteria}`);
  }
  if (run.definition) {
    lines.push(`Definition: ${run.definition}`);
  }
  if (run.error) {
    lines.push(run.error);
  }
  const markdown = new vscode.MarkdownString();
  for (const line of lines) {
    markdown.appendText(line);
    markdown.appendMarkdown('\n\n');
  }
  return markdown;
}

/** `row` is the export's place in the tree (./treeShape.ts): its id and a label unlike its siblings'. */
export function exportItem(
  run: ExportRun | undefined,
  row: { id: string; label: string; fileInLabel: boolean },
  now: number,
): vscode.TreeItem {
  if (!run) {
    const gone = new vscode.TreeItem('(export no longer listed)');
    gone.id = row.id;
    return gone;
  }
  const item = new vscode.TreeItem(row.label, vscode.TreeItemCollapsibleState.Expanded);
  item.id = row.id;
  item.description = exportDescription(run, now, !row.fileInLabel);
  item.accessibilityInformation = { label: `${row.label}, ${item.description}` };
  item.tooltip = tooltip(run);
  // A completed export whose file changed since looks failed: its records cannot be trusted.
  const shown = isUntrusted(run) ? 'untrusted' : run.state;
  const [icon, colour] = shown === 'untrusted' ? ICONS.failed : ICONS[run.state];
  item.iconPath = new vscode.ThemeIcon(icon, colour ? new vscode.ThemeColor(colour) : undefined);
  // `exportCompleted`, not `completed`: the job rows' menus match their own state tokens.
  // `exportUntrusted` offers Restart Export (package.json menus).
  const tokens = ['export', `export${shown.charAt(0).toUpperCase()}${shown.slice(1)}`];
  if (exportFile(run) !== undefined) {
    tokens.push('hasFile');
  }
  if (run.snapshot !== undefined) {
    tokens.push('incremental'); // no Save as Definition: its definition is what runs it
  }
  item.contextValue = tokens.join(' ');
  if (run.state === 'completed') {
    item.command = { command: 'creatorBulkJobs.openExport', title: 'Open Export', arguments: [run.id] };
  }
  return item;
}

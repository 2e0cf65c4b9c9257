// Command: reveal the extension's log channel.
import * as vscode from 'vscode';

/** The handler of 'creatorBulkJobs.showLog' (registered, and loaded on first use, by registerCommands.ts). */
export function showLogCommand(channel: vscode.OutputChannel) {
  return () => channel.show(true);
}

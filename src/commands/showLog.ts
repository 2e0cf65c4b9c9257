// Command: reveal the extension's log channel.
import * as vscode from 'vscode';

/** The handler of 'creatorBulkJobs.showLog' (registered by registerCommands.ts, loaded with the window: the log is where to look when a command fails). */
export function showLogCommand(channel: vscode.OutputChannel) {
  return () => channel.show(true);
}

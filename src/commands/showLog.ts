// Command: reveal the extension's log channel.
import * as vscode from 'vscode';

export function registerShowLog(context: vscode.ExtensionContext, channel: vscode.OutputChannel): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('creatorBulkJobs.showLog', () => channel.show(true)),
  );
}

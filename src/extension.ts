import * as vscode from 'vscode';

export function activate(_context: vscode.ExtensionContext): void {
  // Wiring arrives with the VS Code layer.
}

export function deactivate(): void {
  // Nothing to release yet.
}

// The extension's one log: a LogOutputChannel seen as the core's Logger. Every line is redacted
// here as a last line of defence, whatever the caller already did.
import * as vscode from 'vscode';
import { mappedLogger, type Logger } from '../core/ports';
import { redact } from '../zoho/redact';

export const LOG_CHANNEL_NAME = 'Zoho Creator Bulk Jobs';

export function createLogChannel(): vscode.LogOutputChannel {
  return vscode.window.createOutputChannel(LOG_CHANNEL_NAME, { log: true });
}

export function channelLogger(channel: vscode.LogOutputChannel): Logger {
  return mappedLogger(channel, redact);
}

/** Where VS Code writes the channel: `<logUri>/<channel name>.log` (characters illegal in file names dropped). */
export function logFileOf(context: vscode.ExtensionContext): vscode.Uri {
  return vscode.Uri.joinPath(context.logUri, `${LOG_CHANNEL_NAME.replace(/[\\/:*?"<>|]/g, '')}.log`);
}

// Reading the extension's settings, clamped to the limits package.json declares (a hand-edited
// settings.json can hold anything).
import * as vscode from 'vscode';
import { DEFAULT_EXPORT_FILE } from '../exports/destination';
import type { PollSettings } from '../jobs/serviceApi';
import { toDownloadIdleTimeoutMs, toPollSettings } from './pollSettings';

export const SECTION = 'creatorBulkJobs';

export type NotificationLevel = 'all' | 'failuresOnly' | 'none';

function config(): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration(SECTION);
}

export function readPollSettings(): PollSettings {
  const c = config();
  return toPollSettings({
    pollIntervalSeconds: c.get('pollIntervalSeconds'),
    maxPollIntervalSeconds: c.get('maxPollIntervalSeconds'),
    unfocusedPollMultiplier: c.get('unfocusedPollMultiplier'),
    maxConcurrentRequests: c.get('maxConcurrentRequests'),
    maxStatusChecksPerMinute: c.get('maxStatusChecksPerMinute'),
  });
}

export function readAutoDownload(): boolean {
  return config().get<boolean>('autoDownload', true) !== false;
}

export function readDownloadIdleTimeoutMs(): number {
  return toDownloadIdleTimeoutMs(config().get<unknown>('downloadIdleTimeoutSeconds'));
}

export function readNotificationLevel(): NotificationLevel {
  const value = config().get<string>('notifications', 'all');
  return value === 'failuresOnly' || value === 'none' ? value : 'all';
}

export function readSimulatorEnabled(): boolean {
  return config().get<boolean>('enableSimulator', false);
}

export function readSimulatorUrl(): string {
  return (config().get<string>('simulatorUrl', '') || 'http://127.0.0.1:8780').trim().replace(/\/+$/, '');
}

/** True when the change touches the poll settings. */
export function affectsPolling(event: vscode.ConfigurationChangeEvent): boolean {
  return [
    'pollIntervalSeconds',
    'maxPollIntervalSeconds',
    'unfocusedPollMultiplier',
    'maxConcurrentRequests',
    'maxStatusChecksPerMinute',
  ].some((name) => event.affectsConfiguration(`${SECTION}.${name}`));
}

/** The destination template of Export Whole Report (workspace-relative, with placeholders). */
export function readExportFile(): string {
  return config().get<string>('exportFile', DEFAULT_EXPORT_FILE).trim() || DEFAULT_EXPORT_FILE;
}

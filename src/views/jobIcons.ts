// One place that turns a tracked job into what the UI shows for its state: a small union, its
// tree icon and its codicon for QuickPick labels.
import * as vscode from 'vscode';
import type { TrackedJob } from '../jobs/model';

/** What a user cares about, derived from the API state plus the local download. */
export type JobDisplayState =
  'running' | 'downloading' | 'ready' | 'completed' | 'downloadFailed' | 'failed' | 'unknown';

export function displayState(job: TrackedJob): JobDisplayState {
  if (job.state === 'running') {
    return 'running';
  }
  if (job.state === 'failed' || job.state === 'unknown') {
    return job.state;
  }
  switch (job.download) {
    case 'downloading':
      return 'downloading';
    case 'ready':
      return 'ready';
    case 'failed':
      return 'downloadFailed';
    default:
      return 'completed';
  }
}

const CODICONS: Record<JobDisplayState, string> = {
  running: 'sync~spin',
  downloading: 'cloud-download',
  ready: 'pass',
  completed: 'pass',
  downloadFailed: 'warning',
  failed: 'error',
  unknown: 'question',
};

const COLORS: Partial<Record<JobDisplayState, string>> = {
  ready: 'testing.iconPassed',
  completed: 'testing.iconPassed',
  downloadFailed: 'list.warningForeground',
  failed: 'testing.iconFailed',
  unknown: 'list.warningForeground',
};

export function jobIcon(job: TrackedJob): vscode.ThemeIcon {
  const state = displayState(job);
  const color = COLORS[state];
  return new vscode.ThemeIcon(CODICONS[state], color ? new vscode.ThemeColor(color) : undefined);
}

/** `$(sync~spin)` and friends, for labels that render codicons (QuickPick, status bar). */
export function jobCodicon(job: TrackedJob): string {
  return `$(${CODICONS[displayState(job)]})`;
}

// What a run of a saved export says in the tree (./historyItem.ts): `+120 ~35 −2` for a run that
// knows what changed, `250,000 records` for a full one; its age and state beside it; the details
// on hover. No editor API here, so the wording is easy to test.
import * as path from 'node:path';
import type { RunRecord } from '../exports/runHistory';
import { formatAge, formatClock, formatCount, formatDuration, formatRecords } from './jobDescription';

const hasChanges = (run: RunRecord): boolean =>
  run.added !== undefined || run.changed !== undefined || run.removed !== undefined;

/** `+120 ~35 −2` when the run counted what changed, else `250,000 records`. */
export function runLabel(run: RunRecord): string {
  if (!hasChanges(run)) {
    return formatRecords(run.records);
  }
  return `+${formatCount(run.added ?? 0)} ~${formatCount(run.changed ?? 0)} −${formatCount(run.removed ?? 0)}`;
}

/** `3 min ago`, with the state when it did not complete (`failed · 3 min ago`). */
export function runDescription(run: RunRecord, now: number): string {
  const age = formatAge(Math.max(0, now - run.finishedAt));
  return run.state === 'completed' ? age : `${run.state} · ${age}`;
}

/** The whole row as one line, for a screen reader and the picker: `+120 ~35 −2 · 3 min ago`. */
export function runRowText(run: RunRecord, now: number): string {
  return `${runLabel(run)} · ${runDescription(run, now)}`;
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / (1024 * 1024)).toFixed(1)} MB` : `${formatCount(bytes)} bytes`;
}

/** The tooltip's lines: everything the history holds about the run. */
export function runDetails(run: RunRecord, now: number): string[] {
  const lines = [
    `Run of ${run.definition} (${run.report})`,
    `${run.state === 'completed' ? 'Completed' : `Stopped (${run.state})`}: started ${formatClock(run.startedAt, now, true)}, took ${formatDuration(run.durationMs)}`,
    `Mode: ${run.mode}`,
    run.snapshotRecords === undefined
      ? `Records: ${formatCount(run.records)}`
      : `Records read: ${formatCount(run.records)} (${formatBytes(run.bytes)}); the snapshot then: ${formatCount(run.snapshotRecords)} records`,
  ];
  if (hasChanges(run)) {
    lines.push(
      `Changes: ${formatCount(run.added ?? 0)} added, ${formatCount(run.changed ?? 0)} changed, ${formatCount(run.removed ?? 0)} removed`,
    );
  }
  lines.push(`Criteria sent: ${run.criteria ?? '(none: every record)'}`);
  lines.push(
    `Spent: ${formatCount(run.creates)} ${run.creates === 1 ? 'job' : 'jobs'} created, ${formatCount(run.statusCalls)} status ${run.statusCalls === 1 ? 'call' : 'calls'}`,
  );
  if (run.snapshotRecords === undefined) {
    lines.push(`Size: ${formatBytes(run.bytes)}`);
  }
  if (run.file) {
    lines.push(`File: ${run.file}`);
  }
  if (run.sha256) {
    lines.push(`SHA-256: ${run.sha256}`);
  }
  if (run.error) {
    lines.push(run.error);
  }
  return lines;
}

/** `…/backend/.vscode/zoho-exports.json` (a path or a URI) → `backend`: the workspace folder it belongs to. */
export function definitionsFolder(definitionsFile: string | undefined): string | undefined {
  if (!definitionsFile) {
    return undefined;
  }
  const parts = definitionsFile.split(/[\\/]/).filter(Boolean);
  const at = parts.length >= 3 && parts[parts.length - 2] === '.vscode' ? parts.length - 3 : parts.length - 2;
  const name = parts[at];
  return name === undefined ? undefined : decodeURIComponent(name);
}

/** `Dec 5 14:02 · 250,000 records`: a run named in the compare summary and the picker. */
export function runTitle(run: RunRecord, now: number): string {
  return `${formatClock(run.startedAt, now)} · ${run.mode} · ${formatRecords(run.snapshotRecords ?? run.records)}${run.file ? ` · ${path.basename(run.file)}` : ''}`;
}

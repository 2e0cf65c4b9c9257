// Short texts describing a job (tree label and description, QuickPick rows). No editor API here,
// so the wording is easy to test.
import { resultMsLeft, type TrackedJob } from '../jobs/model';
import type { CheckTimes } from '../jobs/serviceApi';

const numberFormat = new Intl.NumberFormat('en-US');

export function formatCount(count: number): string {
  return numberFormat.format(count);
}

export function formatRecords(count: number): string {
  return `${formatCount(count)} ${count === 1 ? 'record' : 'records'}`;
}

/** `12 s`, `3 min`, `2 h`, `4 d`: coarse enough that a once-a-minute re-render stays truthful. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 60) {
    return `${seconds} s`;
  }
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) {
    return `${minutes} min`;
  }
  const hours = Math.floor(minutes / 60);
  if (hours < 24) {
    return `${hours} h`;
  }
  return `${Math.floor(hours / 24)} d`;
}

/** `just now` under a minute, else `3 min ago`: finished jobs never need a per-second re-render. */
export function formatAge(ms: number): string {
  return ms < 60_000 ? 'just now' : `${formatDuration(ms)} ago`;
}

/** Megabytes with one decimal, for progress messages. */
export function formatMegabytes(bytes: number): string {
  return (bytes / (1024 * 1024)).toFixed(1);
}

/** `#2000000018003`, or `Batch 2 · 2000000018003` once a job is part of a cursor chain. */
export function jobLabel(job: TrackedJob): string {
  const chained = job.batch > 1 || job.nextBatchKey !== undefined || job.parentKey !== undefined;
  return chained ? `Batch ${job.batch} · ${job.jobId}` : `#${job.jobId}`;
}

/** `expires in 5 h` for a result not downloaded yet (Zoho keeps it 24 hours), or `result expired`. */
export function expiry(job: TrackedJob, now: number): string {
  const left = resultMsLeft(job, now);
  if (left === undefined) {
    return '';
  }
  return left > 0 ? `expires in ${formatDuration(left)}` : 'result expired';
}

/** `100,000 records · 3 min ago`, `running · 12 s`, `failed · 1 h ago`. */
export function jobDescription(job: TrackedJob, now: number): string {
  if (job.state === 'running') {
    return `running · ${formatDuration(now - job.trackedAt)}`;
  }
  const age = formatAge(now - job.changedAt);
  if (job.state === 'failed') {
    return `failed · ${age}`;
  }
  if (job.state === 'unknown') {
    return `${unknownStatusText(job)} · ${age}`;
  }
  const count = job.details?.result?.count;
  const records = count === undefined ? 'completed' : formatRecords(count);
  switch (job.download) {
    case 'downloading':
      return `${records} · downloading`;
    case 'failed':
      return `${records} · download failed · ${expiry(job, now)}`;
    case 'none':
      return `${records} · ${expiry(job, now)}`;
    default:
      return `${records} · ${age}`;
  }
}

/** What Zoho said for a status that is neither running, completed nor failed: its raw text. */
export function unknownStatusText(job: TrackedJob): string {
  const raw = job.details?.status?.trim();
  return raw ? `Zoho status "${raw}"` : 'no status from Zoho';
}

/** "2 min ago", "in 40 s": when the status was checked and will be (the poll budget at work). */
export function checkText(job: TrackedJob, checks: CheckTimes, now: number): [string, string][] {
  const rows: [string, string][] = [];
  if (checks.last !== undefined) {
    rows.push(['Last checked', `${formatDuration(now - checks.last)} ago`]);
  }
  if (job.state === 'running') {
    const next =
      checks.next === undefined
        ? 'by the VS Code window that polls'
        : checks.next <= now
          ? 'now'
          : `in ${formatDuration(checks.next - now)}`;
    rows.push(['Next check', next]);
  }
  return rows;
}

// Short texts describing a job (tree label and description, QuickPick rows). No editor API here,
// so the wording is easy to test.
import { cursorMsLeft, resultMsLeft, usableCursor, type TrackedJob } from '../jobs/model';
import type { CheckTimes } from '../jobs/serviceApi';

/**
 * 1234567 as "1,234,567" (en-US). Whole numbers without Intl: the first Intl.NumberFormat starts
 * ICU, about 14 ms of CPU, which a window start paid for nothing (npm run bench, activation).
 */
export function formatCount(count: number): string {
  if (!Number.isSafeInteger(count)) {
    return count.toLocaleString('en-US');
  }
  const digits = String(Math.abs(count)).replace(/\B(?=(\d{3})+$)/g, ',');
  return count < 0 ? `-${digits}` : digits;
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

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * When something started, in local time: `14:05` today, `Dec 5 14:05` on another day; with
 * `seconds`, `14:05:09`. Tells apart rows that are otherwise alike (two first batches of a report).
 */
export function formatClock(ms: number, now: number, seconds = false): string {
  const at = new Date(ms);
  const two = (n: number): string => String(n).padStart(2, '0');
  const time = `${two(at.getHours())}:${two(at.getMinutes())}${seconds ? `:${two(at.getSeconds())}` : ''}`;
  return at.toDateString() === new Date(now).toDateString()
    ? time
    : `${MONTHS[at.getMonth()]} ${at.getDate()} ${time}`;
}

/**
 * `fetch next batch within 12 min` while a completed job's record cursor can still be followed
 * (Zoho accepts it 15 minutes): what the user can do, not a promise that a batch will come; nothing
 * once it was followed or has expired, nor for a batch of an export (the export follows it itself).
 */
export function cursorText(job: TrackedJob, now: number): string {
  if (job.exportId !== undefined) {
    return '';
  }
  const left = usableCursor(job, now) === undefined ? undefined : cursorMsLeft(job, now);
  if (left === undefined || left <= 0) {
    return '';
  }
  return `fetch next batch within ${left < 60_000 ? '1 min' : formatDuration(left)}`;
}

/** Megabytes with one decimal, for progress messages. */
export function formatMegabytes(bytes: number): string {
  return (bytes / (1024 * 1024)).toFixed(1);
}

/** True once a job is part of a record-cursor chain (it has a next or a previous batch). */
function isChained(job: TrackedJob): boolean {
  return job.batch > 1 || job.nextBatchKey !== undefined || job.parentKey !== undefined;
}

/** `expires in 5 h` for a result not downloaded yet (Zoho keeps it 24 hours), or `result expired`. */
export function expiry(job: TrackedJob, now: number): string {
  const left = resultMsLeft(job, now);
  if (left === undefined) {
    return '';
  }
  return left > 0 ? `expires in ${formatDuration(left)}` : 'result expired';
}

/**
 * What a person scans for: under a report row `Batch 2`; elsewhere the report, `All_Orders` or
 * `All_Orders · Batch 2` in a cursor chain. The job id is in the tooltip and Copy Job ID.
 */
export function jobLabel(job: TrackedJob, underReport = false): string {
  if (underReport) {
    return `Batch ${job.batch}`;
  }
  return isChained(job) ? `${job.ref.report} · Batch ${job.batch}` : job.ref.report;
}

const CRITERIA_CHARS = 28;

/** The criteria and fields a job was created with, shortened: `Status == "Open" · Email, Total`. */
export function queryText(job: TrackedJob): string {
  const query: { criteria?: string; fields?: string[] } =
    job.query && !('record_cursor' in job.query) ? job.query : {};
  const parts: string[] = [];
  const criteria = query.criteria?.trim();
  if (criteria) {
    parts.push(criteria.length > CRITERIA_CHARS ? `${criteria.slice(0, CRITERIA_CHARS - 1)}…` : criteria);
  }
  const fields = query.fields ?? [];
  if (fields.length > 0) {
    parts.push(fields.length <= 2 ? fields.join(', ') : `${fields.length} fields`);
  }
  return parts.join(' · ');
}

/**
 * A download stopped on purpose is no failure: a cancelled export (Discard) stops its batches'
 * downloads (src/jobs/resultDownloads.ts stores them as download 'failed', lastError kind 'cancelled').
 */
export function downloadStopText(job: TrackedJob): string | undefined {
  if (job.download !== 'failed' || job.lastError?.kind !== 'cancelled') {
    return undefined;
  }
  return job.exportId === undefined ? 'download cancelled' : 'download cancelled with its export';
}

/**
 * Count or state first, then age, then the query: `100,000 records · ready · 3 min ago`,
 * `running · 12 s`, `waiting · rate limit until 14:05`, `failed · 1 h ago`. `hold` says why a
 * running job's account is not polled; `ready` marks a result not opened or saved yet (a batch of
 * an export never is: its export's file is the result).
 */
export function jobDescription(
  job: TrackedJob,
  now: number,
  hold?: string,
  ready: boolean = isUnopened(job, now),
): string {
  const parts: string[] = [];
  if (job.state === 'running') {
    parts.push(hold ? `waiting · ${hold}` : `running · ${formatDuration(now - job.trackedAt)}`);
  } else if (job.state === 'failed') {
    parts.push('failed', formatAge(now - job.changedAt));
  } else if (job.state === 'unknown') {
    parts.push(unknownStatusText(job), formatAge(now - job.changedAt));
  } else {
    const count = job.details?.result?.count;
    parts.push(count === undefined ? 'completed' : formatRecords(count));
    if (job.download === 'downloading') {
      parts.push('downloading');
    } else if (job.download === 'failed') {
      parts.push(downloadStopText(job) ?? 'download failed', expiry(job, now));
    } else {
      if (ready) {
        parts.push('ready');
      }
      // A result still on the server says how long Zoho keeps it; one on disk says its age.
      parts.push((job.download === 'none' && expiry(job, now)) || formatAge(now - job.changedAt));
    }
    parts.push(cursorText(job, now));
  }
  const query = queryText(job);
  if (query) {
    parts.push(query);
  }
  return parts.filter((part) => part !== '').join(' · ');
}

/**
 * A result the user has not opened or saved yet (what "ready" counts): completed, on disk or still
 * on the server (automatic download off), not downloading and not failed to download.
 */
export function isUnopened(job: TrackedJob, now: number = Date.now()): boolean {
  if (job.state !== 'completed' || job.result?.seenAt !== undefined) {
    return false;
  }
  if (job.download === 'ready') {
    return true;
  }
  // Still on the server: ready while Zoho keeps it (not once it has expired).
  return job.download === 'none' && (resultMsLeft(job, now) ?? 1) > 0;
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
  // An unknown status is checked for a day only: after that no next check is promised.
  if (job.state === 'running' || (job.state === 'unknown' && checks.next !== undefined)) {
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

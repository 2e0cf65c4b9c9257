// The job row's hover: every field the status API returned, plus what only we know (cursor
// lifetime left, the local file). Values go through appendText so server text cannot inject markdown.
import * as vscode from 'vscode';
import { cursorMsLeft, type TrackedJob } from '../jobs/model';
import type { CheckTimes } from '../jobs/serviceApi';
import {
  checkText,
  downloadStopText,
  expiry,
  formatCount,
  formatDuration,
  unknownStatusText,
} from './jobDescription';

function cursorText(job: TrackedJob, now: number): string {
  if (job.state !== 'completed') {
    return '—';
  }
  if (!job.details?.result?.record_cursor) {
    return 'none (last batch)';
  }
  if (job.nextBatchKey) {
    return 'used for the next batch';
  }
  const left = cursorMsLeft(job, now);
  if (left === undefined) {
    return 'present';
  }
  return left > 0 ? `valid for ${formatDuration(left)} more` : 'expired (cursors last 15 minutes)';
}

function localFileText(job: TrackedJob, now: number, mergedInto: string | undefined): string {
  if (mergedInto !== undefined) {
    return `merged into ${mergedInto} (the batch's own copy is removed)`;
  }
  switch (job.download) {
    case 'ready':
      return job.result ? job.result.path : 'ready';
    case 'downloading':
      return 'downloading…';
    case 'failed':
      return 'download failed';
    default:
      return job.state === 'completed' ? `not downloaded yet (${expiry(job, now)})` : '—';
  }
}

function followsCursor(job: TrackedJob): boolean {
  return job.query !== undefined && 'record_cursor' in job.query;
}

function criteriaOf(job: TrackedJob): string | undefined {
  return job.query && 'criteria' in job.query ? job.query.criteria : undefined;
}

function fieldsOf(job: TrackedJob): string[] | undefined {
  return job.query && 'fields' in job.query ? job.query.fields : undefined;
}

/** `mergedInto`: the export file a batch was appended to (it has no file of its own then). */
export function jobTooltip(
  job: TrackedJob,
  now: number,
  checks: CheckTimes = {},
  mergedInto?: string,
): vscode.MarkdownString {
  const details = job.details;
  const result = details?.result;
  const rows: [string, string][] = [
    ['Job id', job.jobId],
    ['Report', `${job.ref.owner} / ${job.ref.app} / ${job.ref.report}`],
    ['Batch', String(job.batch)],
    ['Criteria', followsCursor(job) ? 'as the previous batch' : (criteriaOf(job) ?? 'all records')],
    [
      'Fields',
      followsCursor(job) ? 'as the previous batch' : (fieldsOf(job)?.join(', ') ?? "the report's columns"),
    ],
    ['Operation', details?.operation ?? '—'],
    ['Created by', details?.created_by ?? '—'],
    ['Created', details?.created_time ?? '—'],
    [
      'Status',
      job.state === 'unknown'
        ? `${unknownStatusText(job)}: not a status this extension knows; still checked, at the slowest pace, for a day`
        : (details?.status ?? job.state),
    ],
    ['Records', result?.count === undefined ? '—' : formatCount(result.count)],
    ['Download URL', result?.download_url ?? '—'],
    ['Record cursor', cursorText(job, now)],
    ['Local file', localFileText(job, now, mergedInto)],
    ...checkText(job, checks, now),
  ];
  const stopped = downloadStopText(job);
  if (stopped) {
    rows.push(['Download', stopped]);
  } else if (job.lastError) {
    rows.push(['Last error', job.lastError.message]);
  }
  const md = new vscode.MarkdownString();
  for (const [label, value] of rows) {
    md.appendMarkdown(`**${label}:** `);
    md.appendText(value);
    md.appendMarkdown('  \n');
  }
  return md;
}

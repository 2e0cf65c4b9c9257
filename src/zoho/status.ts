// Normalises the job status spellings seen in the wild (docs/zoho-bulk-read-api.md, "Reading a job's status") and parses `details`.
import { ZohoError } from './errors';
import { redactKnown, serverText } from './redact';
import type { JobDetails, JobResultInfo, JobState } from './types';

// 'Initiated' is what live clients report first for a new job (issue 16); the others are spellings
// of "not finished yet" seen in other Zoho bulk APIs. Matched without case, spaces, '_' or '-'.
const RUNNING = new Set([
  'inprogress',
  'running',
  'queued',
  'inqueue',
  'pending',
  'notstarted',
  'scheduled',
  'initiated',
  'submitted',
  'processing',
  'inprocess',
  'started',
]);
const COMPLETED = new Set(['completed', 'complete', 'success', 'succeeded']);
const FAILED = new Set(['failed', 'failure', 'error']);

/**
 * 'In-progress', 'IN PROGRESS', 'in_progress', 'Initiated' … -> running; 'Completed' -> completed.
 * Anything else ('Cancelled', an empty or missing status) is 'unknown': shown with its raw text,
 * never downloaded nor called failed, and still checked at the slowest pace (jobs/pollPolicy.ts).
 */
export function normalizeStatus(raw: string): JobState {
  const key = String(raw ?? '')
    .toLowerCase()
    .replace(/[\s_-]+/g, '');
  if (COMPLETED.has(key)) {
    return 'completed';
  }
  if (FAILED.has(key)) {
    return 'failed';
  }
  return RUNNING.has(key) ? 'running' : 'unknown';
}

/** Zoho job ids are long decimal numbers kept as strings (docs/zoho-bulk-read-api.md, "Creating a job"). */
export function isValidJobId(id: string): boolean {
  return /^\d{1,40}$/.test(id);
}

function optionalString(value: unknown): string | undefined {
  if (typeof value === 'string') {
    return value;
  }
  if (typeof value === 'number' && Number.isFinite(value)) {
    return String(value);
  }
  return undefined;
}

/** Masks the secrets in use in a server string; `max` also truncates it (display fields). */
type Clean = (text: string | undefined, max?: number) => string | undefined;

function cleaner(secrets: readonly string[]): Clean {
  return (text, max) => {
    if (text === undefined) {
      return undefined;
    }
    return max === undefined ? redactKnown(text, secrets) : serverText(text, secrets, max);
  };
}

function parseResult(raw: unknown, clean: Clean): JobResultInfo | undefined {
  if (!raw || typeof raw !== 'object') {
    return undefined;
  }
  const source = raw as Record<string, unknown>;
  const result: JobResultInfo = {};
  const count = typeof source.count === 'string' ? Number(source.count) : source.count;
  if (typeof count === 'number' && Number.isFinite(count)) {
    result.count = count;
  }
  const downloadUrl = clean(optionalString(source.download_url), 2000);
  if (downloadUrl) {
    result.download_url = downloadUrl;
  }
  const cursor = clean(optionalString(source.record_cursor));
  if (cursor) {
    result.record_cursor = cursor;
  }
  return result;
}

/**
 * Parses the `details` object of a create or status answer (or a whole body holding `details`).
 * Ids are kept as strings: they exceed what some JSON parsers keep exact, and must be digits
 * (they end up in paths and file names). Server text is masked (`secrets`) and truncated.
 */
export function parseJobDetails(raw: unknown, secrets: readonly string[] = []): JobDetails {
  const clean = cleaner(secrets);
  const body = raw && typeof raw === 'object' ? (raw as Record<string, unknown>) : undefined;
  const details =
    body && body.details && typeof body.details === 'object'
      ? (body.details as Record<string, unknown>)
      : body;
  const id = details ? optionalString(details.id) : undefined;
  if (!details || !id) {
    throw new ZohoError({
      kind: 'server',
      message:
        'Zoho answered without a job id. Try again later; if it persists, check the report in Creator.',
    });
  }
  if (!isValidJobId(id)) {
    throw new ZohoError({
      kind: 'server',
      message: `Zoho answered with an invalid job id ("${serverText(id, secrets, 40)}"; ids are digits only). The job was not tracked. Try again later.`,
    });
  }
  const status = clean(optionalString(details.status) ?? '', 100) ?? '';
  const job: JobDetails = { id, status, state: normalizeStatus(status) };
  const operation = clean(optionalString(details.operation), 100);
  if (operation) {
    job.operation = operation;
  }
  const createdBy = clean(optionalString(details.created_by), 100);
  if (createdBy) {
    job.created_by = createdBy;
  }
  const createdTime = clean(optionalString(details.created_time), 100);
  if (createdTime) {
    job.created_time = createdTime;
  }
  const result = parseResult(details.result ?? body?.result, clean);
  if (result) {
    job.result = result;
  }
  return job;
}

// Normalises the job status spellings seen in the wild (contract section 5) and parses `details`.
import { ZohoError } from './errors';
import type { JobDetails, JobResultInfo, JobState } from './types';

/** 'In-progress', 'IN PROGRESS', 'in_progress' … -> running; 'Completed'/'COMPLETED' -> completed. */
export function normalizeStatus(raw: string): JobState {
  const key = String(raw ?? '')
    .toLowerCase()
    .replace(/[\s_-]+/g, '');
  if (key === 'completed' || key === 'complete' || key === 'success' || key === 'succeeded') {
    return 'completed';
  }
  if (key === 'failed' || key === 'failure' || key === 'error') {
    return 'failed';
  }
  return 'running';
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

function parseResult(raw: unknown): JobResultInfo | undefined {
  if (!raw || typeof raw !== 'object') {
    return undefined;
  }
  const source = raw as Record<string, unknown>;
  const result: JobResultInfo = {};
  const count = typeof source.count === 'string' ? Number(source.count) : source.count;
  if (typeof count === 'number' && Number.isFinite(count)) {
    result.count = count;
  }
  const downloadUrl = optionalString(source.download_url);
  if (downloadUrl) {
    result.download_url = downloadUrl;
  }
  const cursor = optionalString(source.record_cursor);
  if (cursor) {
    result.record_cursor = cursor;
  }
  return result;
}

/**
 * Parses the `details` object of a create or status answer (or a whole body holding `details`).
 * Ids are kept as strings: they exceed what some JSON parsers keep exact.
 */
export function parseJobDetails(raw: unknown): JobDetails {
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
  const status = optionalString(details.status) ?? '';
  const job: JobDetails = { id, status, state: normalizeStatus(status) };
  const operation = optionalString(details.operation);
  if (operation) {
    job.operation = operation;
  }
  const createdBy = optionalString(details.created_by);
  if (createdBy) {
    job.created_by = createdBy;
  }
  const createdTime = optionalString(details.created_time);
  if (createdTime) {
    job.created_time = createdTime;
  }
  const result = parseResult(details.result ?? body?.result);
  if (result) {
    job.result = result;
  }
  return job;
}

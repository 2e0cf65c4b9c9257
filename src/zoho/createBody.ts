// The body of a create request, checked before a call is spent on it (docs/zoho-bulk-read-api.md,
// "Creating a job"). The prompts (src/commands/validation.ts) use the same limits.
import { ZohoError } from './errors';
import type { CreateJobQuery } from './types';

export const MIN_MAX_RECORDS = 100_000;
export const MAX_MAX_RECORDS = 200_000;
export const MAX_RECORDS_STEP = 1_000;

/** Builds the create body: `{"query":{}}` at least; a cursor goes alone ("Creating a job"). */
export function buildCreateBody(query: CreateJobQuery | undefined): { query: Record<string, unknown> } {
  const source = (query ?? {}) as Record<string, unknown>;
  if (source.record_cursor !== undefined) {
    if (typeof source.record_cursor !== 'string' || source.record_cursor.trim() === '') {
      throw badRequest('The record cursor is empty. Fetch the next batch from a completed job.');
    }
    return { query: { record_cursor: source.record_cursor } };
  }
  const out: Record<string, unknown> = {};
  if (source.fields !== undefined) {
    const fields = source.fields;
    if (!Array.isArray(fields) || fields.some((field) => typeof field !== 'string' || field.trim() === '')) {
      throw badRequest('Fields must be a list of field link names.');
    }
    if (fields.length > 0) {
      out.fields = fields.map((field: string) => field.trim());
    }
  }
  if (source.criteria !== undefined) {
    if (typeof source.criteria !== 'string') {
      throw badRequest('Criteria must be text, e.g. Status == "Open".');
    }
    if (source.criteria.trim() !== '') {
      out.criteria = source.criteria.trim();
    }
  }
  if (source.max_records !== undefined) {
    const max = source.max_records;
    if (
      typeof max !== 'number' ||
      !Number.isInteger(max) ||
      max < MIN_MAX_RECORDS ||
      max > MAX_MAX_RECORDS ||
      max % MAX_RECORDS_STEP !== 0
    ) {
      throw badRequest(
        `Records per batch must be a multiple of 1000 between 100000 and 200000 (got ${String(max)}).`,
      );
    }
    out.max_records = max;
  }
  return { query: out };
}

function badRequest(message: string): ZohoError {
  return new ZohoError({ kind: 'badRequest', message });
}

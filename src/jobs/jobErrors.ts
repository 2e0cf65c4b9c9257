// How the job service's parts record a failure on a job, and refuse what cannot be done locally.
import { errorMessage } from '../core/format';
import { ZohoError, isZohoError } from '../zoho/errors';
import { redact } from '../zoho/redact';
import type { TrackedJob } from './model';

export function errorRecord(error: unknown, at: number): NonNullable<TrackedJob['lastError']> {
  if (isZohoError(error)) {
    return { kind: error.kind, message: error.message, at };
  }
  // Stored in the shared jobs.json and shown in tooltips: masked as every log line is.
  return { kind: 'unknown', message: redact(errorMessage(error)), at };
}

export function badRequest(message: string): ZohoError {
  return new ZohoError({ kind: 'badRequest', message });
}

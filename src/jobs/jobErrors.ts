// How the job service's parts record a failure on a job (a refusal made here is a LocalRefusal,
// core/refusal.ts).
import { errorMessage } from '../core/format';
import { isZohoError } from '../zoho/errors';
import { redact } from '../zoho/redact';
import type { TrackedJob } from './model';

export function errorRecord(error: unknown, at: number): NonNullable<TrackedJob['lastError']> {
  if (isZohoError(error)) {
    return { kind: error.kind, message: error.message, at };
  }
  // Stored in the shared jobs.json and shown in tooltips: masked as every log line is.
  return { kind: 'unknown', message: redact(errorMessage(error)), at };
}

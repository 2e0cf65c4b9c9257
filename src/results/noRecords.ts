// A batch with no records (contract section 6) is a completed job with 0 records, never an
// error: Zoho sends a CSV holding only the header row, or no file at all (JSON with code 3000,
// or 9220 "No records exist"), which we keep as an empty file.
import { ZohoError } from '../zoho/errors';
import { countCsvRecords } from './countCsvRecords';

/** 'headerOnly': the CSV has the header row and no record; 'emptyFile': Zoho sent no file. */
export type NoRecords = 'headerOnly' | 'emptyFile';

/** A header row is short: only files up to this size are counted to recognise one. */
const HEADER_ONLY_MAX_BYTES = 64 * 1024;

/** Whether the finished CSV at `filePath` (of `bytes`) holds no records, and in which form. */
export async function noRecordsIn(filePath: string, bytes: number): Promise<NoRecords | undefined> {
  if (bytes === 0) {
    return 'emptyFile';
  }
  if (bytes <= HEADER_ONLY_MAX_BYTES && (await countCsvRecords(filePath)) === 0) {
    return 'headerOnly';
  }
  return undefined;
}

/** Zoho counted records for the job, yet its result holds none: the result is wrong, not empty. */
export function recordsMissing(jobId: string, expected: number): ZohoError {
  return new ZohoError({
    kind: 'server',
    message: `Zoho counted ${expected} records for job ${jobId} but its result holds none; nothing was kept. Download again later; if it keeps happening, create the job again.`,
  });
}

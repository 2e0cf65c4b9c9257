// What Open and Save say about a result with no records (docs/zoho-bulk-read-api.md, "Downloading the result": a batch with no
// records comes as a header-only CSV, or with no file at all, which we keep as an empty file).
import type { LocalResult } from '../jobs/model';

export function noRecordsNote(result: LocalResult): string | undefined {
  if (result.records !== 0) {
    return undefined;
  }
  return result.bytes === 0
    ? 'no records matched; Zoho sent no file (not even a header row), so the CSV is empty.'
    : 'no records matched; the CSV holds only the header row.';
}

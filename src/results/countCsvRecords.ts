// Streaming RFC 4180 record count: newlines inside quoted fields do not end a record.
import { createReadStream } from 'node:fs';

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

/** Counts data records (header excluded). Blank lines are ignored; CRLF, LF and CR all end a record. */
export async function countCsvRecords(filePath: string): Promise<number> {
  let records = 0;
  let inQuotes = false;
  let hasContent = false;
  for await (const chunk of createReadStream(filePath)) {
    const bytes = chunk as Buffer;
    for (let i = 0; i < bytes.length; i++) {
      const byte = bytes[i];
      if (byte === QUOTE) {
        // An escaped quote ("") toggles twice, so a simple toggle is RFC 4180-correct.
        inQuotes = !inQuotes;
        hasContent = true;
      } else if (!inQuotes && (byte === LF || byte === CR)) {
        if (hasContent) {
          records++;
          hasContent = false;
        }
      } else {
        hasContent = true;
      }
    }
  }
  if (hasContent) {
    records++;
  }
  return Math.max(0, records - 1);
}

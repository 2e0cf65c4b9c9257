// CSV records one at a time from a file, and each record's ID, in bounded memory: the snapshot of
// an incremental export (./snapshot.ts) is merged from files of a million records and more.
// RFC 4180 as Zoho writes it (docs/zoho-bulk-read-api.md, "Downloading the result"): quoted values
// may hold commas, quotes ("") and line breaks; CRLF, LF or CR end a record; blank lines are skipped.
import { createReadStream } from 'node:fs';

/** The records of `file` (the header first), each without its line ending. */
export async function* csvRecords(file: string): AsyncGenerator<string> {
  let record = '';
  let inQuotes = false;
  let pendingCr = false;
  for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
    const text = chunk as string;
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (pendingCr) {
        pendingCr = false;
        if (c === 0x0a) {
          start = i + 1;
          continue;
        }
      }
      if (c === 0x22) {
        inQuotes = !inQuotes; // a "" pair toggles twice: still inside
      } else if (!inQuotes && (c === 0x0a || c === 0x0d)) {
        record += text.slice(start, i);
        if (record !== '') {
          yield record;
        }
        record = '';
        start = i + 1;
        pendingCr = c === 0x0d;
      }
    }
    record += text.slice(start);
  }
  if (record !== '') {
    yield record;
  }
}

/** The column names of a header record (link names: quoted only if they hold a comma or quote). */
export function headerColumns(header: string): string[] {
  return splitFields(header, Number.MAX_SAFE_INTEGER);
}

/** The first `count` fields of `record`, unquoted. */
function splitFields(record: string, count: number): string[] {
  const fields: string[] = [];
  let i = 0;
  while (i <= record.length && fields.length < count) {
    if (record[i] === '"') {
      let value = '';
      let j = i + 1;
      for (;;) {
        const quote = record.indexOf('"', j);
        if (quote < 0) {
          value += record.slice(j);
          j = record.length;
          break;
        }
        value += record.slice(j, quote);
        if (record[quote + 1] === '"') {
          value += '"';
          j = quote + 2;
        } else {
          j = quote + 1;
          break;
        }
      }
      fields.push(value);
      i = j + 1; // past the comma
    } else {
      const comma = record.indexOf(',', i);
      const end = comma < 0 ? record.length : comma;
      fields.push(record.slice(i, end));
      i = end + 1;
    }
    if (i > record.length) {
      break;
    }
  }
  return fields;
}

/** The value of column `column` of `record` (the ID column, mostly the first). */
export function fieldAt(record: string, column: number): string {
  return splitFields(record, column + 1)[column] ?? '';
}

/** Zoho's record IDs are long numbers kept as text: shorter first, then by digits (numeric order). */
export function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

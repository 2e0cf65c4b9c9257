// RFC 4180 CSV: UTF-8, CRLF line endings, fields quoted only when they hold a comma, quote, CR or LF.
import { Readable } from 'node:stream';

const NEEDS_QUOTES = /[",\r\n]/;

export function encodeField(value: string): string {
  return NEEDS_QUOTES.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function encodeRow(values: readonly string[]): string {
  return values.map(encodeField).join(',') + '\r\n';
}

const CHUNK_CHARS = 64 * 1024;

/** A Readable that encodes rows only as the consumer asks for them (backpressure-friendly). */
export function csvStream(header: readonly string[], rows: Iterator<string[]>): Readable {
  let headerSent = false;
  return new Readable({
    read() {
      let chunk = headerSent ? '' : encodeRow(header);
      headerSent = true;
      while (chunk.length < CHUNK_CHARS) {
        const next = rows.next();
        if (next.done) {
          if (chunk) {
            this.push(Buffer.from(chunk, 'utf8'));
          }
          this.push(null);
          return;
        }
        chunk += encodeRow(next.value);
      }
      this.push(Buffer.from(chunk, 'utf8'));
    },
  });
}

/** Parses RFC 4180 text (used by tests and benchmarks to check what was served). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (c === '"') {
        quoted = false;
      } else {
        field += c;
      }
      i += 1;
      continue;
    }
    if (c === '"') {
      quoted = true;
    } else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i += 1;
    } else {
      field += c;
    }
    i += 1;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

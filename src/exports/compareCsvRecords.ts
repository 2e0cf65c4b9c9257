// CSV records as text for the compare (./compareCsv.ts): split chunk by chunk (a quoted value may
// hold line ends), split into values, and written back (RFC 4180 quoting).

/** Splits CSV text into records (quotes may hold line ends), chunk by chunk. */
export class RecordSplitter {
  private carry = '';
  private inQuotes = false;

  /** The whole records in `text` (with what was carried over); blank lines are skipped. */
  push(text: string, out: string[]): void {
    const all = this.carry + text;
    let start = 0;
    let inQuotes = this.inQuotes;
    // Resumes scanning after what was carried over (its quotes were counted already).
    for (let i = this.carry.length; i < all.length; i++) {
      const c = all.charCodeAt(i);
      if (c === 0x22) {
        inQuotes = !inQuotes;
      } else if (!inQuotes && (c === 0x0a || c === 0x0d)) {
        if (i > start) {
          out.push(all.slice(start, i));
        }
        start = i + 1;
      }
    }
    this.carry = all.slice(start);
    this.inQuotes = inQuotes;
  }

  end(out: string[]): void {
    if (this.carry.length > 0) {
      out.push(this.carry);
    }
    this.carry = '';
  }
}

/** The values of one CSV record (RFC 4180 quoting). */
export function parseRecord(record: string): string[] {
  const values: string[] = [];
  let i = 0;
  for (;;) {
    if (record.charCodeAt(i) === 0x22) {
      let value = '';
      let from = i + 1;
      for (;;) {
        const quote = record.indexOf('"', from);
        if (quote < 0) {
          value += record.slice(from);
          i = record.length;
          break;
        }
        value += record.slice(from, quote);
        if (record.charCodeAt(quote + 1) === 0x22) {
          value += '"';
          from = quote + 2;
        } else {
          i = quote + 1;
          break;
        }
      }
      const comma = record.indexOf(',', i);
      values.push(value + (comma < 0 ? record.slice(i) : record.slice(i, comma)));
      if (comma < 0) {
        return values;
      }
      i = comma + 1;
    } else {
      const comma = record.indexOf(',', i);
      if (comma < 0) {
        values.push(record.slice(i));
        return values;
      }
      values.push(record.slice(i, comma));
      i = comma + 1;
    }
  }
}

/** One CSV value, quoted when it must be. */
export function csvValue(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

// CSV records as bytes for the compare (./compareCsv.ts): split chunk by chunk without decoding (a
// quoted value may hold line ends, commas and quotes), the ID value found in a record's bytes, and
// the few records that differ split into values and written back as text (RFC 4180 quoting).
// Working on bytes keeps the partition pass free of a string per record (issue 20.4: the compare
// of two 1,000,000-record runs stays within the export path's memory bound).

const QUOTE = 0x22;
const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;

/** A record: bytes `start` to `end` (no line end) of `bytes`. */
export type OnRecord = (bytes: Buffer, start: number, end: number) => void;

/**
 * Splits CSV bytes into records chunk by chunk: a CR or LF outside quotes ends one; blank lines are
 * skipped. A record begun in one chunk is carried (copied) into the next.
 */
export class ByteRecordSplitter {
  private carry: Buffer | undefined;
  private inQuotes = false;

  /** Calls `onRecord` for each whole record in `chunk` (with what was carried over), in order. */
  push(chunk: Buffer, onRecord: OnRecord): void {
    let start = 0;
    if (this.carry) {
      const end = this.boundary(chunk, 0);
      if (end < 0) {
        this.carry = Buffer.concat([this.carry, chunk]);
        return;
      }
      const joined = Buffer.concat([this.carry, chunk.subarray(0, end)]);
      this.carry = undefined;
      onRecord(joined, 0, joined.length);
      start = end + 1;
    }
    for (;;) {
      const end = this.boundary(chunk, start);
      if (end < 0) {
        break;
      }
      if (end > start) {
        onRecord(chunk, start, end);
      }
      start = end + 1;
    }
    // Copied: a slice would keep the whole chunk alive.
    this.carry = start < chunk.length ? Buffer.from(chunk.subarray(start)) : undefined;
  }

  /** The last record, when the file does not end with a line end. */
  end(onRecord: OnRecord): void {
    if (this.carry && this.carry.length > 0) {
      onRecord(this.carry, 0, this.carry.length);
    }
    this.carry = undefined;
  }

  /** The index of the first CR or LF outside quotes from `from` (-1: none in this chunk). */
  private boundary(chunk: Buffer, from: number): number {
    let inQuotes = this.inQuotes;
    for (let i = from; i < chunk.length; i++) {
      const c = chunk[i];
      if (c === QUOTE) {
        inQuotes = !inQuotes;
      } else if (!inQuotes && (c === LF || c === CR)) {
        this.inQuotes = false;
        return i;
      }
    }
    this.inQuotes = inQuotes;
    return -1;
  }
}

/**
 * Where the value at `index` of a record lies in its bytes, as parseRecord reads it: [start, end),
 * or undefined when that value is quoted (the caller decodes that rare record as text). A record
 * with fewer values has an empty one.
 */
export function valueBounds(
  bytes: Buffer,
  start: number,
  end: number,
  index: number,
): [number, number] | undefined {
  let i = start;
  for (let field = 0; field < index; field++) {
    if (bytes[i] === QUOTE && i < end) {
      // Past the quoted part (doubled quotes inside it), then on to the comma as parseRecord does.
      let j = i + 1;
      for (;;) {
        while (j < end && bytes[j] !== QUOTE) {
          j++;
        }
        if (j + 1 < end && bytes[j + 1] === QUOTE) {
          j += 2;
          continue;
        }
        break;
      }
      i = Math.min(j + 1, end);
    }
    while (i < end && bytes[i] !== COMMA) {
      i++;
    }
    if (i >= end) {
      return [end, end];
    }
    i++;
  }
  if (i < end && bytes[i] === QUOTE) {
    return undefined;
  }
  let j = i;
  while (j < end && bytes[j] !== COMMA) {
    j++;
  }
  return [i, j];
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

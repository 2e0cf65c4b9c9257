// Incremental RFC 4180 record counting (contract section 6: `result.count` counts records, not
// lines; quoted values may hold newlines). Fed chunk by chunk so it runs in the same pass that
// writes the file: a result is never read twice.

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

/** Counts data records (header excluded). Blank lines are ignored; CRLF, LF and CR all end a record. */
export class CsvRecordCounter {
  private records = 0;
  private inQuotes = false;
  private hasContent = false;

  push(bytes: Uint8Array): void {
    let { records, inQuotes, hasContent } = this;
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
    this.records = records;
    this.inQuotes = inQuotes;
    this.hasContent = hasContent;
  }

  /** Data records seen so far, counting an unterminated last line; the header row is not counted. */
  get count(): number {
    return Math.max(0, this.records + (this.hasContent ? 1 : 0) - 1);
  }
}

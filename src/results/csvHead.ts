// The first rows of a CSV too large to open whole (Open Export's preview): the header and the
// first `records` data records, cut at a record's end (RFC 4180: a quoted value may hold line
// breaks, so lines are not records). Reads only as far as it needs, and never more than maxBytes.
import { promises as fs } from 'node:fs';

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
const CHUNK_BYTES = 1024 * 1024;

export interface CsvHead {
  /** The header and the records taken, as in the file. */
  bytes: Buffer;
  /** Data records in `bytes` (header excluded). */
  records: number;
  /** True when the file holds nothing past `bytes`. */
  whole: boolean;
}

export async function readCsvHead(
  file: string,
  records: number,
  maxBytes = 16 * 1024 * 1024,
): Promise<CsvHead> {
  const handle = await fs.open(file, 'r');
  try {
    const size = (await handle.stat()).size;
    const chunks: Buffer[] = [];
    let offset = 0;
    let inQuotes = false;
    let hasContent = false;
    /** Rows ended so far (header included) and the byte just past the last one. */
    let rows = 0;
    let cut = 0;
    while (offset < size && offset < maxBytes && rows <= records) {
      const chunk = Buffer.alloc(Math.min(CHUNK_BYTES, size - offset, maxBytes - offset));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, offset);
      if (bytesRead === 0) {
        break;
      }
      chunks.push(chunk.subarray(0, bytesRead));
      for (let i = 0; i < bytesRead && rows <= records; i++) {
        const byte = chunk[i];
        if (byte === QUOTE) {
          // An escaped pair ("") closes and reopens: the state ends up the same.
          inQuotes = !inQuotes;
          hasContent = true;
        } else if (inQuotes || (byte !== LF && byte !== CR)) {
          hasContent = true;
        } else if (byte === LF || (byte === CR && chunk[i + 1] !== LF)) {
          // LF, or a lone CR (a CR at a chunk's end followed by LF ends the row at that LF).
          if (hasContent) {
            rows++;
            cut = offset + i + 1;
          }
          hasContent = false;
        }
      }
      offset += bytesRead;
    }
    const all = Buffer.concat(chunks);
    if (offset >= size && rows <= records) {
      // The whole file fits: an unterminated last row counts too.
      return { bytes: all, records: Math.max(0, rows + (hasContent ? 1 : 0) - 1), whole: true };
    }
    return { bytes: all.subarray(0, cut), records: Math.max(0, rows - 1), whole: false };
  } finally {
    await handle.close();
  }
}

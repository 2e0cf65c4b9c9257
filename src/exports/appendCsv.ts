// Appends one batch's CSV to the merged export file, streaming: the header row is written once
// (from the first batch) and must be byte-for-byte the same in every later batch. The batch's
// records are counted on the way through, so the merged file never needs a second read.
import { createReadStream, createWriteStream, promises as fs } from 'node:fs';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CsvRecordCounter } from '../results/csvRecordCounter';

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;
/** A header longer than this is not a header: a hostile or broken file (guards memory). */
const MAX_HEADER_BYTES = 1024 * 1024;

export class HeaderMismatchError extends Error {
  constructor(
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`its columns differ from the first batch's (expected "${clip(expected)}", got "${clip(actual)}")`);
    this.name = 'HeaderMismatchError';
  }
}

function clip(text: string): string {
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

export interface AppendOutcome {
  /** The batch's header row, without its line ending (undefined for an empty file). */
  header?: string;
  /** Bytes written to the target. */
  bytes: number;
  /** The batch's data records (header excluded), counted as they were appended. */
  records: number;
}

/**
 * Splits off the first RFC 4180 record (quoted fields may hold newlines), checks it against
 * `expectedHeader`, and passes the rest through. Ensures the output ends with a line break so
 * the next batch starts on a new line.
 */
class HeaderSplitter extends Transform {
  private head: Buffer[] = [];
  private headBytes = 0;
  private inQuotes = false;
  /** 0: reading the header; 1: header ended with CR, a LF may follow; 2: passing data through. */
  private phase = 0;
  header?: string;
  private newline = '\n';
  private lastByte = -1;
  written = 0;
  readonly counter = new CsvRecordCounter();

  constructor(private readonly expectedHeader: string | undefined) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.counter.push(chunk);
    let start = 0;
    if (this.phase === 0) {
      let i = 0;
      for (; i < chunk.length; i++) {
        const byte = chunk[i];
        if (byte === QUOTE) {
          this.inQuotes = !this.inQuotes;
        } else if (!this.inQuotes && (byte === LF || byte === CR)) {
          break;
        }
      }
      this.head.push(chunk.subarray(0, i));
      this.headBytes += i;
      if (this.headBytes > MAX_HEADER_BYTES) {
        callback(new Error('its first line is longer than 1 MB, so it is not a CSV header'));
        return;
      }
      if (i === chunk.length) {
        callback();
        return;
      }
      const problem = this.headerEnded(chunk[i] === CR ? '\r\n' : '\n');
      if (problem) {
        callback(problem);
        return;
      }
      this.phase = chunk[i] === CR ? 1 : 2;
      start = i + 1;
    }
    if (this.phase === 1 && start < chunk.length) {
      if (chunk[start] === LF) {
        start++;
      } else {
        this.newline = '\r';
      }
      this.phase = 2;
    }
    if (start < chunk.length) {
      this.output(chunk.subarray(start));
    }
    callback();
  }

  override _flush(callback: TransformCallback): void {
    if (this.phase === 0 && this.headBytes > 0) {
      const problem = this.headerEnded(this.newline); // a header and no records, without a line break
      if (problem) {
        callback(problem);
        return;
      }
    }
    if (this.lastByte !== -1 && this.lastByte !== LF && this.lastByte !== CR) {
      this.output(Buffer.from(this.newline));
    }
    callback();
  }

  private headerEnded(newline: string): Error | undefined {
    this.newline = newline;
    this.header = Buffer.concat(this.head)
      .toString('utf8')
      .replace(/^\uFEFF/, '');
    this.head = [];
    if (this.expectedHeader === undefined) {
      this.output(Buffer.from(`${this.header}${newline}`));
      return undefined;
    }
    return this.header === this.expectedHeader
      ? undefined
      : new HeaderMismatchError(this.expectedHeader, this.header);
  }

  private output(data: Buffer): void {
    if (data.length > 0) {
      this.lastByte = data[data.length - 1];
      this.written += data.length;
      this.push(data);
    }
  }
}

/**
 * Appends `sourcePath` to `targetPath`, first cutting the target back to `targetBytes` (what was
 * recorded as appended: a crash may have left a half-written batch after it).
 * With `expectedHeader` undefined the source's header is written; otherwise it must match and is
 * skipped. An empty source (a batch without records) appends nothing.
 */
export async function appendCsv(
  sourcePath: string,
  targetPath: string,
  targetBytes: number,
  expectedHeader: string | undefined,
  signal?: AbortSignal,
): Promise<AppendOutcome> {
  await truncateTo(targetPath, targetBytes);
  const splitter = new HeaderSplitter(expectedHeader);
  const target = createWriteStream(targetPath, { flags: 'a' });
  try {
    await pipeline(createReadStream(sourcePath), splitter, target, signal ? { signal } : {});
  } catch (error) {
    if (!target.closed) {
      await new Promise<void>((resolve) => target.once('close', () => resolve()));
    }
    throw error;
  }
  return {
    header: splitter.header ?? expectedHeader,
    bytes: splitter.written,
    records: splitter.counter.count,
  };
}

/** Cuts the file back to `bytes`; creates it empty when missing and bytes is 0. */
export async function truncateTo(filePath: string, bytes: number): Promise<void> {
  const handle = await fs.open(filePath, bytes === 0 ? 'w' : 'r+');
  try {
    await handle.truncate(bytes);
  } finally {
    await handle.close();
  }
}

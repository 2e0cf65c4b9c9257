// Streams a result body to a file with backpressure, sniffing the format from the first bytes.
// A JSON body is an error envelope: it is kept in memory (it is small) instead of written.
import { createWriteStream } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { FILE_CHUNK_BYTES } from '../core/fileChunks';
import type { DownloadProgress } from './types';

const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
/** An error envelope larger than this is not an envelope: stop collecting. */
const MAX_ENVELOPE_BYTES = 1024 * 1024;

export interface StreamOutcome {
  bytes: number;
  format: 'zip' | 'csv';
  /** Set instead of a file when the body turned out to be JSON. */
  jsonBody?: string;
}

export function sniffFormat(head: Buffer): 'zip' | 'csv' | 'json' {
  if (head.length >= 4 && head.subarray(0, 4).equals(ZIP_MAGIC)) {
    return 'zip';
  }
  // Skip a UTF-8 BOM and leading whitespace before looking for '{'.
  let start = head.length >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
  while (
    start < head.length &&
    (head[start] === 0x20 || head[start] === 0x0a || head[start] === 0x0d || head[start] === 0x09)
  ) {
    start++;
  }
  return head[start] === 0x7b ? 'json' : 'csv';
}

/** Counts bytes, reports progress and diverts a JSON body into memory. */
class SniffingCounter extends Transform {
  bytes = 0;
  format?: 'zip' | 'csv' | 'json';
  private head: Buffer[] = [];
  private headBytes = 0;
  private envelope: Buffer[] = [];

  constructor(
    private readonly treatAsJson: boolean,
    private readonly onChunk: (bytes: number) => void,
  ) {
    super();
  }

  get jsonText(): string | undefined {
    return this.format === 'json' ? Buffer.concat(this.envelope).toString('utf8') : undefined;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    this.onChunk(this.bytes);
    if (this.format === undefined) {
      // Hold back until four bytes are known: a ZIP magic can straddle chunks.
      this.head.push(chunk);
      this.headBytes += chunk.length;
      if (this.headBytes < 4) {
        callback();
        return;
      }
      const head = Buffer.concat(this.head);
      this.head = [];
      this.format = this.treatAsJson ? 'json' : sniffFormat(head);
      this.accept(head, callback);
      return;
    }
    this.accept(chunk, callback);
  }

  override _flush(callback: TransformCallback): void {
    if (this.format === undefined) {
      const head = Buffer.concat(this.head);
      this.format = this.treatAsJson ? 'json' : sniffFormat(head);
      this.accept(head, callback);
      return;
    }
    callback();
  }

  private accept(chunk: Buffer, callback: TransformCallback): void {
    if (this.format !== 'json') {
      callback(null, chunk);
      return;
    }
    if (this.bytes > MAX_ENVELOPE_BYTES) {
      callback(new Error('The error answer was too large to read.'));
      return;
    }
    this.envelope.push(chunk);
    callback();
  }
}

/** Writes `body` to `destinationPath`. On a failure or a JSON body the caller removes the file. */
export async function streamToFile(
  body: Readable,
  destinationPath: string,
  options: {
    signal?: AbortSignal;
    total?: number;
    jsonHint: boolean;
    onProgress?: (p: DownloadProgress) => void;
  },
): Promise<StreamOutcome> {
  const counter = new SniffingCounter(options.jsonHint, (bytes) =>
    options.onProgress?.({ bytes, total: options.total }),
  );
  // `flags: 'w'` truncates whatever a previous attempt left behind; the large buffer lets socket
  // chunks gather into few writes.
  const file = createWriteStream(destinationPath, { flags: 'w', highWaterMark: FILE_CHUNK_BYTES });
  try {
    await pipeline(body, counter, file, options.signal ? { signal: options.signal } : {});
  } catch (error) {
    // The file's open may still be pending when the source fails: wait for the close, or the
    // caller's unlink runs first and the open then re-creates a partial file.
    if (!file.closed) {
      await new Promise<void>((resolve) => file.once('close', () => resolve()));
    }
    throw error;
  }
  if (counter.format === 'json') {
    return { bytes: counter.bytes, format: 'csv', jsonBody: counter.jsonText };
  }
  return { bytes: counter.bytes, format: counter.format === 'zip' ? 'zip' : 'csv' };
}

export async function removeQuietly(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch {
    // Already gone (or never created): nothing to clean up.
  }
}

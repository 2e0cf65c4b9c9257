// Streams a result body to a file with backpressure, sniffing the format from the first bytes and
// bounding what the server can make us write (bytes) and how long it can keep us waiting (idle
// time, minimum rate). A JSON body is an answer, not a file: it is kept in memory (capped).
import { createWriteStream } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { pipeline as pipeCallback, Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type * as zlib from 'node:zlib';
import { FILE_CHUNK_BYTES } from '../core/fileChunks';
import { ZohoError } from './errors';
import { DEFAULT_IDLE_TIMEOUT_MS, MAX_JSON_BYTES } from './limits';
import type { DownloadProgress } from './types';

const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
/**
 * Default: slower than this, averaged over one idle-timeout window, counts as stalled too; a
 * server trickling a byte a second would otherwise hold a download open for days.
 */
export const DEFAULT_MIN_BYTES_PER_SECOND = 1024;

export type SniffedFormat = 'zip' | 'json' | 'text';

/**
 * A decompression bomb is stopped by its ratio, as hardened unzippers do (Apache POI's
 * ZipSecureFile refuses an entry that inflates more than 100 times its compressed size once past
 * 100 KiB). Deflate reaches about 1,000 times on repeated bytes; the simulator's reports deflate
 * 5 to 7 times, a quote-heavy JSON-valued CSV about 30, a report of 200 empty columns about 70
 * (brotli: up to 2 times more). The ratio is of running totals, checked on every output chunk, so
 * a bomb stops within a chunk of passing it whatever sizes it claims. Below the floor nothing is
 * refused: 1 MiB is harmless and small results may be very repetitive. Used for a ZIP's CSV
 * (src/results/extractCsv.ts) and for a Content-Encoding (decodeBody).
 */
export const MAX_INFLATE_RATIO = 100;
export const INFLATE_RATIO_FLOOR_BYTES = 1024 * 1024;

/** True once `inflated` bytes made from `compressed` ones pass what real data ever reaches. */
export function inflatesTooFar(inflated: number, compressed: number): boolean {
  return inflated > INFLATE_RATIO_FLOOR_BYTES && inflated > compressed * MAX_INFLATE_RATIO;
}

/**
 * The error for a decompression bomb: `what` is the compressed thing ("CSV in the ZIP", ...),
 * stopped once `compressed` bytes read so far had made `inflated` bytes.
 */
export function decompressionBomb(what: string, compressed: number, inflated: number): ZohoError {
  return new ZohoError({
    kind: 'server',
    message: `The result's ${what} expands to more than ${MAX_INFLATE_RATIO} times its compressed size (${compressed.toLocaleString('en-US')} compressed bytes made ${inflated.toLocaleString('en-US')} bytes), which real report data never does: it was stopped as a safety measure and nothing was kept. Download it again; if it keeps happening, create the job again.`,
  });
}

/**
 * A body its Content-Encoding's decoder refuses (corrupt data, not a cut-off one: a gzip stream
 * that ends early is Z_BUF_ERROR, and that is tried again). Sending it again sends the same bytes.
 */
export function undecodableBody(encoding: string, error: unknown): ZohoError | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code !== 'string' || !/^(Z_DATA_ERROR|Z_NEED_DICT|ERR__ERROR_FORMAT_|ERR_BROTLI_)/.test(code)) {
    return undefined;
  }
  return new ZohoError({
    kind: 'server',
    message: `Zoho sent a ${encoding}-encoded body that cannot be decoded (${code}); nothing was kept. Download it again later; if it keeps happening, create the job again.`,
  });
}

/** A body as sent, or decoded from its Content-Encoding. */
export interface DecodedBody {
  stream: Readable;
  /** The Content-Encoding decoded and how many encoded bytes the decoder has consumed so far. */
  encoded?: { name: string; bytes: () => number };
}

/**
 * Decodes a Content-Encoding ourselves (the client turns off axios's own decoding for downloads,
 * src/zoho/http.ts) so that the ratio can be bounded: axios's decoder hides how many bytes came
 * over the wire. Undefined for an encoding we cannot read.
 */
export async function decodeBody(
  body: Readable,
  encoding: string | undefined,
): Promise<DecodedBody | undefined> {
  const name = (encoding ?? '').trim().toLowerCase();
  if (name === '' || name === 'identity') {
    return { stream: body };
  }
  const zlib = await import('node:zlib'); // with the first encoded answer, not at activation
  const options = { chunkSize: FILE_CHUNK_BYTES };
  let decoder: zlib.Unzip | zlib.BrotliDecompress;
  if (name === 'gzip' || name === 'x-gzip' || name === 'deflate') {
    decoder = zlib.createUnzip(options); // gzip or zlib, by their headers
  } else if (name === 'br') {
    decoder = zlib.createBrotliDecompress(options);
  } else {
    return undefined;
  }
  // Either side failing destroys both; the error reaches whoever reads the decoder.
  pipeCallback(body, decoder, () => undefined);
  return { stream: decoder, encoded: { name, bytes: () => decoder.bytesWritten } };
}

export interface StreamLimits {
  /** Fail once more than this many bytes arrived. */
  maxBytes?: number;
  idleTimeoutMs?: number;
  minBytesPerSecond?: number;
}

export interface StreamOutcome {
  bytes: number;
  format: SniffedFormat;
  /** Set instead of a file when the body turned out to be JSON. */
  jsonBody?: string;
}

export function sniffFormat(head: Buffer): SniffedFormat {
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
  return head[start] === 0x7b ? 'json' : 'text';
}

/** What a body that is neither a ZIP nor a declared CSV looks like, for the error message. */
export function describeBody(head: Buffer): string {
  const text = head.subarray(0, 512).toString('latin1').trimStart().toLowerCase();
  if (text.startsWith('<!doctype html') || text.startsWith('<html') || /^<\w/.test(text)) {
    return 'a web page';
  }
  return head.length === 0 ? 'an empty answer' : 'something that is not a ZIP file';
}

/** A body that stopped arriving or crawls: retried by the client. */
export function stalled(detail: string): ZohoError {
  return new ZohoError({
    kind: 'network',
    message: `The download stalled (${detail}). Try downloading again; check your connection if it keeps happening.`,
  });
}

/** Counts bytes, reports progress, enforces the byte cap and diverts a JSON body into memory. */
class SniffingCounter extends Transform {
  bytes = 0;
  format?: SniffedFormat;
  head = Buffer.alloc(0);
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private envelope: Buffer[] = [];

  constructor(
    private readonly options: {
      treatAsJson: boolean;
      maxBytes: number;
      /** See DecodedBody: bounds the decoded bytes by the inflate ratio. */
      encoded?: DecodedBody['encoded'];
      /** Decides, from the sniffed format and the first bytes, whether to go on (throws to refuse). */
      accept: (format: SniffedFormat, head: Buffer) => void;
      /** May return a promise: the chunk is passed on once it resolves (back-pressure). */
      onChunk: (bytes: number, chunk: Buffer, format: SniffedFormat) => Promise<void> | undefined;
    },
  ) {
    super();
  }

  get jsonText(): string | undefined {
    return this.format === 'json' ? Buffer.concat(this.envelope).toString('utf8') : undefined;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    const encoded = this.options.encoded;
    if (encoded && inflatesTooFar(this.bytes, encoded.bytes())) {
      callback(decompressionBomb(`${encoded.name}-encoded download`, encoded.bytes(), this.bytes));
      return;
    }
    if (this.format === undefined) {
      // Hold back until four bytes are known: a ZIP magic can straddle chunks.
      this.pending.push(chunk);
      this.pendingBytes += chunk.length;
      if (this.pendingBytes < 4) {
        callback();
        return;
      }
      this.decide(callback);
      return;
    }
    this.pass(chunk, callback);
  }

  override _flush(callback: TransformCallback): void {
    if (this.format === undefined) {
      this.decide(callback);
      return;
    }
    callback();
  }

  private decide(callback: TransformCallback): void {
    const head = Buffer.concat(this.pending);
    this.pending = [];
    this.head = head.subarray(0, 512);
    const format = this.options.treatAsJson ? 'json' : sniffFormat(head);
    this.format = format;
    try {
      this.options.accept(format, head);
    } catch (error) {
      callback(error as Error);
      return;
    }
    this.pass(head, callback);
  }

  private pass(chunk: Buffer, callback: TransformCallback): void {
    const format = this.format as SniffedFormat;
    const max = format === 'json' ? Math.min(MAX_JSON_BYTES, this.options.maxBytes) : this.options.maxBytes;
    if (this.bytes > max) {
      callback(
        format === 'json'
          ? new ZohoError({ kind: 'server', message: 'Zoho answered with a message too large to read.' })
          : new ZohoError({
              kind: 'server',
              limitBytes: max,
              message: `The result is larger than the ${max} bytes this job can hold or the disk can take; the download was stopped as a safety measure. Check the free disk space and download again.`,
            }),
      );
      return;
    }
    const held = this.options.onChunk(this.bytes, chunk, format);
    if (format !== 'json') {
      if (held) {
        held.then(
          () => callback(null, chunk),
          (error: Error) => callback(error),
        );
        return;
      }
      callback(null, chunk);
      return;
    }
    this.envelope.push(chunk);
    callback();
  }
}

/**
 * Watches a body for stalls: no byte for `idleTimeoutMs`, or fewer than `minBytesPerSecond` on
 * average over a window of that length. Destroys the body with a 'network' ZohoError. Bytes are
 * reported by the pipeline itself (`saw`), so watching adds no second reader to the body.
 */
function watchForStalls(body: Readable, limits: StreamLimits): { saw(bytes: number): void; stop(): void } {
  const idleMs = Math.max(1, limits.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS);
  const minRate = Math.max(0, limits.minBytesPerSecond ?? DEFAULT_MIN_BYTES_PER_SECOND);
  let lastByteAt = Date.now();
  let windowStart = lastByteAt;
  let windowBytes = 0;
  const tick = Math.max(1, Math.min(1000, Math.floor(idleMs / 4)));
  const timer = setInterval(() => {
    const now = Date.now();
    if (now - lastByteAt >= idleMs) {
      body.destroy(stalled(`no data for ${Math.max(1, Math.round(idleMs / 1000))} s`));
      return;
    }
    if (now - windowStart >= idleMs) {
      const rate = (windowBytes * 1000) / (now - windowStart);
      if (rate < minRate) {
        body.destroy(stalled(`${Math.round(rate)} bytes/s, below ${minRate} bytes/s`));
        return;
      }
      windowStart = now;
      windowBytes = 0;
    }
  }, tick);
  return {
    saw: (bytes) => {
      lastByteAt = Date.now();
      windowBytes += bytes;
    },
    stop: () => clearInterval(timer),
  };
}

/**
 * Writes `body` (decoded by decodeBody) to `destinationPath`. On a failure or a JSON body the
 * caller removes the file.
 */
export async function streamToFile(
  { stream: body, encoded }: DecodedBody,
  destinationPath: string,
  options: StreamLimits & {
    signal?: AbortSignal;
    total?: number;
    jsonHint: boolean;
    accept: (format: SniffedFormat, head: Buffer) => void;
    onProgress?: (p: DownloadProgress) => void;
    /** Sees every byte of a text (CSV) body as it passes, e.g. to count records in the same pass. */
    textTap?: (chunk: Buffer) => void;
    /** Sees every byte of a ZIP body as it passes; a promise holds the body until it resolves. */
    zipTap?: (chunk: Buffer) => Promise<void> | undefined;
  },
): Promise<StreamOutcome> {
  const watch = watchForStalls(body, options);
  const counter = new SniffingCounter({
    treatAsJson: options.jsonHint,
    maxBytes: options.maxBytes ?? Number.MAX_SAFE_INTEGER,
    encoded,
    accept: options.accept,
    onChunk: (bytes, chunk, format) => {
      watch.saw(chunk.length);
      options.onProgress?.({ bytes, total: options.total });
      if (format === 'text') {
        options.textTap?.(chunk);
      }
      return format === 'zip' ? options.zipTap?.(chunk) : undefined;
    },
  });
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
  } finally {
    watch.stop();
  }
  return { bytes: counter.bytes, format: counter.format ?? 'text', jsonBody: counter.jsonText };
}

export async function removeQuietly(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch {
    // Already gone (or never created): nothing to clean up.
  }
}

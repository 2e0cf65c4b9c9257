// Streams the one CSV out of a result ZIP (docs/zoho-bulk-read-api.md, "Downloading the result") without holding it in memory, and
// counts its records in the same pass, so the file is read exactly once.
import { createReadStream, createWriteStream, type ReadStream } from 'node:fs';
import { PassThrough, Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type * as yauzl from 'yauzl';
import { FILE_CHUNK_BYTES } from '../core/fileChunks';
import { errorMessage } from '../core/format';
import { silentLogger, type Logger } from '../core/ports';
import { decompressionBomb, inflatesTooFar } from '../zoho/download';
import { cancelledError, ZohoError } from '../zoho/errors';
import { serverText } from '../zoho/redact';
import { crc32, type Crc32 } from './crc32';
import { CsvRecordCounter } from './csvRecordCounter';

/** Ceiling on the extracted size when the caller gives none: a guard against ZIP bombs. */
export const DEFAULT_MAX_EXTRACTED_BYTES = 4 * 1024 ** 3;

export interface ExtractOptions {
  signal?: AbortSignal;
  /** Stop and fail once the CSV grows past this many bytes. */
  maxExtractedBytes?: number;
  /** Entries other than the CSV are ignored; they are named here. */
  logger?: Logger;
}

export interface Extracted {
  bytes: number;
  /** RFC 4180 data records (header excluded). */
  records: number;
}

export function corruptResult(detail: string): ZohoError {
  return new ZohoError({
    kind: 'server',
    message: `The downloaded result is not a valid ZIP file (${detail}); nothing was kept. Download it again; if it keeps failing, create the job again.`,
  });
}

/** True for names that would escape a folder if used as a path (we never use them, but refuse anyway). */
export function isUnsafeEntryName(name: string): boolean {
  return (
    name.startsWith('/') ||
    name.startsWith('\\') ||
    /^[A-Za-z]:/.test(name) ||
    name.split(/[\\/]/).some((segment) => segment === '..')
  );
}

/** yauzl is loaded with the first result, not at activation. */
async function openZip(zipPath: string): Promise<yauzl.ZipFile> {
  const yauzl = await import('yauzl');
  return new Promise((resolve, reject) => {
    // decodeStrings: false keeps yauzl from rejecting the whole archive over one odd name: we
    // never use entry names as paths and judge them ourselves below.
    yauzl.open(zipPath, { lazyEntries: true, autoClose: false, decodeStrings: false }, (error, zipfile) => {
      if (error || !zipfile) {
        reject(corruptResult(error?.message ?? 'unreadable'));
      } else {
        resolve(zipfile);
      }
    });
  });
}

function entryName(entry: yauzl.Entry): string {
  const raw = entry.fileName as unknown;
  return Buffer.isBuffer(raw) ? raw.toString('utf8') : String(raw);
}

/**
 * Reads the whole central directory (names and sizes only, no data) and returns the one `*.csv`
 * entry. Zero or several CSVs are an error: we cannot tell which one is the report.
 */
function findTheCsvEntry(zipfile: yauzl.ZipFile, logger: Logger): Promise<yauzl.Entry> {
  return new Promise((resolve, reject) => {
    // The first CSV and how many there are (a hostile ZIP may list millions: keep none of the rest).
    let csv: yauzl.Entry | undefined;
    let csvCount = 0;
    const others: string[] = [];
    const cleanup = (): void => {
      zipfile.removeListener('entry', onEntry);
      zipfile.removeListener('end', onEnd);
      zipfile.removeListener('error', onError);
    };
    const onEntry = (entry: yauzl.Entry): void => {
      const name = entryName(entry);
      if (/\.csv$/i.test(name) && !name.endsWith('/')) {
        csv ??= entry;
        csvCount++;
      } else if (others.length < 20) {
        others.push(serverText(name, [], 100)); // server text: masked before it is logged
      }
      zipfile.readEntry();
    };
    const onEnd = (): void => {
      cleanup();
      if (!csv || csvCount !== 1) {
        reject(
          corruptResult(
            csvCount === 0
              ? 'it holds no CSV file'
              : `it holds ${csvCount} CSV files where Zoho sends exactly one`,
          ),
        );
        return;
      }
      const name = entryName(csv);
      if (isUnsafeEntryName(name)) {
        reject(corruptResult(`unsafe entry name "${serverText(name, [], 100)}"`));
        return;
      }
      if (others.length > 0) {
        logger.warn(
          `Result ZIP: ignored ${others.length} entr${others.length === 1 ? 'y' : 'ies'} besides the CSV: ${others.join(', ')}`,
        );
      }
      resolve(csv);
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(corruptResult(error.message));
    };
    zipfile.on('entry', onEntry);
    zipfile.on('end', onEnd);
    zipfile.on('error', onError);
    zipfile.readEntry();
  });
}

export function tooLarge(max: number, what: string): ZohoError {
  return new ZohoError({
    kind: 'server',
    limitBytes: max,
    message: `The result ${what} more than ${max} bytes, beyond what this job can hold or the disk can take; it was stopped as a safety measure. Check the free disk space and download again.`,
  });
}

/** What a ZIP's directory declares about an entry, and the CRC-32 function to check it with. */
export interface DeclaredEntry {
  /** Unknown while extracting from the body as it arrives when the ZIP declares it after the data (./streamingExtract.ts). */
  size?: number;
  crc32?: number;
  crc: Crc32;
  /** For a deflated entry: the stored bytes the inflater has consumed so far (for the ratio). */
  inflatedFrom?: () => number;
}

/**
 * Counts records and bytes on the way through; fails once the bytes pass the cap. Given what the
 * ZIP declares, fails as soon as the bytes pass the declared size or the inflate ratio
 * (inflatesTooFar), and checks at the end that they have exactly that size and CRC-32 (the file
 * is the report or it is an error). These checks come before a chunk is passed on: no byte beyond
 * them reaches the disk. The record count does not depend on chunk sizes (CsvRecordCounter
 * carries its state across chunks).
 *
 * The counting and the CRC-32 run on this thread while the inflater works in Node's thread pool.
 * A chunk arrives inside the inflater's callback, which asks the pool for the next chunk only
 * once we return: the work is deferred by a turn of the event loop so that the two overlap
 * instead of taking turns (README, Performance). Chunks still pass in order, one at a time, and
 * at most one chunk waits beyond the stream buffers.
 */
export class CountingGuard extends Transform {
  bytes = 0;
  readonly counter = new CsvRecordCounter();
  private crc = 0;
  constructor(
    private readonly max: number,
    private readonly what: string,
    private readonly declared?: DeclaredEntry,
  ) {
    super({ highWaterMark: FILE_CHUNK_BYTES });
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    const declared = this.declared;
    if (declared?.size !== undefined && this.bytes > declared.size) {
      callback(corruptResult(`the CSV holds more than the ${declared.size} bytes the ZIP declares`));
      return;
    }
    if (this.bytes > this.max) {
      callback(tooLarge(this.max, this.what));
      return;
    }
    const stored = declared?.inflatedFrom?.();
    if (stored !== undefined && inflatesTooFar(this.bytes, stored)) {
      callback(decompressionBomb('CSV in the ZIP', stored, this.bytes));
      return;
    }
    setImmediate(() => {
      if (this.destroyed) {
        return; // failed or cancelled meanwhile: the pipeline has settled without this chunk
      }
      this.counter.push(chunk);
      if (this.declared) {
        this.crc = this.declared.crc(chunk, this.crc);
      }
      callback(null, chunk);
    });
  }
  /** The CRC-32 of the bytes so far (given `declared`). */
  get crc32(): number {
    return this.crc >>> 0;
  }
  override _flush(callback: TransformCallback): void {
    const declared = this.declared;
    if (declared?.size !== undefined && this.bytes !== declared.size) {
      callback(corruptResult(`the CSV holds ${this.bytes} bytes where the ZIP declares ${declared.size}`));
    } else if (declared?.crc32 !== undefined && this.crc >>> 0 !== declared.crc32 >>> 0) {
      callback(corruptResult('the CSV does not match its checksum'));
    } else {
      callback();
    }
  }
}

/**
 * The entry's stored bytes, the stage that decodes them and what the ZIP declares about the
 * result. yauzl finds where the stored bytes start (checking that they lie within the file) and
 * we read them ourselves in 1 MiB pieces and inflate them with 1 MiB output chunks: yauzl's own
 * streams move 16 KiB at a time through three stages (README, Performance). The stored length is
 * checked after the pipeline (`storedBytes`); CountingGuard checks the decoded size, the inflate
 * ratio and the CRC-32 (`declared`).
 */
async function openEntry(
  zipPath: string,
  zipfile: yauzl.ZipFile,
  entry: yauzl.Entry,
): Promise<{ stored: Readable; storedBytes: () => number; decode: Transform; declared: DeclaredEntry }> {
  if (entry.isEncrypted()) {
    throw corruptResult('the CSV is encrypted');
  }
  if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8) {
    throw corruptResult(`unsupported compression method ${entry.compressionMethod}`);
  }
  const zlib = await import('node:zlib'); // with the first result, not at activation
  const start = await new Promise<number>((resolve, reject) => {
    zipfile.readLocalFileHeader(entry, { minimal: true }, (error, header) =>
      error ? reject(corruptResult(error.message)) : resolve(header.fileDataStart),
    );
  });
  let stored: Readable;
  let storedBytes: () => number;
  if (entry.compressedSize === 0) {
    stored = Readable.from([]); // createReadStream cannot read an empty range
    storedBytes = () => 0;
  } else {
    const file: ReadStream = createReadStream(zipPath, {
      start,
      end: start + entry.compressedSize - 1, // inclusive
      highWaterMark: FILE_CHUNK_BYTES,
    });
    stored = file;
    storedBytes = () => file.bytesRead;
  }
  const declared: DeclaredEntry = { size: entry.uncompressedSize, crc32: entry.crc32, crc: crc32(zlib) };
  if (entry.compressionMethod === 0) {
    return { stored, storedBytes, decode: new PassThrough({ highWaterMark: FILE_CHUNK_BYTES }), declared };
  }
  const inflate = zlib.createInflateRaw({ chunkSize: FILE_CHUNK_BYTES });
  // bytesWritten: what the inflater has consumed, counted before it hands on what that made.
  declared.inflatedFrom = () => inflate.bytesWritten;
  return { stored, storedBytes, decode: inflate, declared };
}

/**
 * Extracts the ZIP's one CSV entry to `outputPath`, counting its records on the way. On failure
 * `outputPath` may hold a partial file: the caller owns it (a .part file that it removes).
 */
export async function extractCsv(
  zipPath: string,
  outputPath: string,
  options: ExtractOptions = {},
): Promise<Extracted> {
  const max = options.maxExtractedBytes ?? DEFAULT_MAX_EXTRACTED_BYTES;
  if (options.signal?.aborted) {
    throw cancelledError();
  }
  const zipfile = await openZip(zipPath);
  try {
    const entry = await findTheCsvEntry(zipfile, options.logger ?? silentLogger);
    if (entry.uncompressedSize > max) {
      throw tooLarge(max, `ZIP declares ${entry.uncompressedSize} bytes,`);
    }
    const { stored, storedBytes, decode, declared } = await openEntry(zipPath, zipfile, entry);
    const guard = new CountingGuard(max, 'ZIP expands to', declared);
    const output = createWriteStream(outputPath, { highWaterMark: FILE_CHUNK_BYTES });
    try {
      await pipeline(stored, decode, guard, output, { signal: options.signal });
    } catch (error) {
      if (options.signal?.aborted) {
        throw cancelledError();
      }
      if (error instanceof ZohoError || (error as NodeJS.ErrnoException).syscall) {
        throw error; // our own guard, or the local disk (full, no permission): not the ZIP's fault
      }
      throw corruptResult(errorMessage(error));
    }
    if (storedBytes() !== entry.compressedSize) {
      throw corruptResult(
        `the CSV's data holds ${storedBytes()} bytes where the ZIP declares ${entry.compressedSize}`,
      );
    }
    return { bytes: guard.bytes, records: guard.counter.count };
  } finally {
    zipfile.close();
  }
}

/** What was extracted from a ZIP's body as it arrived (./streamingExtract.ts), to be checked. */
export interface Streamed extends Extracted {
  crc32: number;
  /** The stored (deflated) bytes the inflater consumed. */
  storedBytes: number;
  /** The first entry's name as its local header gives it. */
  name: Buffer;
}

/**
 * The counted extraction of `streamed` when the ZIP's directory says it is exactly the one CSV:
 * the first entry, deflated, not encrypted, the same name, stored and extracted sizes and CRC-32.
 * Undefined for anything else (the caller then extracts the file the usual way, which judges it).
 */
export async function checkStreamed(
  zipPath: string,
  streamed: Streamed,
  logger: Logger = silentLogger,
): Promise<Extracted | undefined> {
  const zipfile = await openZip(zipPath).catch(() => undefined);
  if (!zipfile) {
    return undefined;
  }
  try {
    const entry = await findTheCsvEntry(zipfile, logger);
    const raw = entry.fileName as unknown;
    const same =
      entry.relativeOffsetOfLocalHeader === 0 &&
      entry.compressionMethod === 8 &&
      !entry.isEncrypted() &&
      Buffer.isBuffer(raw) &&
      raw.equals(streamed.name) &&
      !isUnsafeEntryName(entryName(entry)) &&
      entry.compressedSize === streamed.storedBytes &&
      entry.uncompressedSize === streamed.bytes &&
      entry.crc32 >>> 0 === streamed.crc32;
    return same ? { bytes: streamed.bytes, records: streamed.records } : undefined;
  } catch {
    return undefined;
  } finally {
    zipfile.close();
  }
}

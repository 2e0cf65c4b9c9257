// Streams the single CSV out of a result ZIP (contract section 6) without holding it in memory.
import { createWriteStream } from 'node:fs';
import { PassThrough, Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { FILE_CHUNK_BYTES } from '../core/fileChunks';
import { errorMessage } from '../core/format';
import type { Entry, ZipFile } from 'yauzl';
import { ZohoError } from '../zoho/errors';

/** Default ceiling on the extracted size: a guard against ZIP bombs, far above any real batch. */
export const DEFAULT_MAX_EXTRACTED_BYTES = 4 * 1024 ** 3;

export interface ExtractOptions {
  signal?: AbortSignal;
  /** Stop and fail once the CSV grows past this many bytes. */
  maxExtractedBytes?: number;
}

function corrupt(detail: string): ZohoError {
  return new ZohoError({
    kind: 'server',
    message: `The downloaded result is not a valid ZIP file (${detail}). Download it again; if it keeps failing, create the job again.`,
  });
}

function cancelled(): ZohoError {
  return new ZohoError({ kind: 'cancelled', message: 'The download was cancelled.' });
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
async function openZip(zipPath: string): Promise<ZipFile> {
  const yauzl = await import('yauzl');
  return new Promise((resolve, reject) => {
    yauzl.open(zipPath, { lazyEntries: true, autoClose: true }, (error, zipfile) => {
      if (error || !zipfile) {
        reject(corrupt(error?.message ?? 'unreadable'));
      } else {
        resolve(zipfile);
      }
    });
  });
}

/** The first `*.csv` entry, reading the central directory one entry at a time. */
function findCsvEntry(zipfile: ZipFile): Promise<Entry> {
  return new Promise((resolve, reject) => {
    const cleanup = (): void => {
      zipfile.removeListener('entry', onEntry);
      zipfile.removeListener('end', onEnd);
      zipfile.removeListener('error', onError);
    };
    const onEntry = (entry: Entry): void => {
      if (!/\.csv$/i.test(entry.fileName) || entry.fileName.endsWith('/')) {
        zipfile.readEntry();
        return;
      }
      cleanup();
      if (isUnsafeEntryName(entry.fileName)) {
        reject(corrupt(`unsafe entry name "${entry.fileName}"`));
      } else {
        resolve(entry);
      }
    };
    const onEnd = (): void => {
      cleanup();
      reject(corrupt('it holds no CSV file'));
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(corrupt(error.message));
    };
    zipfile.on('entry', onEntry);
    zipfile.on('end', onEnd);
    zipfile.on('error', onError);
    zipfile.readEntry();
  });
}

/**
 * Counts bytes on the way through and fails once they pass the cap; at the end, checks that the
 * CSV has exactly the size and CRC-32 the ZIP's directory declares (contract section 6: the file is
 * the report or it is an error).
 */
class EntryCheck extends Transform {
  seen = 0;
  private crc = 0;
  constructor(
    private readonly max: number,
    private readonly entry: Entry,
    private readonly crc32: (data: Buffer, value: number) => number,
  ) {
    super({ highWaterMark: FILE_CHUNK_BYTES });
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.max) {
      callback(
        new ZohoError({
          kind: 'server',
          message: `The result ZIP expands to more than ${this.max} bytes; extraction was stopped as a safety measure.`,
        }),
      );
      return;
    }
    this.crc = this.crc32(chunk, this.crc);
    callback(null, chunk);
  }
  override _flush(callback: TransformCallback): void {
    if (this.seen !== this.entry.uncompressedSize) {
      callback(
        corrupt(`the CSV holds ${this.seen} bytes where the ZIP declares ${this.entry.uncompressedSize}`),
      );
    } else if (this.crc >>> 0 !== this.entry.crc32 >>> 0) {
      callback(corrupt('the CSV does not match its checksum'));
    } else {
      callback();
    }
  }
}

/**
 * The entry's stored bytes, the stage that decodes them and the check of the result. yauzl hands
 * out raw data and we inflate it ourselves, with 1 MiB output chunks: yauzl's own inflater keeps
 * Node's 16 KiB. yauzl still checks the stored length; EntryCheck checks the decoded size and CRC-32.
 */
async function openEntry(
  zipfile: ZipFile,
  entry: Entry,
  max: number,
): Promise<[Readable, Transform, EntryCheck]> {
  if (entry.isEncrypted()) {
    throw corrupt('the CSV is encrypted');
  }
  if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8) {
    throw corrupt(`unsupported compression method ${entry.compressionMethod}`);
  }
  const zlib = await import('node:zlib'); // with the first result, not at activation
  const stored = await new Promise<Readable>((resolve, reject) => {
    zipfile.openReadStream(entry, { decodeFileData: false }, (error, stream) =>
      error ? reject(corrupt(error.message)) : resolve(stream),
    );
  });
  const decode =
    entry.compressionMethod === 8
      ? zlib.createInflateRaw({ chunkSize: FILE_CHUNK_BYTES })
      : new PassThrough();
  return [stored, decode, new EntryCheck(max, entry, zlib.crc32)];
}

/**
 * Extracts the ZIP's first CSV entry to `outputPath`. On failure `outputPath` may hold a partial
 * file: the caller owns it (it is a .part file that the caller removes).
 * @returns the extracted size in bytes.
 */
export async function extractCsv(
  zipPath: string,
  outputPath: string,
  options: ExtractOptions = {},
): Promise<number> {
  const max = options.maxExtractedBytes ?? DEFAULT_MAX_EXTRACTED_BYTES;
  if (options.signal?.aborted) {
    throw cancelled();
  }
  const zipfile = await openZip(zipPath);
  try {
    const entry = await findCsvEntry(zipfile);
    if (entry.uncompressedSize > max) {
      throw new ZohoError({
        kind: 'server',
        message: `The result ZIP declares ${entry.uncompressedSize} bytes, more than the ${max} allowed; it was not extracted.`,
      });
    }
    const [stored, decode, guard] = await openEntry(zipfile, entry, max);
    const output = createWriteStream(outputPath, { highWaterMark: FILE_CHUNK_BYTES });
    try {
      await pipeline(stored, decode, guard, output, { signal: options.signal });
    } catch (error) {
      if (options.signal?.aborted) {
        throw cancelled();
      }
      if (error instanceof ZohoError || (error as NodeJS.ErrnoException).syscall) {
        throw error; // our own guard, or the local disk (full, no permission): not the ZIP's fault
      }
      throw corrupt(errorMessage(error));
    }
    return guard.seen;
  } finally {
    if (zipfile.isOpen) {
      zipfile.close();
    }
  }
}

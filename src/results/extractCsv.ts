// Streams the one CSV out of a result ZIP (contract section 6) without holding it in memory, and
// counts its records in the same pass, so the file is read exactly once.
import { createWriteStream } from 'node:fs';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as yauzl from 'yauzl';
import { errorMessage } from '../core/format';
import { silentLogger, type Logger } from '../core/ports';
import { ZohoError } from '../zoho/errors';
import { CsvRecordCounter } from './csvRecordCounter';

/** Ceiling on the extracted size when the caller gives none: a guard against ZIP bombs. */
export const DEFAULT_MAX_EXTRACTED_BYTES = 4 * 1024 ** 3;
/**
 * Buffer size of the extracted file's write stream. The one tuning knob of the write side; the
 * record count does not depend on chunk sizes (CsvRecordCounter carries its state across chunks).
 */
export const EXTRACT_WRITE_HIGH_WATER_MARK = 64 * 1024;

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

function openZip(zipPath: string): Promise<yauzl.ZipFile> {
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
    const csvs: yauzl.Entry[] = [];
    const others: string[] = [];
    const cleanup = (): void => {
      zipfile.removeListener('entry', onEntry);
      zipfile.removeListener('end', onEnd);
      zipfile.removeListener('error', onError);
    };
    const onEntry = (entry: yauzl.Entry): void => {
      const name = entryName(entry);
      if (/\.csv$/i.test(name) && !name.endsWith('/')) {
        csvs.push(entry);
      } else if (others.length < 20) {
        others.push(name.slice(0, 100));
      }
      zipfile.readEntry();
    };
    const onEnd = (): void => {
      cleanup();
      if (csvs.length !== 1) {
        reject(
          corruptResult(
            csvs.length === 0
              ? 'it holds no CSV file'
              : `it holds ${csvs.length} CSV files where Zoho sends exactly one`,
          ),
        );
        return;
      }
      const name = entryName(csvs[0]);
      if (isUnsafeEntryName(name)) {
        reject(corruptResult(`unsafe entry name "${name.slice(0, 100)}"`));
        return;
      }
      if (others.length > 0) {
        logger.warn(
          `Result ZIP: ignored ${others.length} entr${others.length === 1 ? 'y' : 'ies'} besides the CSV: ${others.join(', ')}`,
        );
      }
      resolve(csvs[0]);
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
    message: `The result ${what} more than ${max} bytes, beyond what this job can hold or the disk can take; it was stopped as a safety measure. Check the free disk space and download again.`,
  });
}

/** Counts records and bytes on the way through; fails once the bytes pass the cap. */
export class CountingGuard extends Transform {
  bytes = 0;
  readonly counter = new CsvRecordCounter();
  constructor(
    private readonly max: number,
    private readonly what: string,
  ) {
    super();
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.max) {
      callback(tooLarge(this.max, this.what));
      return;
    }
    this.counter.push(chunk);
    callback(null, chunk);
  }
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
    throw cancelled();
  }
  const zipfile = await openZip(zipPath);
  try {
    const entry = await findTheCsvEntry(zipfile, options.logger ?? silentLogger);
    if (entry.uncompressedSize > max) {
      throw tooLarge(max, `ZIP declares ${entry.uncompressedSize} bytes,`);
    }
    const input = await new Promise<NodeJS.ReadableStream>((resolve, reject) => {
      zipfile.openReadStream(entry, (error, stream) =>
        error ? reject(corruptResult(error.message)) : resolve(stream),
      );
    });
    const guard = new CountingGuard(max, 'ZIP expands to');
    const output = createWriteStream(outputPath, { highWaterMark: EXTRACT_WRITE_HIGH_WATER_MARK });
    try {
      await pipeline(input, guard, output, { signal: options.signal });
    } catch (error) {
      if (options.signal?.aborted) {
        throw cancelled();
      }
      if (error instanceof ZohoError || (error as NodeJS.ErrnoException).syscall) {
        throw error; // our own guard, or the local disk (full, no permission): not the ZIP's fault
      }
      throw corruptResult(errorMessage(error));
    }
    return { bytes: guard.bytes, records: guard.counter.count };
  } finally {
    zipfile.close();
  }
}

// The partition pass of the compare (./compareCsv.ts): reads a CSV once as bytes, hashes it, and
// writes each record into one of N bucket files by a hash of its ID, without a string per record
// (issue 20.4: the bound is the export path's peak memory growth). A bucket file holds entries of
// [u32 record length][u32 ID length][ID value bytes][record bytes], so the compare reads a bucket
// back without splitting CSV again.
import { createHash } from '../core/nodeCrypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ByteRecordSplitter, parseRecord, valueBounds } from './compareCsvRecords';

/** Bucket files are written in pieces of about this much (all buckets together: PIECES_BYTES). */
const PIECE_MAX = 64 * 1024;
const PIECES_BYTES = 2 * 1024 * 1024;
const ENTRY_HEAD = 8;

/** Thrown when a file is not a CSV with an ID column: the message says which and why. */
export class CompareError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CompareError';
  }
}

export interface Partitioned {
  header: string[];
  records: number;
  sha256: string;
  /** Bytes written to each bucket file, and its records. */
  bucketBytes: number[];
  bucketRecords: number[];
}

/** FNV-1a of some bytes (an ID's): its bucket, and (mixed) its slot in IdTable. */
function fnv1a(bytes: Buffer, start: number, end: number): number {
  let hash = 0x811c9dc5;
  for (let i = start; i < end; i++) {
    hash ^= bytes[i];
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** Header row's values (a UTF-8 byte order mark dropped). */
function headerOf(bytes: Buffer, start: number, end: number): string[] {
  const text = bytes.toString('utf8', start, end);
  return parseRecord(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
}

/**
 * Reads `file` once in pieces of `chunkBytes`: its header, its records written to `buckets` files
 * named `${prefix}-${i}.bin` by ID, its sha256.
 */
export async function partition(
  file: string,
  prefix: string,
  buckets: number,
  chunkBytes: number,
): Promise<Partitioned> {
  // One buffer read into again and again: a stream's fresh buffer per read piles up until a GC.
  const input = await fs.open(file, 'r');
  const chunk = Buffer.allocUnsafe(chunkBytes);
  const opened = await Promise.allSettled(
    Array.from({ length: buckets }, (_, i) => fs.open(`${prefix}-${i}.bin`, 'w')),
  );
  const handles = opened.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const closeAll = (): Promise<unknown> =>
    Promise.all([input.close(), ...handles.map((handle) => handle.close())]);
  const failed = opened.find((result) => result.status === 'rejected');
  if (failed) {
    await closeAll();
    throw failed.reason;
  }
  const piece = Math.max(4096, Math.min(PIECE_MAX, Math.floor(PIECES_BYTES / buckets)));
  const filling: (Buffer | undefined)[] = handles.map(() => undefined);
  const used = new Array<number>(buckets).fill(0);
  const bucketBytes = new Array<number>(buckets).fill(0);
  const bucketRecords = new Array<number>(buckets).fill(0);
  // Full pieces waiting to be written (after the chunk at hand), and spare ones to reuse.
  const queued: { bucket: number; bytes: Buffer; length: number }[] = [];
  const spare: Buffer[] = [];
  const digest = createHash('sha256');
  const splitter = new ByteRecordSplitter();
  let header: string[] | undefined;
  let idIndex = -1;
  let records = 0;
  const queue = (b: number): void => {
    const bytes = filling[b];
    if (bytes && used[b] > 0) {
      queued.push({ bucket: b, bytes, length: used[b] });
      filling[b] = undefined;
      used[b] = 0;
    }
  };
  const take = (bytes: Buffer, start: number, end: number): void => {
    if (header === undefined) {
      header = headerOf(bytes, start, end);
      idIndex = header.indexOf('ID');
      if (idIndex < 0) {
        throw new CompareError(
          `${path.basename(file)} has no ID column, so its records cannot be matched (its columns: ${header.slice(0, 8).join(', ')}${header.length > 8 ? ', …' : ''}).`,
        );
      }
      return;
    }
    records++;
    let id = bytes;
    let [idStart, idEnd] = valueBounds(bytes, start, end, idIndex) ?? [0, -1];
    if (idEnd < 0) {
      // A quoted ID (rare): decoded as text, as the values of a changed record are.
      id = Buffer.from(parseRecord(bytes.toString('utf8', start, end))[idIndex] ?? '');
      [idStart, idEnd] = [0, id.length];
    }
    const b = fnv1a(id, idStart, idEnd) % buckets;
    const size = ENTRY_HEAD + (idEnd - idStart) + (end - start);
    if (used[b] + size > piece) {
      queue(b);
    }
    let target = filling[b];
    if (!target) {
      target = size > piece ? Buffer.allocUnsafe(size) : (spare.pop() ?? Buffer.allocUnsafe(piece));
      filling[b] = target;
    }
    let at = used[b];
    at = target.writeUInt32LE(end - start, at);
    at = target.writeUInt32LE(idEnd - idStart, at);
    at += id.copy(target, at, idStart, idEnd);
    at += bytes.copy(target, at, start, end);
    used[b] = at;
    bucketBytes[b] += size;
    bucketRecords[b]++;
  };
  const write = async (): Promise<void> => {
    for (const { bucket, bytes, length } of queued) {
      await handles[bucket].write(bytes, 0, length);
      if (bytes.length === piece) {
        spare.push(bytes);
      }
    }
    queued.length = 0;
  };
  try {
    for (;;) {
      const { bytesRead } = await input.read(chunk, 0, chunkBytes, null);
      if (bytesRead === 0) {
        break;
      }
      const piece = chunk.subarray(0, bytesRead);
      digest.update(piece);
      splitter.push(piece, take);
      await write();
    }
    splitter.end(take);
    for (let b = 0; b < buckets; b++) {
      queue(b);
    }
    await write();
  } finally {
    await closeAll();
  }
  if (header === undefined) {
    throw new CompareError(`${path.basename(file)} is empty: it has no header row.`);
  }
  return { header, records, sha256: digest.digest('hex'), bucketBytes, bucketRecords };
}

/** One bucket file's entries, read into a buffer reused from bucket to bucket. */
export class BucketReader {
  private bytes = Buffer.alloc(0);
  length = 0;

  /** Makes room for the largest bucket once (a buffer per bucket would be garbage of that size). */
  reserve(size: number): void {
    if (this.bytes.length < size) {
      this.bytes = Buffer.allocUnsafe(size);
    }
  }

  async read(file: string, size: number): Promise<void> {
    this.reserve(size);
    const handle = await fs.open(file, 'r');
    try {
      let at = 0;
      while (at < size) {
        const { bytesRead } = await handle.read(this.bytes, at, size - at, at);
        if (bytesRead === 0) {
          break;
        }
        at += bytesRead;
      }
      this.length = at;
    } finally {
      await handle.close();
    }
  }

  /** A hash of the ID's bytes for IdTable (FNV-1a, mixed: the bucket's records share its low bits). */
  idHash(at: number): number {
    let hash = fnv1a(this.bytes, at + ENTRY_HEAD, this.recordStart(at));
    hash = Math.imul(hash ^ (hash >>> 16), 0x45d9f3b);
    return hash ^ (hash >>> 16);
  }

  /** Whether the entry at `at` has the same ID bytes as `other`'s entry at `otherAt`. */
  sameId(at: number, other: BucketReader, otherAt: number): boolean {
    const start = at + ENTRY_HEAD;
    const length = this.recordStart(at) - start;
    const otherStart = otherAt + ENTRY_HEAD;
    return (
      length === other.recordStart(otherAt) - otherStart &&
      this.bytes.compare(other.bytes, otherStart, otherStart + length, start, start + length) === 0
    );
  }

  id(at: number): string {
    return this.bytes.toString('utf8', at + ENTRY_HEAD, this.recordStart(at));
  }

  recordStart(at: number): number {
    return at + ENTRY_HEAD + this.bytes.readUInt32LE(at + 4);
  }

  next(at: number): number {
    return this.recordStart(at) + this.bytes.readUInt32LE(at);
  }

  record(at: number): string {
    return this.bytes.toString('utf8', this.recordStart(at), this.next(at));
  }

  /** Whether the record at `at` has the same bytes as `other`'s record at `otherAt`. */
  sameRecord(at: number, other: BucketReader, otherAt: number): boolean {
    const length = this.bytes.readUInt32LE(at);
    if (length !== other.bytes.readUInt32LE(otherAt)) {
      return false;
    }
    const start = this.recordStart(at);
    const otherStart = other.recordStart(otherAt);
    return this.bytes.compare(other.bytes, otherStart, otherStart + length, start, start + length) === 0;
  }
}

/**
 * The IDs of one bucket file's entries, compared as bytes (no string per record): each distinct ID
 * gets an ordinal in the order first met, and the offset of its latest entry.
 */
export class IdTable {
  private slots = new Int32Array(0);
  private mask = 0;
  /** Per ordinal: the offset of the latest entry with that ID. */
  offsets = new Int32Array(0);
  count = 0;

  constructor(readonly reader: BucketReader) {}

  /** Makes room for the bucket with the most entries once. */
  reserve(entries: number): void {
    const size = IdTable.size(entries);
    if (this.slots.length < size) {
      this.slots = new Int32Array(size);
    }
    if (this.offsets.length < entries) {
      this.offsets = new Int32Array(entries);
    }
  }

  /** Empties the table for up to `entries` entries. */
  reset(entries: number): void {
    this.reserve(entries);
    const size = IdTable.size(entries);
    this.slots.fill(0, 0, size);
    this.mask = size - 1;
    this.count = 0;
  }

  /** Slots for `entries`: a power of two, at most half full. */
  private static size(entries: number): number {
    let size = 16;
    while (size < entries * 2) {
      size *= 2;
    }
    return size;
  }

  /** Whether the ID of the entry last added had been met before. */
  again = false;

  /** Adds the entry at `at` of the table's reader; returns its ID's ordinal (see `again`). */
  add(at: number): number {
    let slot = this.reader.idHash(at) & this.mask;
    for (;;) {
      const ordinal = this.slots[slot] - 1;
      if (ordinal < 0) {
        this.slots[slot] = this.count + 1;
        this.offsets[this.count] = at;
        this.again = false;
        return this.count++;
      }
      if (this.reader.sameId(this.offsets[ordinal], this.reader, at)) {
        this.offsets[ordinal] = at;
        this.again = true;
        return ordinal;
      }
      slot = (slot + 1) & this.mask;
    }
  }

  /** The ordinal of the ID of `other`'s entry at `at` (-1: not in the table). */
  find(other: BucketReader, at: number): number {
    let slot = other.idHash(at) & this.mask;
    for (;;) {
      const ordinal = this.slots[slot] - 1;
      if (ordinal < 0 || this.reader.sameId(this.offsets[ordinal], other, at)) {
        return ordinal;
      }
      slot = (slot + 1) & this.mask;
    }
  }
}

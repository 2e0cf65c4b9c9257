// Extracts a result ZIP's CSV from the body as it arrives, so that downloading and extracting
// overlap instead of taking turns (README, Performance). Only the easy, usual case: the first
// entry, deflated, not encrypted. It reads that entry's local header, inflates what follows (the
// inflater stops by itself at the end of the deflated data) and counts records, size and CRC-32
// through the same CountingGuard as ./extractCsv.ts, with the same caps. It proves nothing by
// itself: the caller keeps its result only when the ZIP's central directory, read once the whole
// file is there, says that this entry is the one CSV with exactly these sizes and CRC
// (checkStreamed). Anything else, or any failure here, and the caller extracts the downloaded file
// the usual way, which overwrites this output and judges the ZIP.
import { createWriteStream, type WriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type * as zlibModule from 'node:zlib';
import { FILE_CHUNK_BYTES } from '../core/fileChunks';
import { crc32 } from './crc32';
import { CountingGuard, type Streamed } from './extractCsv';

const LOCAL_HEADER = 0x04034b50;
const LOCAL_HEADER_BYTES = 30;
/** General-purpose flag bit 3: sizes and CRC follow the data (a data descriptor), not in the header. */
const SIZES_AFTER_DATA = 0x8;
/** A size field of all ones: the real size is in a ZIP64 extra field (not Zoho's: the usual way). */
const ZIP64_SIZE = 0xffffffff;
/** A local header with a name and extra field longer than this is not Zoho's: leave it to the usual way. */
const MAX_HEADER_BYTES = 64 * 1024;

export class StreamingExtraction {
  private head: Buffer[] = [];
  /** Bytes of the body so far (the ZIP on disk). */
  private bodyBytes = 0;
  private name: Buffer | undefined;
  /**
   * The CSV's size as the local header declares it; undefined when the ZIP declares it only after
   * the data (flag bit 3), where nothing can be checked before the end: then the inflate ratio and
   * `maxBytes` bound what is written, and the usual extraction enforces the directory's size.
   */
  private declaredSize: number | undefined;
  private inflate: zlibModule.InflateRaw | undefined;
  private guard: CountingGuard | undefined;
  private output: WriteStream | undefined;
  private done: Promise<boolean> | undefined;
  /** Given up (not the easy case, or failed): the caller extracts the usual way. */
  private off = false;
  private settled = false;

  constructor(
    private readonly outputPath: string,
    /** The room for the ZIP and the CSV together, and the cap on the CSV. */
    private readonly maxBytes: number,
    private readonly zlib: typeof zlibModule,
  ) {}

  /** The next bytes of the body; a promise when the inflater wants the download to wait. */
  push(chunk: Buffer): Promise<void> | undefined {
    this.bodyBytes += chunk.length;
    if (this.off || this.settled) {
      return undefined;
    }
    if ((this.guard?.bytes ?? 0) + this.bodyBytes > this.maxBytes) {
      // The ZIP and the CSV share the room the caller measured (extracted the usual way, the
      // CSV gets what the finished ZIP leaves): give up rather than use more disk than that.
      void this.abort();
      return undefined;
    }
    if (!this.inflate) {
      this.head.push(chunk);
      const rest = this.readHeader();
      if (rest === undefined) {
        return undefined;
      }
      chunk = rest;
    }
    return this.feed(chunk);
  }

  /** After the body's last byte: what was extracted, or undefined (extract the usual way). */
  async finish(): Promise<Streamed | undefined> {
    if (this.off || !this.inflate || !this.done || !this.guard || !this.name) {
      await this.abort();
      return undefined;
    }
    this.inflate.end();
    if (!(await this.done)) {
      await this.closed();
      return undefined;
    }
    const { guard, inflate, name } = this;
    if (guard.bytes + this.bodyBytes > this.maxBytes) {
      return undefined; // see push()
    }
    return {
      bytes: guard.bytes,
      records: guard.counter.count,
      crc32: guard.crc32,
      storedBytes: inflate.bytesWritten,
      name,
    };
  }

  /** Stops; resolves once the output file is closed (so the caller may remove it). */
  async abort(): Promise<void> {
    this.off = true;
    this.inflate?.destroy();
    await this.done;
    await this.closed();
  }

  /** The output's open may still be pending when the pipeline fails: wait for its close. */
  private async closed(): Promise<void> {
    const output = this.output;
    if (output && !output.closed) {
      await new Promise<void>((resolve) => output.once('close', () => resolve()));
    }
  }

  /** The bytes after the local header once it is whole; undefined while it is not (or refused). */
  private readHeader(): Buffer | undefined {
    const head = Buffer.concat(this.head);
    this.head = [head];
    if (head.length < LOCAL_HEADER_BYTES) {
      return undefined;
    }
    const flags = head.readUInt16LE(6);
    const method = head.readUInt16LE(8);
    const dataStart = LOCAL_HEADER_BYTES + head.readUInt16LE(26) + head.readUInt16LE(28);
    const declaredSize = flags & SIZES_AFTER_DATA ? undefined : head.readUInt32LE(22);
    if (
      head.readUInt32LE(0) !== LOCAL_HEADER ||
      method !== 8 ||
      flags & 0x1 ||
      declaredSize === ZIP64_SIZE ||
      dataStart > MAX_HEADER_BYTES
    ) {
      this.off = true;
      this.head = [];
      return undefined;
    }
    if (head.length < dataStart) {
      return undefined;
    }
    this.name = Buffer.from(head.subarray(LOCAL_HEADER_BYTES, LOCAL_HEADER_BYTES + head.readUInt16LE(26)));
    this.declaredSize = declaredSize;
    this.head = [];
    this.start();
    return head.subarray(dataStart);
  }

  private start(): void {
    // A whole chunk of buffer on both sides, so the download waits for the inflater per MiB, not
    // per socket read (zlib streams pass stream options on to Transform: Node's lib/zlib.js).
    const options: zlibModule.ZlibOptions & { highWaterMark: number } = {
      chunkSize: FILE_CHUNK_BYTES,
      highWaterMark: FILE_CHUNK_BYTES,
    };
    const inflate = this.zlib.createInflateRaw(options);
    // The declared size stops an entry that lies about it at its first byte beyond (issue 16.5).
    const guard = new CountingGuard(this.maxBytes, 'ZIP expands to', {
      size: this.declaredSize,
      crc: crc32(this.zlib),
      inflatedFrom: () => inflate.bytesWritten,
    });
    this.inflate = inflate;
    this.guard = guard;
    const output = createWriteStream(this.outputPath, { highWaterMark: FILE_CHUNK_BYTES });
    this.output = output;
    this.done = pipeline(inflate, guard, output).then(
      () => true,
      () => {
        this.off = true;
        return false;
      },
    );
    void this.done.finally(() => (this.settled = true));
  }

  private feed(chunk: Buffer): Promise<void> | undefined {
    const inflate = this.inflate;
    if (!inflate || chunk.length === 0 || inflate.writableEnded || inflate.destroyed) {
      return undefined;
    }
    if (inflate.write(chunk)) {
      return undefined;
    }
    return new Promise<void>((resolve) => {
      inflate.once('drain', resolve);
      void this.done?.then(() => resolve());
    });
  }
}

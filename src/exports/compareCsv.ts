// Compares two exports of one report record by record, keyed by the `ID` column (issue 20.4), in
// bounded memory however large the files are: each file is read once as bytes and its records are
// written into N bucket files on disk by a hash of their ID (./compareBuckets.ts); then bucket i of
// each file is read into a buffer (about BUCKET_BYTES), the previous one's IDs go into a hash table
// over those bytes, and bucket i of the current one is matched against it. Records are compared as
// bytes first, and only a record whose bytes differ is decoded and split into its values: no
// string per record, so the garbage stays small (two runs of 1,000,000 records: about 35 MB of
// peak RSS growth, `npm run bench -- compare`). It also hashes each file in its one pass, so a
// caller can tell whether a file is still the one a run recorded (./runHistory.ts: sha256). No
// editor API: the command line can use it.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { BucketReader, IdTable, partition } from './compareBuckets';
import { csvValue, parseRecord } from './compareCsvRecords';

export { CompareError } from './compareBuckets';
export { csvValue, parseRecord } from './compareCsvRecords';

/** Bytes per bucket aimed at: one bucket of each file is what is held in memory. */
export const BUCKET_BYTES = 4 * 1024 * 1024;
const MAX_BUCKETS = 256;
/** The differences file is written in pieces of about this much text. */
const WRITE_PIECE = 64 * 1024;

export interface ChangedRecord {
  id: string;
  /** Values by column, in the order of CompareSummary.columns. */
  before: string[];
  after: string[];
  /** Indexes (into CompareSummary.columns) of the values that differ. */
  changed: number[];
}

export interface CompareSummary {
  /** Every column of either file: the current file's, then the ones only the previous one had. */
  columns: string[];
  /** Columns only in the current file / only in the previous one. */
  columnsAdded: string[];
  columnsRemoved: string[];
  previousRecords: number;
  currentRecords: number;
  added: number;
  changed: number;
  removed: number;
  unchanged: number;
  /** Changed records per column (same order as `columns`). */
  changesByColumn: number[];
  /** The first few of each kind (values in the order of `columns`). */
  samples: { added: string[][]; changed: ChangedRecord[]; removed: string[][] };
  /** sha256 (hex) of each file as read. */
  previousSha256: string;
  currentSha256: string;
  /** Records met more than once under one ID (the later one is compared). */
  duplicateIds: number;
}

export interface CompareOptions {
  /** A folder for the bucket files (removed afterwards). */
  workDir: string;
  /** Where to write every difference as CSV (none: not written). */
  differencesCsv?: string;
  /** How many of each kind the summary keeps. Default 10. */
  samples?: number;
  /** Bucket count (default: from the files' sizes and BUCKET_BYTES). */
  buckets?: number;
  /** Bytes read from a file at a time (default 1 MB). */
  chunkBytes?: number;
}

/** Writes the differences file in pieces. */
class DifferencesWriter {
  private pieces: string[] = [];
  private size = 0;
  private constructor(private readonly handle: fs.FileHandle | undefined) {}

  static async open(file: string | undefined, columns: string[]): Promise<DifferencesWriter> {
    if (!file) {
      return new DifferencesWriter(undefined);
    }
    const writer = new DifferencesWriter(await fs.open(file, 'w'));
    await writer.row(['Change', 'Changed columns', ...columns]);
    return writer;
  }

  async row(values: string[]): Promise<void> {
    if (!this.handle) {
      return;
    }
    const line = `${values.map(csvValue).join(',')}\r\n`;
    this.pieces.push(line);
    this.size += line.length;
    if (this.size >= WRITE_PIECE) {
      await this.flush();
    }
  }

  async close(): Promise<void> {
    await this.flush();
    await this.handle?.close();
  }

  private async flush(): Promise<void> {
    if (this.handle && this.pieces.length > 0) {
      await this.handle.write(this.pieces.join(''));
      this.pieces = [];
      this.size = 0;
    }
  }
}

/** Compares `previous` with `current` (both CSVs with an ID column): see the top of this file. */
export async function compareCsv(
  previous: string,
  current: string,
  options: CompareOptions,
): Promise<CompareSummary> {
  const [before, after] = await Promise.all([fs.stat(previous), fs.stat(current)]);
  const buckets =
    options.buckets ??
    Math.min(MAX_BUCKETS, Math.max(1, Math.ceil(Math.max(before.size, after.size) / BUCKET_BYTES)));
  const sampleCount = options.samples ?? 10;
  const work = await fs.mkdtemp(path.join(options.workDir, 'compare-'));
  try {
    const chunkBytes = options.chunkBytes ?? 1024 * 1024;
    const old = await partition(previous, path.join(work, 'previous'), buckets, chunkBytes);
    const now = await partition(current, path.join(work, 'current'), buckets, chunkBytes);
    const columns = [...now.header, ...old.header.filter((name) => !now.header.includes(name))];
    const oldAt = columns.map((name) => old.header.indexOf(name));
    const nowAt = columns.map((name) => now.header.indexOf(name));
    const inOrder = (values: string[], at: number[]): string[] =>
      at.map((i) => (i < 0 ? '' : (values[i] ?? '')));
    const sameColumns = old.header.join('\u0000') === now.header.join('\u0000');
    const summary: CompareSummary = {
      columns,
      columnsAdded: now.header.filter((name) => !old.header.includes(name)),
      columnsRemoved: old.header.filter((name) => !now.header.includes(name)),
      previousRecords: old.records,
      currentRecords: now.records,
      added: 0,
      changed: 0,
      removed: 0,
      unchanged: 0,
      changesByColumn: columns.map(() => 0),
      samples: { added: [], changed: [], removed: [] },
      previousSha256: old.sha256,
      currentSha256: now.sha256,
      duplicateIds: 0,
    };
    const out = await DifferencesWriter.open(options.differencesCsv, columns);
    const was = new BucketReader();
    const is = new BucketReader();
    // The previous bucket's IDs (and which of them the current bucket had), the current one's.
    const held = new IdTable(was);
    const seen = new IdTable(is);
    was.reserve(Math.max(...old.bucketBytes));
    is.reserve(Math.max(...now.bucketBytes));
    held.reserve(Math.max(...old.bucketRecords));
    seen.reserve(Math.max(...now.bucketRecords));
    const matched = new Uint8Array(Math.max(...old.bucketRecords));
    try {
      for (let b = 0; b < buckets; b++) {
        // The previous bucket's records by ID (their offsets in its bytes), the current one streamed.
        await was.read(path.join(work, `previous-${b}.bin`), old.bucketBytes[b]);
        await is.read(path.join(work, `current-${b}.bin`), now.bucketBytes[b]);
        held.reset(old.bucketRecords[b]);
        seen.reset(now.bucketRecords[b]);
        for (let at = 0; at < was.length; at = was.next(at)) {
          held.add(at);
          summary.duplicateIds += held.again ? 1 : 0;
        }
        matched.fill(0, 0, held.count);
        for (let at = 0; at < is.length; at = is.next(at)) {
          seen.add(at);
          summary.duplicateIds += seen.again ? 1 : 0;
          const k = held.find(is, at);
          if (k < 0 || matched[k] === 1) {
            summary.added++;
            const values = inOrder(parseRecord(is.record(at)), nowAt);
            if (summary.samples.added.length < sampleCount) {
              summary.samples.added.push(values);
            }
            await out.row(['added', '', ...values]);
            continue;
          }
          matched[k] = 1;
          const wasAt = held.offsets[k];
          if (sameColumns && is.sameRecord(at, was, wasAt)) {
            summary.unchanged++;
            continue;
          }
          const oldValues = inOrder(parseRecord(was.record(wasAt)), oldAt);
          const newValues = inOrder(parseRecord(is.record(at)), nowAt);
          const changed: number[] = [];
          for (let c = 0; c < columns.length; c++) {
            if (oldAt[c] >= 0 && nowAt[c] >= 0 && oldValues[c] !== newValues[c]) {
              changed.push(c);
            }
          }
          if (changed.length === 0) {
            summary.unchanged++;
            continue;
          }
          summary.changed++;
          for (const c of changed) {
            summary.changesByColumn[c]++;
          }
          if (summary.samples.changed.length < sampleCount) {
            summary.samples.changed.push({ id: is.id(at), before: oldValues, after: newValues, changed });
          }
          const names = changed.map((c) => columns[c]).join('; ');
          await out.row(['changed (before)', names, ...oldValues]);
          await out.row(['changed (after)', names, ...newValues]);
        }
        for (let k = 0; k < held.count; k++) {
          if (matched[k] === 1) {
            continue;
          }
          summary.removed++;
          const values = inOrder(parseRecord(was.record(held.offsets[k])), oldAt);
          if (summary.samples.removed.length < sampleCount) {
            summary.samples.removed.push(values);
          }
          await out.row(['removed', '', ...values]);
        }
      }
    } finally {
      await out.close();
    }
    return summary;
  } finally {
    await fs.rm(work, { recursive: true, force: true });
  }
}

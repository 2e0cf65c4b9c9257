// Compares two exports of one report record by record, keyed by the `ID` column (issue 20.4), in
// bounded memory however large the files are: each file is read once and its records are written
// into N bucket files on disk by a hash of their ID; then bucket i of the previous file is held in
// memory (about BUCKET_BYTES of text) while bucket i of the current one streams past it. Records
// are compared as raw text first, and only a record whose text differs is split into its values.
// It also hashes each file in its one pass, so a caller can tell whether a file is still the one
// a run recorded (./runHistory.ts: sha256). No editor API: the command line can use it.
import { createHash } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { csvValue, parseRecord, RecordSplitter } from './compareCsvRecords';

export { csvValue, parseRecord } from './compareCsvRecords';

/** Text per bucket aimed at: the previous file's bucket is the one thing held in memory. */
export const BUCKET_BYTES = 4 * 1024 * 1024;
const MAX_BUCKETS = 256;
/** Bucket files are written in pieces of about this much text. */
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
}

/** Thrown when a file is not a CSV with an ID column: the message says which and why. */
export class CompareError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CompareError';
  }
}

/** The ID of a record: the value at `index`, without splitting the rest of it. */
function idOf(record: string, index: number): string {
  if (index === 0 && record.charCodeAt(0) !== 0x22) {
    const comma = record.indexOf(',');
    return comma < 0 ? record : record.slice(0, comma);
  }
  return parseRecord(record)[index] ?? '';
}

/** FNV-1a of the ID: which bucket its record goes to. */
function bucketOf(id: string, buckets: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    hash ^= id.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % buckets;
}

interface Partitioned {
  header: string[];
  records: number;
  sha256: string;
}

/** Reads `file` once: its header, its records written to `buckets` files by ID, its sha256. */
async function partition(file: string, prefix: string, buckets: number): Promise<Partitioned> {
  const handles = await Promise.all(
    Array.from({ length: buckets }, (_, i) => fs.open(`${prefix}-${i}.csv`, 'w')),
  );
  const pieces: string[][] = handles.map(() => []);
  const sizes = new Array<number>(buckets).fill(0);
  const digest = createHash('sha256');
  const decoder = new StringDecoder('utf8');
  const splitter = new RecordSplitter();
  let header: string[] | undefined;
  let idIndex = -1;
  let records = 0;
  const flush = async (i: number): Promise<void> => {
    if (pieces[i].length > 0) {
      await handles[i].write(pieces[i].join(''));
      pieces[i] = [];
      sizes[i] = 0;
    }
  };
  const take = async (lines: string[]): Promise<void> => {
    for (const line of lines) {
      if (header === undefined) {
        header = parseRecord(line.charCodeAt(0) === 0xfeff ? line.slice(1) : line);
        idIndex = header.indexOf('ID');
        if (idIndex < 0) {
          throw new CompareError(
            `${path.basename(file)} has no ID column, so its records cannot be matched (its columns: ${header.slice(0, 8).join(', ')}${header.length > 8 ? ', …' : ''}).`,
          );
        }
        continue;
      }
      records++;
      const b = bucketOf(idOf(line, idIndex), buckets);
      pieces[b].push(line, '\n');
      sizes[b] += line.length + 1;
      if (sizes[b] >= WRITE_PIECE) {
        await flush(b);
      }
    }
  };
  try {
    for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 })) {
      digest.update(chunk as Buffer);
      const lines: string[] = [];
      splitter.push(decoder.write(chunk as Buffer), lines);
      await take(lines);
    }
    const last: string[] = [];
    splitter.push(decoder.end(), last);
    splitter.end(last);
    await take(last);
    for (let i = 0; i < buckets; i++) {
      await flush(i);
    }
  } finally {
    await Promise.all(handles.map((handle) => handle.close()));
  }
  if (header === undefined) {
    throw new CompareError(`${path.basename(file)} is empty: it has no header row.`);
  }
  return { header, records, sha256: digest.digest('hex') };
}

/** Reads one bucket file's records. */
async function readBucket(file: string): Promise<string[]> {
  const text = await fs.readFile(file, 'utf8');
  const lines: string[] = [];
  const splitter = new RecordSplitter();
  splitter.push(text, lines);
  splitter.end(lines);
  return lines;
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
    const old = await partition(previous, path.join(work, 'previous'), buckets);
    const now = await partition(current, path.join(work, 'current'), buckets);
    const columns = [...now.header, ...old.header.filter((name) => !now.header.includes(name))];
    const oldAt = columns.map((name) => old.header.indexOf(name));
    const nowAt = columns.map((name) => now.header.indexOf(name));
    const inOrder = (values: string[], at: number[]): string[] =>
      at.map((i) => (i < 0 ? '' : (values[i] ?? '')));
    const sameColumns = old.header.join('\u0000') === now.header.join('\u0000');
    const oldId = old.header.indexOf('ID');
    const nowId = now.header.indexOf('ID');
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
    try {
      for (let b = 0; b < buckets; b++) {
        const held = new Map<string, string>();
        for (const line of await readBucket(path.join(work, `previous-${b}.csv`))) {
          const id = idOf(line, oldId);
          if (held.has(id)) {
            summary.duplicateIds++;
          }
          held.set(id, line);
        }
        const seen = new Set<string>();
        for (const line of await readBucket(path.join(work, `current-${b}.csv`))) {
          const id = idOf(line, nowId);
          if (seen.has(id)) {
            summary.duplicateIds++;
          }
          seen.add(id);
          const was = held.get(id);
          if (was === undefined) {
            summary.added++;
            const values = inOrder(parseRecord(line), nowAt);
            if (summary.samples.added.length < sampleCount) {
              summary.samples.added.push(values);
            }
            await out.row(['added', '', ...values]);
            continue;
          }
          held.delete(id);
          if (sameColumns && was === line) {
            summary.unchanged++;
            continue;
          }
          const oldValues = inOrder(parseRecord(was), oldAt);
          const newValues = inOrder(parseRecord(line), nowAt);
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
            summary.samples.changed.push({ id, before: oldValues, after: newValues, changed });
          }
          const names = changed.map((c) => columns[c]).join('; ');
          await out.row(['changed (before)', names, ...oldValues]);
          await out.row(['changed (after)', names, ...newValues]);
        }
        for (const line of held.values()) {
          summary.removed++;
          const values = inOrder(parseRecord(line), oldAt);
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

// The snapshot of an incremental export: one CSV sorted by ID that always equals the report as of
// its last successful run. A run's records (the changed ones, or the whole report on a full run)
// are sorted by ID on disk in bounded runs, then merged with the snapshot in one pass into a temp
// file that replaces the snapshot only once it is complete: the snapshot is exact, or the old one
// stays. A full run also drops the IDs it did not see (deletions: Modified_Time cannot show them,
// docs/zoho-bulk-read-api.md, "Incremental extraction"). Every added, changed and removed ID is
// written to the run's record of changes, in the same pass.
import { createHash, randomHex } from '../core/nodeCrypto';
import { createReadStream, createWriteStream, promises as fs, type WriteStream } from 'node:fs';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { compareIds, csvRecords, fieldAt, headerColumns } from './csvRecords';

/** Records sorted in memory at a time (a few tens of MB for Zoho's widest reports). */
export const SORT_RUN_RECORDS = 50_000;

export interface SnapshotChanges {
  added: number;
  changed: number;
  removed: number;
  /** Records in the snapshot after the run. */
  records: number;
  /** The snapshot's header (its columns). */
  header: string;
  /** sha256 (hex) of the new snapshot, hashed as it was written. */
  sha256: string;
  /** `keepCopyAs`, when the new snapshot was linked there (not on a file system without hard links). */
  copy?: string;
}

/** Why a run's records cannot be merged into the snapshot: the run fails, the snapshot stays. */
export class SnapshotError extends Error {}

interface Keyed {
  id: string;
  text: string;
}

const LINE_END = '\r\n';

/**
 * Merges `runFile` (a run's CSV, any order) into `snapshot` (sorted by ID; absent before the
 * first run) and lists what changed in `changesFile` (`change,ID`). `full`: the run holds the
 * whole report, so IDs only in the snapshot are removed. Work files go to `workDir`.
 */
export async function mergeIntoSnapshot(options: {
  runFile: string;
  snapshot: string;
  changesFile: string;
  full: boolean;
  workDir: string;
  /** Records sorted in memory at a time (tests make it small to merge several sorted runs). */
  runRecords?: number;
  /** Also names the new snapshot here (a hard link: no second copy on disk while both exist). */
  keepCopyAs?: string;
}): Promise<SnapshotChanges> {
  const { runFile, snapshot, changesFile, full } = options;
  const work = path.join(options.workDir, `sort-${randomHex(4)}`);
  await fs.mkdir(work, { recursive: true });
  const temp = `${snapshot}.${randomHex(4)}.tmp`;
  try {
    const sorted = await sortRuns(runFile, work, options.runRecords ?? SORT_RUN_RECORDS);
    const old = (await exists(snapshot)) ? csvRecords(snapshot) : undefined;
    const oldHeader = old ? (await old.next()).value : undefined;
    const header = sorted.header ?? oldHeader;
    if (header === undefined) {
      throw new SnapshotError(`${path.basename(runFile)} has no header row, so it cannot be merged.`);
    }
    if (!full && oldHeader !== undefined && sorted.header !== undefined && oldHeader !== sorted.header) {
      throw new SnapshotError(
        `the columns of the report changed since the snapshot ${path.basename(snapshot)} was made (${headerColumns(sorted.header).join(', ')}); run a full export to start a new snapshot.`,
      );
    }
    const idColumn = headerColumns(header).indexOf('ID');
    const oldRecords = old ? keyed(old, idColumn, path.basename(snapshot), true) : empty();
    const counts = await writeMerged({
      temp,
      changesFile,
      header,
      incoming: mergeRuns(sorted.runs),
      existing: oldRecords,
      full,
    });
    const copy =
      options.keepCopyAs === undefined
        ? undefined
        : await fs.link(temp, options.keepCopyAs).then(
            () => options.keepCopyAs,
            () => undefined,
          );
    await fs.rename(temp, snapshot);
    return { ...counts, header, copy };
  } finally {
    await fs.rm(temp, { force: true });
    await fs.rm(work, { recursive: true, force: true });
  }
}

async function exists(file: string): Promise<boolean> {
  return fs.stat(file).then(
    () => true,
    () => false,
  );
}

// eslint-disable-next-line require-yield
async function* empty(): AsyncGenerator<Keyed> {
  return;
}

/** The records of `records` with their ID; checks the order when `sorted` (the snapshot). */
async function* keyed(
  records: AsyncGenerator<string>,
  idColumn: number,
  name: string,
  sorted: boolean,
): AsyncGenerator<Keyed> {
  let previous: string | undefined;
  for await (const text of records) {
    const id = fieldAt(text, idColumn);
    if (!/^\d+$/.test(id)) {
      throw new SnapshotError(`a record of ${name} has no ID ("${id.slice(0, 40)}").`);
    }
    if (sorted && previous !== undefined && compareIds(previous, id) >= 0) {
      throw new SnapshotError(
        `${name} is not sorted by ID (it was changed outside this extension); run a full export to write it again.`,
      );
    }
    previous = id;
    yield { id, text };
  }
}

/** Sorts the run's records by ID into files of SORT_RUN_RECORDS each (JSON lines: a record per line). */
async function sortRuns(
  runFile: string,
  work: string,
  runRecords: number,
): Promise<{ header?: string; runs: string[] }> {
  const records = csvRecords(runFile);
  const first = await records.next();
  if (first.done) {
    return { runs: [] };
  }
  const header = first.value;
  const idColumn = headerColumns(header).indexOf('ID');
  if (idColumn < 0) {
    throw new SnapshotError(
      `the report's records have no ID column, so changes cannot be matched to records; add "ID" to the definition's "fields".`,
    );
  }
  const runs: string[] = [];
  let chunk: Keyed[] = [];
  const flush = async (): Promise<void> => {
    if (chunk.length === 0) {
      return;
    }
    chunk.sort((a, b) => compareIds(a.id, b.id)); // stable: of one ID twice, the later stays later
    const file = path.join(work, `run-${runs.length}.jsonl`);
    await writeLines(
      file,
      chunk.map((record) => JSON.stringify([record.id, record.text])),
    );
    runs.push(file);
    chunk = [];
  };
  for await (const record of keyed(records, idColumn, path.basename(runFile), false)) {
    chunk.push(record);
    if (chunk.length >= runRecords) {
      await flush();
    }
  }
  await flush();
  return { header, runs };
}

async function writeLines(file: string, lines: string[]): Promise<void> {
  const out = createWriteStream(file);
  for (const line of lines) {
    await write(out, `${line}\n`);
  }
  await close(out);
}

function write(out: WriteStream, text: string): Promise<void> | void {
  if (!out.write(text)) {
    return new Promise((resolve, reject) => {
      const drained = (): void => {
        out.off('error', failed);
        resolve();
      };
      const failed = (error: Error): void => {
        out.off('drain', drained);
        reject(error);
      };
      out.once('drain', drained);
      out.once('error', failed);
    });
  }
}

function close(out: WriteStream): Promise<void> {
  return new Promise((resolve, reject) => {
    out.once('error', reject);
    out.end(() => resolve());
  });
}

/** The sorted runs merged into one sequence by ID; of one ID seen twice, the later record wins. */
async function* mergeRuns(files: string[]): AsyncGenerator<Keyed> {
  const readers = files.map((file) =>
    createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity })[
      Symbol.asyncIterator
    ](),
  );
  const heads: Array<Keyed | undefined> = [];
  const advance = async (k: number): Promise<void> => {
    const next = await readers[k].next();
    if (next.done) {
      heads[k] = undefined;
    } else {
      const [id, text] = JSON.parse(next.value as string) as [string, string];
      heads[k] = { id, text };
    }
  };
  for (let k = 0; k < readers.length; k++) {
    await advance(k);
  }
  let pending: Keyed | undefined;
  for (;;) {
    let least = -1;
    for (let k = 0; k < heads.length; k++) {
      const head = heads[k];
      // Ties go to the later run: it was read later from the run's file.
      if (head && (least < 0 || compareIds(head.id, (heads[least] as Keyed).id) <= 0)) {
        least = k;
      }
    }
    if (least < 0) {
      break;
    }
    const head = heads[least] as Keyed;
    await advance(least);
    if (pending && pending.id !== head.id) {
      yield pending;
    }
    pending = head;
  }
  if (pending) {
    yield pending;
  }
}

/** One pass over both sorted sequences: the new snapshot into `temp`, the changes into `changesFile`. */
async function writeMerged(options: {
  temp: string;
  changesFile: string;
  header: string;
  incoming: AsyncGenerator<Keyed>;
  existing: AsyncGenerator<Keyed>;
  full: boolean;
}): Promise<Omit<SnapshotChanges, 'header' | 'copy'>> {
  const { incoming, existing, full } = options;
  const out = createWriteStream(options.temp, { flags: 'wx' });
  const digest = createHash('sha256');
  const put = (text: string): Promise<void> | void => {
    digest.update(text);
    return write(out, text);
  };
  const changes = createWriteStream(options.changesFile);
  const counts = { added: 0, changed: 0, removed: 0, records: 0 };
  const keep = async (record: Keyed): Promise<void> => {
    counts.records++;
    await put(record.text + LINE_END);
  };
  const note = async (change: 'added' | 'changed' | 'removed', id: string): Promise<void> => {
    counts[change]++;
    await write(changes, `${change},${id}${LINE_END}`);
  };
  try {
    await put(options.header + LINE_END);
    await write(changes, `change,ID${LINE_END}`);
    let a = await incoming.next();
    let b = await existing.next();
    while (!a.done || !b.done) {
      const order = a.done ? 1 : b.done ? -1 : compareIds(a.value.id, b.value.id);
      if (order < 0 && !a.done) {
        await note('added', a.value.id);
        await keep(a.value);
        a = await incoming.next();
      } else if (order > 0 && !b.done) {
        if (full) {
          await note('removed', b.value.id);
        } else {
          await keep(b.value);
        }
        b = await existing.next();
      } else if (!a.done && !b.done) {
        if (a.value.text !== b.value.text) {
          await note('changed', a.value.id);
        }
        await keep(a.value);
        a = await incoming.next();
        b = await existing.next();
      }
    }
  } finally {
    await Promise.all([close(out), close(changes)]);
  }
  return { ...counts, sha256: digest.digest('hex') };
}

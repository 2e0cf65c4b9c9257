// One item of a shared collection in its own small file (./sharedCollection.ts): an envelope with
// the item's key, a revision that every write raises, an order (when it was first stored, so the
// collection lists items in the order they were added) and the item itself. The one versioned
// reader of the collections: what cannot be used is told apart from what a newer release wrote.
import { createHash } from './nodeCrypto';
import { readFileSync, promises as fs } from 'node:fs';
import { moveAside, replaceFile, UnusableContentError } from './atomicFile';
import { acquireLock } from './fileLock';
import { isRecord, jsonEqual } from './json';
import type { Clock, Logger } from './ports';
import { fileStamp } from './sharedFolder';
import { parseJson } from './sharedJsonFile';

/** Turns the item as stored (undefined: none) into what to store; return `stored` itself to change nothing. */
export type Merge<T> = (stored: T | undefined) => T | undefined;

/** What one merge did, once written. */
export interface Written<T> {
  /** The item as stored just before this merge (inside the write). */
  previous?: T;
  /** The item as stored after it. */
  item?: T;
  /** Whether the merge changed anything (false: it refused, or there was nothing to change). */
  accepted: boolean;
}

/** The envelope format this version writes. */
export const ITEM_FORMAT = 1;

export interface ItemEnvelope<T> {
  format: typeof ITEM_FORMAT;
  key: string;
  /** Raised by one with every write: a reader that saw rev n knows it has seen everything up to n. */
  rev: number;
  /** Sort order of the collection (items added earlier come first). */
  order: number;
  value: T;
}

/** An item file written by a newer release: read by nobody here, and never written over. */
export class UnknownFormatError extends Error {
  constructor(
    readonly file: string,
    format: unknown,
  ) {
    super(
      `${file} is in format ${String(format)}, which this version of Creator Bulk Jobs does not know. ` +
        'Update the extension (or reload this window) to change it; it was left as it is',
    );
    this.name = 'UnknownFormatError';
  }
}

/**
 * The file name of a key: a hash, so any key makes a valid name on every file system (also
 * case-insensitive ones) and names stay short.
 */
export function itemFileName(key: string): string {
  return `${createHash('sha256').update(key).digest('hex').slice(0, 32)}.json`;
}

/** The envelope in `text`. Throws UnknownFormatError (newer release) or UnusableContentError. */
export function parseItem<T>(
  file: string,
  text: string,
  isItem: (value: unknown) => value is T,
): ItemEnvelope<T> {
  const raw = parseJson(text);
  if (isRecord(raw) && typeof raw.format === 'number' && raw.format !== ITEM_FORMAT) {
    throw new UnknownFormatError(file, raw.format);
  }
  if (
    !isRecord(raw) ||
    typeof raw.key !== 'string' ||
    typeof raw.rev !== 'number' ||
    typeof raw.order !== 'number' ||
    !isItem(raw.value)
  ) {
    throw new UnusableContentError('it is not a stored item');
  }
  return raw as unknown as ItemEnvelope<T>;
}

/** The item in `file`; undefined when there is none. Throws as parseItem, or when unreadable. */
export function readItemSync<T>(
  file: string,
  isItem: (value: unknown) => value is T,
): ItemEnvelope<T> | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return undefined;
    }
    throw error;
  }
  return parseItem(file, text, isItem);
}

/** readItemSync, without blocking (used under the item's lock). */
export async function readItem<T>(
  file: string,
  isItem: (value: unknown) => value is T,
): Promise<ItemEnvelope<T> | undefined> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return undefined;
    }
    throw error;
  }
  return parseItem(file, text, isItem);
}

/** What updateItem did: each merge's result, and the item file as it is now (as of the write). */
export interface ItemUpdate<T> {
  results: Array<Written<T>>;
  /** The item as stored now; undefined when there is none. */
  entry?: ItemEnvelope<T>;
  /**
   * The stamp of the file that holds `entry` ('missing': none), taken under the item's lock: a
   * stamp taken after the release could be another window's newer file, paired with this entry.
   */
  stamp: string;
}

/** The lock was broken while this writer was paused: its write is not renamed into place. */
class LostLockError extends Error {}

/**
 * Runs `ops` in order on the item in `file` as stored now, under the item's lock, and stores the
 * result as the next revision (undefined: removes the file); nothing is written when nothing
 * changed. Fenced: the new revision is renamed into place only while the lock is still ours (a
 * writer that paused past the lock's life starts over on what is stored then). A file that is not
 * an item is moved aside first. Throws when the item cannot be written (a newer release's format,
 * a full disk): nothing is.
 */
export async function updateItem<T>(
  file: string,
  key: string,
  ops: Array<{ merge: Merge<T>; order: number }>,
  isItem: (value: unknown) => value is T,
  clock: Clock,
  logger: Logger,
): Promise<ItemUpdate<T>> {
  for (let attempt = 1; ; attempt++) {
    const lock = await acquireLock(`${file}.lock`);
    try {
      let entry: ItemEnvelope<T> | undefined;
      try {
        entry = await readItem(file, isItem);
      } catch (error) {
        if (!(error instanceof UnusableContentError)) {
          throw error;
        }
        await moveAside(file, error, clock, logger);
      }
      const results: Array<Written<T>> = [];
      let current = entry?.value;
      for (const op of ops) {
        const next = op.merge(current);
        results.push({ previous: current, item: next, accepted: next !== current });
        current = next;
      }
      if (current === entry?.value || (current !== undefined && entry && jsonEqual(current, entry.value))) {
        return { results, entry, stamp: await fileStamp(file) };
      }
      const stillOurs = async (): Promise<void> => {
        if (!(await lock.stillHeld())) {
          throw new LostLockError();
        }
      };
      if (current === undefined) {
        await stillOurs();
        await fs.rm(file, { force: true });
        return { results, stamp: 'missing' };
      }
      const rev = (entry?.rev ?? 0) + 1;
      entry = { format: ITEM_FORMAT, key, rev, order: entry?.order ?? ops[0].order, value: current };
      await replaceFile(file, JSON.stringify(entry), stillOurs);
      return { results, entry, stamp: await fileStamp(file) }; // the lock is still ours here
    } catch (error) {
      if (error instanceof LostLockError && attempt < 3) {
        continue; // paused past the lock's life: start over on what is stored now
      }
      throw error;
    } finally {
      await lock.release();
    }
  }
}

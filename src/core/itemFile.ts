// One item of a shared collection in its own small file (./sharedCollection.ts): an envelope with
// the item's key, a revision that every write raises, an order (when it was first stored, so the
// collection lists items in the order they were added) and the item itself. The one versioned
// reader of the collections: what cannot be used is told apart from what a newer release wrote.
import { createHash } from 'node:crypto';
import { readFileSync, promises as fs } from 'node:fs';
import { UnusableContentError } from './atomicFile';
import { isRecord } from './json';
import { parseJson } from './sharedJsonFile';

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

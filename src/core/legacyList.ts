// Moving a list that an older version kept in one shared file (jobs.json, exports.json,
// account-holds.json) into its collection's item files (./sharedCollection.ts), once.
//
// Safe when several windows start at the same time: the move holds the old file's lock (the one
// older versions took to write it), so one window moves the list and the others then find no file.
// Crash safe: each item is stored only where none is yet (a window that moved part of the list
// and crashed is simply followed by the next one), and the old file is renamed to
// `<name>.migrated` (kept for the user, never read again) only once every item is stored.
import { promises as fs } from 'node:fs';
import { moveAside, UnusableContentError } from './atomicFile';
import { errorMessage } from './format';
import { withLock } from './fileLock';
import type { Clock, Logger } from './ports';
import type { SharedJsonFile } from './sharedJsonFile';

export interface LegacyList<T> {
  /** The old one-file document. */
  file: SharedJsonFile;
  /**
   * Its items and their keys, in list order. Throws UnusableContentError for something that is
   * not such a list (it is moved aside), any other error for a format this version does not know
   * (it is left as it is).
   */
  parse(raw: unknown): Array<[string, T]>;
}

/** The old list's items, to show before the move is done; none when it cannot be read. */
export function readLegacyList<T>(legacy: LegacyList<T>, logger: Logger): Array<[string, T]> {
  try {
    return legacy.parse(legacy.file.read());
  } catch (error) {
    logger.debug(`Not showing ${legacy.file.filePath} before it is moved: ${errorMessage(error)}.`);
    return [];
  }
}

/** Stores every item of the old list with `write` (an item stored already wins), then retires the file. */
export async function importLegacyList<T>(
  legacy: LegacyList<T>,
  write: (key: string, value: T, order: number) => Promise<void>,
  clock: Clock,
  logger: Logger,
): Promise<void> {
  const file = legacy.file.filePath;
  if (
    !(await fs.stat(file).then(
      () => true,
      () => false,
    ))
  ) {
    return; // the usual case: nothing to move
  }
  await withLock(`${file}.lock`, async () => {
    let items: Array<[string, T]>;
    try {
      items = legacy.parse(legacy.file.read());
    } catch (error) {
      if (!(error instanceof UnusableContentError)) {
        throw error;
      }
      await moveAside(file, error, clock, logger);
      return;
    }
    if (items.length === 0 && legacy.file.read() === undefined) {
      return; // nothing there (moved already)
    }
    for (const [index, [key, value]] of items.entries()) {
      await write(key, value, index);
    }
    await fs.rename(file, `${file}.migrated`);
    logger.info(`Moved ${items.length} item(s) from ${file} to one file each.`);
  });
}

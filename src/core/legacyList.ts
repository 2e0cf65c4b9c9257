// Moving a list that an older version kept in one shared file (jobs.json, exports.json,
// account-holds.json) into its collection's item files (./sharedCollection.ts), once.
//
// 1. Claim, under the old file's lock (the one older versions take to write it): the list is
//    linked to `<name>.migrating` (created exclusively: one window's claim succeeds), and the old
//    file is replaced by a placeholder in a newer format. A window still on an older version
//    refuses that format ("update the extension or reload this window"), keeps the list it shows
//    and never writes over it; the old file is never missing, so it never takes the list for empty.
// 2. Move, under the lock of `<name>.migrating`, touched while the move runs: each item is stored
//    only where none is yet, then the claimed list is renamed to `<name>.migrated` (kept for the
//    user, never read again). Only the claim's holder moves; a window that finds a claim waits for
//    it, and finishes it when its holder crashed (its lock untouched for STALE_LOCK_MS).
import { readFileSync, constants, promises as fs } from 'node:fs';
import { moveAside, replaceFile, UnusableContentError } from './atomicFile';
import { errorMessage } from './format';
import { acquireLock, withLock, type HeldLock } from './fileLock';
import { isRecord } from './json';
import type { Clock, Logger } from './ports';
import { parseJson, type SharedJsonFile } from './sharedJsonFile';

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

/**
 * What stands in place of a moved list. Older versions read `version` and refuse any but 1 (jobs,
 * exports); `movedTo` marks it for this version.
 */
export function legacyPlaceholder(movedTo: string): Record<string, unknown> {
  return {
    version: 2,
    movedTo,
    note:
      `Moved to the folder ${movedTo} by a newer release of Creator Bulk Jobs. ` +
      'A window that still runs an older release: update the extension or reload the window.',
  };
}

export function isLegacyPlaceholder(raw: unknown): boolean {
  return isRecord(raw) && typeof raw.movedTo === 'string';
}

/** The claimed list while it is being moved. */
export function claimPath(legacy: LegacyList<unknown>): string {
  return `${legacy.file.filePath}.migrating`;
}

/** The old list's items, to show before the move is done; none when it cannot be read. */
export function readLegacyList<T>(legacy: LegacyList<T>, logger: Logger): Array<[string, T]> {
  try {
    const raw = legacy.file.read();
    if (raw !== undefined && !isLegacyPlaceholder(raw)) {
      return legacy.parse(raw);
    }
    const claimed = readClaimSync(claimPath(legacy));
    return claimed === undefined ? [] : legacy.parse(claimed); // being moved (or its mover crashed)
  } catch (error) {
    logger.debug(`Not showing ${legacy.file.filePath} before it is moved: ${errorMessage(error)}.`);
    return [];
  }
}

/**
 * Stores every item of the old list with `write` (an item stored already wins) and leaves the
 * placeholder naming `movedTo` in place of the old file; finishes a move another window claimed.
 */
export async function importLegacyList<T>(
  legacy: LegacyList<T>,
  movedTo: string,
  write: (key: string, value: T, order: number) => Promise<void>,
  clock: Clock,
  logger: Logger,
): Promise<void> {
  // A window on an older version may write a list again (the account holds do not refuse the
  // placeholder): each round moves what is there, a few rounds at most.
  for (let round = 0; round < 3; round++) {
    const claimed = await claim(legacy, movedTo, clock, logger);
    await finishMove(legacy, write, clock, logger); // also waits for another window's move
    if (!claimed) {
      return;
    }
  }
}

/** Claims the old list for a move; false when there is none (the usual case: moved long ago). */
async function claim<T>(
  legacy: LegacyList<T>,
  movedTo: string,
  clock: Clock,
  logger: Logger,
): Promise<boolean> {
  const file = legacy.file.filePath;
  const hasList = (): boolean => {
    const raw = legacy.file.read();
    return raw !== undefined && !isLegacyPlaceholder(raw);
  };
  try {
    if (!hasList()) {
      return false; // checked without the lock first: no lock is taken at an ordinary start
    }
  } catch {
    // Not readable: dealt with under the lock.
  }
  return withLock(`${file}.lock`, async () => {
    try {
      if (!hasList()) {
        return false;
      }
      legacy.parse(legacy.file.read());
    } catch (error) {
      if (!(error instanceof UnusableContentError)) {
        throw error; // a format this version does not know: left as it is
      }
      await moveAside(file, error, clock, logger);
      return false;
    }
    const claimed = claimPath(legacy);
    try {
      await fs.link(file, claimed);
    } catch (error) {
      if (isCode(error, 'EEXIST')) {
        return true; // another claim is not finished: finish it first, then come back
      }
      await fs.copyFile(file, claimed, constants.COPYFILE_EXCL); // no hard links on this file system
    }
    await replaceFile(file, JSON.stringify(legacyPlaceholder(movedTo)));
    return true;
  });
}

/** How often the mover refreshes its claim's lock (and checks that it still holds it). */
const CLAIM_TOUCH_MS = 1_000;

/** Moves a claimed list, once its claim's lock is free (or abandoned by a mover that crashed). */
async function finishMove<T>(
  legacy: LegacyList<T>,
  write: (key: string, value: T, order: number) => Promise<void>,
  clock: Clock,
  logger: Logger,
): Promise<void> {
  const claimed = claimPath(legacy);
  if (
    !(await fs.stat(claimed).then(
      () => true,
      () => false,
    ))
  ) {
    return; // the usual case: no move under way
  }
  const lock = await acquireLock(`${claimed}.lock`, Number.POSITIVE_INFINITY);
  try {
    let items: Array<[string, T]>;
    try {
      const raw = readClaimSync(claimed);
      if (raw === undefined) {
        return; // moved by the window that held the claim
      }
      items = legacy.parse(raw);
    } catch (error) {
      if (!(error instanceof UnusableContentError)) {
        throw error;
      }
      await moveAside(claimed, error, clock, logger); // a copy cut short by a crash: the list is still in place
      return;
    }
    let checked = Date.now();
    for (const [index, [key, value]] of items.entries()) {
      if (Date.now() - checked >= CLAIM_TOUCH_MS) {
        await keepClaim(lock, claimed);
        checked = Date.now();
      }
      await write(key, value, index);
    }
    await keepClaim(lock, claimed);
    await fs.rename(claimed, `${legacy.file.filePath}.migrated`);
    logger.info(`Moved ${items.length} item(s) from ${legacy.file.filePath} to one file each.`);
  } finally {
    await lock.release();
  }
}

/** Refreshes the claim's lock; throws when another window took it over (this one was paused). */
async function keepClaim(lock: HeldLock, claimed: string): Promise<void> {
  if (!(await lock.stillHeld())) {
    throw new Error(`another window took over moving ${claimed}`);
  }
  await lock.touch();
}

/** The claimed list's JSON; undefined when there is none. */
function readClaimSync(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if (isCode(error, 'ENOENT')) {
      return undefined;
    }
    throw error;
  }
  return parseJson(text);
}

function isCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}

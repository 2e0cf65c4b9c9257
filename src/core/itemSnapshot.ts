// A start-up shortcut for a shared collection (./sharedCollection.ts): a window that opens it
// would read every item file (1,000 small reads for 1,000 jobs). The snapshot holds the items with
// the stamp (inode, size, time) of the file each came from; an item whose file still has that
// stamp (one stat, at open, before anything is shown) is taken from the snapshot, any other is read
// from its file, so a stale snapshot only costs reads, never correctness. A window that had to read many files writes a new one.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { replaceFile } from './atomicFile';
import { isRecord } from './json';
import type { ItemEnvelope } from './itemFile';

/** Not a .json name: the folder's watcher does not report it. */
export const SNAPSHOT_FILE_NAME = 'index.snapshot';
/** A window that read at least this many item files at start writes a new snapshot. */
export const SNAPSHOT_AFTER_READS = 50;

export interface SnapshotItem<T> {
  stamp: string;
  entry: ItemEnvelope<T>;
}

/** The snapshot's items by file name; none when it is missing or cannot be used. */
export function readSnapshot<T>(
  folder: string,
  isItem: (value: unknown) => value is T,
): Map<string, SnapshotItem<T>> {
  const items = new Map<string, SnapshotItem<T>>();
  try {
    const raw = JSON.parse(readFileSync(path.join(folder, SNAPSHOT_FILE_NAME), 'utf8')) as unknown;
    if (!isRecord(raw) || raw.format !== 1 || !isRecord(raw.items)) {
      return items;
    }
    for (const [name, item] of Object.entries(raw.items)) {
      const entry = isRecord(item) ? item.entry : undefined;
      if (
        isRecord(item) &&
        typeof item.stamp === 'string' &&
        isRecord(entry) &&
        entry.format === 1 &&
        typeof entry.key === 'string' &&
        typeof entry.rev === 'number' &&
        typeof entry.order === 'number' &&
        isItem(entry.value)
      ) {
        items.set(name, { stamp: item.stamp, entry: entry as unknown as ItemEnvelope<T> });
      }
    }
  } catch {
    // Missing or damaged: every file is read.
  }
  return items;
}

/** Replaces the snapshot (best effort: a failure only means more reads at the next start). */
export async function writeSnapshot<T>(
  folder: string,
  keys: Map<string, string>,
  stamps: Map<string, string>,
  stored: Map<string, ItemEnvelope<T>>,
): Promise<void> {
  const items: Record<string, SnapshotItem<T>> = {};
  for (const [name, key] of keys) {
    const entry = stored.get(key);
    if (entry) {
      items[name] = { stamp: stamps.get(name) ?? '', entry };
    }
  }
  await replaceFile(path.join(folder, SNAPSHOT_FILE_NAME), JSON.stringify({ format: 1, items })).catch(
    () => undefined,
  );
}

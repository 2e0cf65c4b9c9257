// A typed, keyed collection that every window of the editor shares: one small file per item in a
// subfolder of the storage folder (./itemFile.ts), so a change to one item writes, and makes the
// other windows read, that item only (a few hundred bytes, not the whole list).
//
// One mechanism for every store (jobs, exports, account holds, run history):
// - a change is a merge function `(item as stored now) => item to store` (undefined: none). It
//   runs on this window's copy at once (unless the caller wants to see only what was stored), and
//   again, inside the write, on the item as stored then, under the item's lock: what another
//   window changed meanwhile survives whatever the merge keeps. Stores write their rules as small
//   pure functions (see jobs/storedJobs.ts, exports/exportStore.ts, jobs/sharedAccountHolds.ts).
// - one queue of pending operations, written one batch at a time; this window's copy is always
//   "the items as last read, with the pending operations replayed on them", which is also how the
//   changes of other windows are taken in (sync(): re-read what changed, replay, announce).
// - writes are fenced: the merge sees the item as stored under the lock, the new revision is
//   renamed into place only while the lock is still ours (a writer that paused past the lock's
//   life starts over on the newer revision), and a half-written item is never visible (temp file
//   and rename, ./atomicFile.ts).
// - the one watcher of the storage folder (./sharedFolder.ts) names the item file that changed.
//
// A little over 400 lines: the queue, the take-in and the snapshot at start are one state machine
// over the same maps; split, each part would reach into the others' fields.
import { readdirSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { removeAbandonedTemps } from './atomicFile';
import { errorMessage } from './format';
import {
  ITEM_FORMAT,
  itemFileName,
  readItemSync,
  updateItem,
  type ItemEnvelope,
  type Merge,
  type Written,
} from './itemFile';
import { jsonEqual } from './json';
import { importLegacyList, readLegacyList, type LegacyList } from './legacyList';
import { Disposable, Emitter, type Event, type IDisposable } from './lifecycle';
import { silentLogger, type Clock, type Logger } from './ports';
import { readSnapshot, SNAPSHOT_AFTER_READS, writeSnapshot, type SnapshotItem } from './itemSnapshot';
import { fileStampSync, isSharedDocument, SharedFolder } from './sharedFolder';

export type { Merge, Written } from './itemFile';

export interface CollectionChange<T> {
  kind: 'added' | 'updated' | 'removed';
  key: string;
  /** The item as it is now (for 'removed': as it was). */
  item: T;
  /** True when another window made the change. */
  external: boolean;
}

export interface CollectionOptions<T> {
  /** The storage folder (shared by every window). */
  dir: string;
  /** The collection's subfolder in it. */
  name: string;
  /** What the items are, for messages ("tracked jobs"). */
  label: string;
  isItem: (value: unknown) => value is T;
  clock: Clock;
  logger?: Logger;
}

interface Operation<T> {
  key: string;
  merge: Merge<T>;
  /** Shown before it is written (else only once the file has it). */
  optimistic: boolean;
  order: number;
  inFlight: boolean;
  resolve: (written: Written<T>) => void;
  reject: (error: unknown) => void;
}

export class SharedCollection<T> extends Disposable {
  readonly folder: string;
  private readonly changes = new Emitter<CollectionChange<T>>();
  readonly onDidChange: Event<CollectionChange<T>> = this.changes.event;
  /** The items as last read or written. */
  private readonly stored = new Map<string, ItemEnvelope<T>>();
  /** What this window shows: stored, with the pending operations replayed. */
  private readonly view = new Map<string, T>();
  private sorted: T[] | undefined;
  /** Item file name -> key, and the stamp of each file as last read. */
  private readonly keys = new Map<string, string>();
  private readonly stamps = new Map<string, string>();
  private pending: Array<Operation<T>> = [];
  private queued: Promise<void> | undefined;
  private lastWrite: Promise<void> = Promise.resolve();
  private lastOrder = 0;
  private readonly sharedFolder: SharedFolder;
  private readonly subscription: IDisposable;
  private readonly logger: Logger;
  private disposed = false;
  /** While opening: the snapshot's items, and how many item files had to be read. */
  private preloaded: Map<string, SnapshotItem<T>> | undefined;
  private filesRead = 0;
  /** The folder's names as the opening sync() read them (tidy() needs no second listing). */
  private openingNames: string[] | undefined;

  constructor(private readonly options: CollectionOptions<T>) {
    super();
    this.folder = path.join(options.dir, options.name);
    this.logger = options.logger ?? silentLogger;
    this.sharedFolder = SharedFolder.acquire(options.dir, options.clock);
    this.subscription = this.sharedFolder.onDidChange(options.name, (name) => this.syncFile(name));
    // Opening: an item whose file still has the stamp the snapshot recorded is taken from it, any
    // other is read from its file (see ./itemSnapshot.ts).
    this.preloaded = readSnapshot(this.folder, options.isItem);
    this.sync();
    this.preloaded = undefined;
    this.lastWrite = this.tidy().catch(() => undefined); // never blocks the writes
  }

  /** The items in the order they were first stored. */
  all(): T[] {
    this.sorted ??= [...this.view.keys()]
      .sort((a, b) => this.orderOf(a) - this.orderOf(b) || (a < b ? -1 : 1))
      .map((key) => this.view.get(key) as T);
    return this.sorted;
  }

  get(key: string): T | undefined {
    return this.view.get(key);
  }

  /** Every key with its item (in no particular order). */
  entries(): Array<[string, T]> {
    return [...this.view];
  }

  /**
   * Queues `merge` for the item `key`; resolves once it is written (rejects when it could not be:
   * this window's copy then falls back to what is stored). `optimistic` shows it at once.
   */
  change(key: string, merge: Merge<T>, optimistic = true): Promise<Written<T>> {
    return new Promise<Written<T>>((resolve, reject) => {
      this.lastOrder = Math.max(Date.now(), this.lastOrder + 1e-3);
      this.pending.push({ key, merge, optimistic, order: this.lastOrder, inFlight: false, resolve, reject });
      if (optimistic) {
        this.refresh(key, false);
      }
      this.schedule();
    });
  }

  /** Takes in what other windows stored: re-reads the item files that changed. */
  sync(): void {
    if (this.disposed) {
      return;
    }
    let names: string[];
    try {
      const listing = readdirSync(this.folder);
      this.openingNames ??= this.preloaded && listing;
      names = listing.filter(isSharedDocument);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.logger.warn(`Could not read the ${this.options.label}: ${errorMessage(error)}.`);
        return;
      }
      names = [];
      this.openingNames ??= this.preloaded && [];
    }
    const present = new Set(names);
    const changed = new Set<string>();
    for (const name of [...names, ...[...this.stamps.keys()].filter((known) => !present.has(known))]) {
      this.readFile(name, changed);
    }
    for (const key of changed) {
      this.refresh(key, true);
    }
  }

  /** Takes in one item file that the folder's watcher reported. */
  syncFile(name: string): void {
    if (this.disposed) {
      return;
    }
    const changed = new Set<string>();
    this.readFile(name, changed);
    for (const key of changed) {
      this.refresh(key, true);
    }
  }

  /**
   * Moves a list kept in one file by an older version into this collection, once: see
   * ./legacyList.ts. Its items are shown at once; writes wait until the move is done.
   */
  importLegacy(legacy: LegacyList<T>): void {
    const items = readLegacyList(legacy, this.logger);
    const shown = items.filter(([key]) => !this.stored.has(key));
    shown.forEach(([key, value], index) => {
      this.stored.set(key, { format: ITEM_FORMAT, key, rev: 0, order: index, value });
      this.refresh(key, true, false);
    });
    const write = (key: string, value: T, order: number): Promise<void> =>
      this.writeItem(key, [{ merge: (stored) => stored ?? value, order }]).then(() => undefined);
    const moved = this.lastWrite.then(() =>
      importLegacyList(legacy, this.options.name, write, this.options.clock, this.logger),
    );
    this.lastWrite = moved
      .catch((error: unknown) =>
        this.logger.warn(
          `Could not move the ${this.options.label} of an older version: ${errorMessage(error)}.`,
        ),
      )
      .then(() => {
        // What the move did not store (another window removed it first) is not shown any longer.
        for (const [key] of shown) {
          if (this.stored.get(key)?.rev === 0) {
            this.stored.delete(key);
          }
        }
        this.sync();
        for (const [key] of shown) {
          this.refresh(key, true);
        }
      });
  }

  /** Resolves when every change made so far is written (or failed). */
  async flushed(): Promise<void> {
    while (this.queued) {
      await this.queued.catch(() => undefined);
    }
    await this.lastWrite;
  }

  /** Stops taking in other windows' changes; resolves once this window's changes are written. */
  protected override onDispose(): Promise<void> {
    this.disposed = true;
    this.subscription.dispose();
    this.sharedFolder.release();
    this.changes.dispose();
    return this.flushed();
  }

  /**
   * After opening: clears what crashed writers left; a window that had to read many files leaves
   * a new snapshot for the next one.
   */
  private async tidy(): Promise<void> {
    await removeAbandonedTemps(this.folder, this.openingNames);
    this.openingNames = undefined;
    if (this.filesRead >= SNAPSHOT_AFTER_READS && !this.disposed) {
      await writeSnapshot(this.folder, this.keys, this.stamps, this.stored);
    }
  }

  private orderOf(key: string): number {
    return this.stored.get(key)?.order ?? this.pending.find((op) => op.key === key)?.order ?? Infinity;
  }

  /** Re-reads `name` if its stamp moved; adds the key whose stored item changed to `changed`. */
  private readFile(name: string, changed: Set<string>): void {
    const file = path.join(this.folder, name);
    const stamp = fileStampSync(file);
    const known = this.preloaded?.get(name);
    if (known && known.stamp === stamp && itemFileName(known.entry.key) === name) {
      this.stamps.set(name, stamp);
      this.keys.set(name, known.entry.key);
      this.stored.set(known.entry.key, known.entry);
      changed.add(known.entry.key);
      return;
    }
    if (stamp === this.stamps.get(name)) {
      return;
    }
    let entry: ItemEnvelope<T> | undefined;
    this.filesRead++;
    try {
      entry = readItemSync(file, this.options.isItem);
    } catch (error) {
      // Kept as last read; a write to it deals with the file (moves it aside, or leaves a newer one).
      this.stamps.set(name, stamp);
      this.logger.warn(`Ignoring one of the stored ${this.options.label}: ${errorMessage(error)}.`);
      return;
    }
    if (entry && itemFileName(entry.key) !== name) {
      return; // not where its key would be: not written by this collection
    }
    if (entry) {
      this.stamps.set(name, stamp);
      this.keys.set(name, entry.key);
      this.stored.set(entry.key, entry);
      changed.add(entry.key);
      return;
    }
    this.stamps.delete(name);
    const key = this.keys.get(name);
    this.keys.delete(name);
    if (key !== undefined && this.stored.delete(key)) {
      changed.add(key);
    }
  }

  /** The item as shown: stored, with the operations of this window not written yet. */
  private refresh(key: string, external: boolean, announce = true): void {
    let next = this.stored.get(key)?.value;
    for (const op of this.pending) {
      if (op.key === key && op.optimistic) {
        next = op.merge(next);
      }
    }
    const before = this.view.get(key);
    if (next === undefined) {
      this.view.delete(key);
    } else {
      this.view.set(key, next);
    }
    if (before === next || (before !== undefined && next !== undefined && jsonEqual(before, next))) {
      if (next !== undefined) {
        this.view.set(key, before as T); // keep handing out the same object
      }
      return;
    }
    this.sorted = undefined;
    if (announce) {
      const kind = before === undefined ? 'added' : next === undefined ? 'removed' : 'updated';
      this.fire({ kind, key, item: (next ?? before) as T, external });
    }
  }

  private fire(change: CollectionChange<T>): void {
    if (this.disposed) {
      return;
    }
    try {
      this.changes.fire(change);
    } catch (error) {
      this.logger.error(`A listener of the ${this.options.label} failed: ${errorMessage(error)}`);
    }
  }

  /** The one write of this window in flight takes every operation queued before it starts. */
  private schedule(): void {
    if (this.queued) {
      return;
    }
    const write = this.lastWrite.then(async () => {
      this.queued = undefined;
      const batch = this.pending.filter((op) => !op.inFlight);
      batch.forEach((op) => (op.inFlight = true));
      for (const key of new Set(batch.map((op) => op.key))) {
        await this.writeOperations(
          key,
          batch.filter((op) => op.key === key),
        );
      }
    });
    this.queued = write;
    this.lastWrite = write.catch(() => undefined); // each operation's caller hears of its failure
  }

  private async writeOperations(key: string, ops: Array<Operation<T>>): Promise<void> {
    let results: Array<Written<T>> | undefined;
    let failure: unknown;
    try {
      results = await this.writeItem(key, ops);
    } catch (error) {
      failure = error;
      // Falls back to what is stored (the file is re-read below).
      this.stamps.delete(itemFileName(key));
    }
    this.pending = this.pending.filter((op) => !ops.includes(op));
    if (!results) {
      this.syncFile(itemFileName(key));
      this.refresh(key, true);
      ops.forEach((op) => op.reject(failure));
      return;
    }
    const shownAsOwn = ops.some((op, index) => !op.optimistic && results[index].accepted);
    this.refresh(key, !shownAsOwn);
    ops.forEach((op, index) => op.resolve(results[index]));
  }

  /** Runs `ops` on the item as stored, under its lock (see ./itemFile.ts), and remembers the result. */
  private async writeItem(
    key: string,
    ops: Array<Pick<Operation<T>, 'merge' | 'order'>>,
  ): Promise<Array<Written<T>>> {
    const name = itemFileName(key);
    const file = path.join(this.folder, name);
    await fs.mkdir(this.folder, { recursive: true });
    const { results, entry, stamp } = await updateItem(
      file,
      key,
      ops,
      this.options.isItem,
      this.options.clock,
      this.logger,
    );
    this.remember(name, key, entry, stamp);
    return results;
  }

  /** What this window now knows is stored (its own write: no need to read it back). */
  private remember(name: string, key: string, entry: ItemEnvelope<T> | undefined, stamp: string): void {
    if (entry) {
      this.stored.set(key, entry);
      this.keys.set(name, key);
      this.stamps.set(name, stamp);
    } else {
      this.stored.delete(key);
      this.keys.delete(name);
      this.stamps.delete(name);
    }
  }
}

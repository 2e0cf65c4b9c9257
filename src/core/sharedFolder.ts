// One watcher per storage folder, shared by everything in this window that keeps state there (the
// job, export and account-hold collections, the poller lease): fs.watch on the folder and on each
// collection's subfolder, plus ONE stat timer for all of them as the fallback where file-system
// events are missed (network drives). It reports file names only; whoever listens to a name
// decides (by its own stamp) whether that file really changed for it. Nothing is reported before
// watch() is called, so tests that sync by hand get no surprise events.
// A window with nothing shared to follow (no account, job or export: ./whileInUse.ts) lets the
// folder rest(): then ONE fs.watch on the storage folder itself and no timer. Any window with
// something tracked beats the poller lease there every 2 s (./lease.ts), and creating a
// collection's subfolder shows there too; either makes the resting window run one check() pass,
// which names the new item files, so it notices another window's first job within a beat.
import { mkdirSync, promises as fs, statSync, watch, type FSWatcher, type Stats } from 'node:fs';
import * as path from 'node:path';
import { toDisposable, type IDisposable } from './lifecycle';
import type { Clock, TimerHandle } from './ports';

/** How often the folder is checked for changes when file-system events are missed. */
export const SHARED_FILE_RECHECK_MS = 2_000;

/**
 * A change stamp of a file: every shared write replaces the file by rename, so the inode changes
 * with each write (size and time are there for file systems that reuse inodes at once).
 */
export async function fileStamp(file: string): Promise<string> {
  return fs.stat(file).then(stampOf, () => 'missing');
}

/** fileStamp, blocking (for the synchronous sync() of the stores). */
export function fileStampSync(file: string): string {
  try {
    return stampOf(statSync(file));
  } catch {
    return 'missing';
  }
}

function stampOf(stat: Stats): string {
  return `${stat.ino}:${stat.size}:${stat.mtimeMs}`;
}

/** The files a folder reports: shared documents end in .json (locks, temp files and set-aside copies do not). */
export function isSharedDocument(name: string): boolean {
  return name.endsWith('.json');
}

type Listener = (name: string) => void;

interface WatchedDir {
  listeners: Set<Listener>;
  watcher?: FSWatcher;
  /** The folder's own stamp and its documents' stamps, as of the last fallback check. */
  dirStamp: string;
  stamps: Map<string, string>;
}

/** A folder modified this recently is rescanned even if its stamp did not move (coarse mtimes). */
const RECENT_MS = 5_000;

export class SharedFolder {
  private static readonly opened = new WeakMap<Clock, Map<string, SharedFolder>>();

  /** The folder's watcher in this window (one per folder and clock), counted until released. */
  static acquire(dir: string, clock: Clock): SharedFolder {
    let byDir = SharedFolder.opened.get(clock);
    if (!byDir) {
      byDir = new Map();
      SharedFolder.opened.set(clock, byDir);
    }
    const key = path.resolve(dir);
    let folder = byDir.get(key);
    if (!folder) {
      folder = new SharedFolder(key, clock, () => byDir.delete(key));
      byDir.set(key, folder);
    }
    folder.users++;
    return folder;
  }

  private users = 0;
  private readonly dirs = new Map<string, WatchedDir>();
  private watching = false;
  /** Resting: one watcher on the folder itself, no timer (see the top of this file). */
  private resting = false;
  private restWatcher: FSWatcher | undefined;
  private timer: TimerHandle | undefined;
  private checking: Promise<void> | undefined;

  private constructor(
    readonly dir: string,
    private readonly clock: Clock,
    private readonly forget: () => void,
  ) {}

  /**
   * Calls `listener(file name)` when a document in `subdir` ('' for the folder itself) may have
   * changed, once watching has started.
   */
  onDidChange(subdir: string, listener: Listener): IDisposable {
    let watched = this.dirs.get(subdir);
    if (!watched) {
      watched = { listeners: new Set(), dirStamp: '', stamps: new Map() };
      this.dirs.set(subdir, watched);
      if (this.watching && !this.resting) {
        this.start(subdir, watched);
      }
    }
    watched.listeners.add(listener);
    return toDisposable(() => void watched.listeners.delete(listener));
  }

  /** Starts watching (safe to call again): events where they work, one stat timer for the rest. */
  watch(): void {
    if (this.watching || this.users === 0) {
      return;
    }
    this.watching = true;
    this.startWatching();
  }

  /** Watches lightly from now on (one watcher on the folder, no timer) until wake(). */
  rest(): void {
    if (!this.resting) {
      this.resting = true;
      this.restart();
    }
  }

  /** Watches fully again: events on every subfolder and the stat timer. */
  wake(): void {
    if (this.resting) {
      this.resting = false;
      this.restart();
    }
  }

  get isResting(): boolean {
    return this.resting;
  }

  /** The fallback pass: reports every document whose stamp moved since the last pass. */
  check(): Promise<void> {
    this.checking ??= this.checkAll().finally(() => (this.checking = undefined));
    return this.checking;
  }

  /** One user is done with the folder; the last one stops the watchers and the timer. */
  release(): void {
    if (--this.users > 0) {
      return;
    }
    this.watching = false;
    this.stopWatching();
    this.dirs.clear();
    this.forget();
  }

  private restart(): void {
    if (this.watching) {
      this.stopWatching();
      this.startWatching();
    }
  }

  private startWatching(): void {
    if (!this.resting) {
      for (const [subdir, watched] of this.dirs) {
        this.start(subdir, watched);
      }
      this.arm();
      return;
    }
    try {
      mkdirSync(this.dir, { recursive: true });
      this.restWatcher = watch(this.dir, (_event, name) => {
        if (name === null || isSharedDocument(name) || this.dirs.has(name)) {
          void this.check();
        }
      });
      this.restWatcher.on('error', () => this.restWatcher?.close());
    } catch {
      // No file-system events here: this window notices others' jobs when it gains focus (sync).
    }
  }

  private stopWatching(): void {
    this.restWatcher?.close();
    this.restWatcher = undefined;
    for (const watched of this.dirs.values()) {
      watched.watcher?.close();
      watched.watcher = undefined;
    }
    if (this.timer !== undefined) {
      this.clock.clearTimeout(this.timer);
      this.timer = undefined;
    }
  }

  private start(subdir: string, watched: WatchedDir): void {
    const dir = path.join(this.dir, subdir);
    void this.scan(dir, watched, false);
    try {
      mkdirSync(dir, { recursive: true });
      watched.watcher = watch(dir, (_event, name) => {
        if (name === null) {
          void this.scan(dir, watched, true);
        } else if (isSharedDocument(name)) {
          this.report(watched, name);
        }
      });
      watched.watcher.on('error', () => watched.watcher?.close());
    } catch {
      // No file-system events here: the periodic check covers it.
    }
  }

  private arm(): void {
    const handle: TimerHandle = this.clock.setTimeout(() => {
      void this.check().finally(() => {
        if (this.watching && !this.resting && this.timer === handle) {
          this.arm();
        }
      });
    }, SHARED_FILE_RECHECK_MS);
    this.timer = handle;
  }

  private async checkAll(): Promise<void> {
    for (const [subdir, watched] of [...this.dirs]) {
      const dir = path.join(this.dir, subdir);
      const dirStamp = await fileStamp(dir);
      const mtime = Number(dirStamp.split(':')[2]);
      if (dirStamp !== watched.dirStamp || Date.now() - mtime < RECENT_MS) {
        watched.dirStamp = dirStamp;
        await this.scan(dir, watched, true);
      }
    }
  }

  /** Stamps every document of `dir`; with `report`, names those that changed or went away. */
  private async scan(dir: string, watched: WatchedDir, report: boolean): Promise<void> {
    const names = (await fs.readdir(dir).catch(() => [] as string[])).filter(isSharedDocument);
    const seen = new Map<string, string>();
    for (const name of names) {
      seen.set(name, await fileStamp(path.join(dir, name)));
    }
    const changed = [...seen].filter(([name, stamp]) => watched.stamps.get(name) !== stamp).map(([n]) => n);
    const gone = [...watched.stamps.keys()].filter((name) => !seen.has(name));
    watched.stamps = seen;
    if (report && this.watching) {
      for (const name of [...changed, ...gone]) {
        this.report(watched, name);
      }
    }
  }

  private report(watched: WatchedDir, name: string): void {
    for (const listener of [...watched.listeners]) {
      listener(name);
    }
  }
}

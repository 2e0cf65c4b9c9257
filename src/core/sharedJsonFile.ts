// A JSON document that every window of the editor reads and changes: a file in the extension's
// global storage folder. Why a file and not globalState: each window's extension host keeps its
// own cached copy of globalState; VS Code (1.100) refreshes that copy when another window writes,
// but tells the extension nothing, and an update replaces the whole value, so two windows writing
// the list at about the same time lose one side's change. A file gives a read-modify-write under a
// lock (./fileLock.ts), atomic replacement by rename (readers see the old or the new document,
// never half of one), and change notices from the file system.
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, watch, type FSWatcher, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { errorMessage } from './format';
import { Disposable, Emitter } from './lifecycle';
import { silentLogger, type Clock, type Logger, type TimerHandle } from './ports';
import { withLock } from './fileLock';

/** How often the file is checked for changes when file-system events are missed (network drives). */
export const SHARED_FILE_RECHECK_MS = 2_000;

/** The file holds something this version cannot use (not JSON, or not the expected shape). */
export class UnusableContentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnusableContentError';
  }
}

export class SharedJsonFile extends Disposable {
  private readonly changes = new Emitter<void>();
  /** Fires when another window may have changed the file (call read() to see). */
  readonly onDidChange = this.changes.event;
  private readonly lockPath: string;
  private watcher: FSWatcher | undefined;
  private timer: TimerHandle | undefined;
  private lastSeen = '';
  private disposed = false;

  constructor(
    readonly filePath: string,
    private readonly clock: Clock,
    private readonly logger: Logger = silentLogger,
  ) {
    super();
    this.lockPath = `${filePath}.lock`;
  }

  /**
   * The stored value, or undefined when the file does not exist. Throws when it cannot be read
   * (never taken for "empty": a write would then replace every other window's data), and throws
   * UnusableContentError when it is not JSON.
   */
  read(): unknown {
    let text: string;
    try {
      text = readFileSync(this.filePath, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        return undefined;
      }
      throw error;
    }
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw new UnusableContentError(`it is not JSON (${errorMessage(error)})`);
    }
  }

  /**
   * Applies `change` to the latest stored value while holding the lock, and stores what it returns
   * (undefined: leave the file as it is). Resolves with the value now stored. When the file is not
   * JSON, or `change` throws UnusableContentError, the file is moved aside (kept for the user, with
   * a warning) and `change` runs again on nothing; any other error leaves the file untouched.
   */
  async modify(change: (latest: unknown) => unknown): Promise<unknown> {
    await fs.mkdir(path.dirname(this.filePath), { recursive: true });
    return withLock(this.lockPath, async () => {
      let latest: unknown;
      let next: unknown;
      try {
        latest = this.read();
        next = change(latest);
      } catch (error) {
        if (!(error instanceof UnusableContentError)) {
          throw error;
        }
        await this.moveAside(error);
        latest = undefined;
        next = change(undefined);
      }
      if (next === undefined) {
        return latest;
      }
      const temp = `${this.filePath}.${randomUUID()}.tmp`;
      try {
        await fs.writeFile(temp, JSON.stringify(next));
        await fs.rename(temp, this.filePath);
      } finally {
        await fs.rm(temp, { force: true });
      }
      return next;
    });
  }

  /**
   * Starts listening for changes by other windows: file-system events on the folder (the file is
   * replaced by rename, so its own watch would go stale) and a cheap stat every few seconds.
   */
  watch(): void {
    if (this.disposed || this.timer !== undefined) {
      return;
    }
    void this.stamp().then((stamp) => (this.lastSeen = stamp));
    try {
      const name = path.basename(this.filePath);
      mkdirSync(path.dirname(this.filePath), { recursive: true });
      this.watcher = watch(path.dirname(this.filePath), (_event, file) => {
        if (file === null || file === name) {
          void this.check();
        }
      });
      this.watcher.on('error', () => this.watcher?.close());
    } catch {
      // No folder yet, or no file-system events here: the periodic check covers it.
    }
    const recheck = (): void => {
      this.timer = this.clock.setTimeout(() => {
        void this.check().finally(() => {
          if (!this.disposed) {
            recheck();
          }
        });
      }, SHARED_FILE_RECHECK_MS);
    };
    recheck();
  }

  /** Fires onDidChange if the file changed since last seen. */
  async check(): Promise<void> {
    const stamp = await this.stamp();
    if (stamp !== this.lastSeen && !this.disposed) {
      this.lastSeen = stamp;
      this.changes.fire();
    }
  }

  protected override onDispose(): void {
    this.disposed = true;
    this.watcher?.close();
    if (this.timer !== undefined) {
      this.clock.clearTimeout(this.timer);
    }
    this.changes.dispose();
  }

  /** Called under the lock. The name sorts by time; the suffix keeps two in one millisecond apart. */
  private async moveAside(reason: UnusableContentError): Promise<void> {
    const time = new Date(this.clock.now()).toISOString().replace(/[:.]/g, '-');
    const aside = `${this.filePath}.bad-${time}-${randomUUID().slice(0, 8)}`;
    await fs.rename(this.filePath, aside);
    this.logger.warn(
      `${path.basename(this.filePath)} could not be used (${reason.message}): it was moved to ` +
        `${path.basename(aside)} in the same folder, and a new one was started.`,
    );
  }

  private async stamp(): Promise<string> {
    try {
      const stat = await fs.stat(this.filePath);
      return `${stat.ino}:${stat.size}:${stat.mtimeMs}`;
    } catch {
      return 'missing';
    }
  }
}

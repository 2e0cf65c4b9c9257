// A JSON document that every window of the editor reads and changes: a file in the extension's
// global storage folder. Why a file and not globalState: each window's extension host keeps its
// own cached copy of globalState; VS Code (1.100) refreshes that copy when another window writes,
// but tells the extension nothing, and an update replaces the whole value, so two windows writing
// the list at about the same time lose one side's change. A file gives a read-modify-write under a
// lock (./fileLock.ts), atomic replacement by rename (readers see the old or the new document,
// never half of one), and change notices from the folder's one watcher (./sharedFolder.ts).
// Collections of many items (jobs, exports) use ./sharedCollection.ts instead: one such file per item.
import { readFileSync } from 'node:fs';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { moveAside, replaceFile, UnusableContentError } from './atomicFile';
import { errorMessage } from './format';
import { Disposable, Emitter, type IDisposable } from './lifecycle';
import { silentLogger, type Clock, type Logger } from './ports';
import { withLock } from './fileLock';
import { fileStamp, fileStampSync, SharedFolder } from './sharedFolder';

export { SHARED_FILE_RECHECK_MS } from './sharedFolder';
export { UnusableContentError } from './atomicFile';

/** Parses a shared document's text; throws UnusableContentError when it is not JSON. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new UnusableContentError(`it is not JSON (${errorMessage(error)})`);
  }
}

export class SharedJsonFile extends Disposable {
  private readonly changes = new Emitter<void>();
  /** Fires when another window may have changed the file (call read() to see). */
  readonly onDidChange = this.changes.event;
  private readonly lockPath: string;
  private folder: SharedFolder | undefined;
  private subscription: IDisposable | undefined;
  private lastSeen = '';
  private disposed = false;

  constructor(
    readonly filePath: string,
    readonly clock: Clock,
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
    return parseJson(text);
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
        await moveAside(this.filePath, error, this.clock, this.logger);
        latest = undefined;
        next = change(undefined);
      }
      if (next === undefined) {
        return latest;
      }
      await replaceFile(this.filePath, JSON.stringify(next));
      return next;
    });
  }

  /** Starts listening for changes by other windows, through the folder's one watcher. */
  watch(): void {
    if (this.disposed || this.folder) {
      return;
    }
    this.lastSeen ||= fileStampSync(this.filePath); // one stat; no promise machinery at window start
    this.folder = SharedFolder.acquire(path.dirname(this.filePath), this.clock);
    const name = path.basename(this.filePath);
    this.subscription = this.folder.onDidChange('', (changed) => {
      if (changed === name) {
        void this.check();
      }
    });
    this.folder.watch();
  }

  /** Fires onDidChange if the file changed since last seen. */
  async check(): Promise<void> {
    const stamp = await fileStamp(this.filePath);
    if (stamp !== this.lastSeen && !this.disposed) {
      this.lastSeen = stamp;
      this.changes.fire();
    }
  }

  protected override onDispose(): void {
    this.disposed = true;
    this.subscription?.dispose();
    this.folder?.release();
    this.changes.dispose();
  }
}

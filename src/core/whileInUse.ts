// Every window runs the extension (it activates on startup), most of them never for Zoho: such a
// window must cost nothing. While nothing is in use (no account, no job, no export: the caller
// says what counts) the storage folder's watcher rests (one fs.watch, no timer: ./sharedFolder.ts)
// and the poller lease does not beat (./lease.ts); with the first thing in use both start, and
// with the last gone both stop again. Timers of their own (polls, the tree's age ticker, presence
// probes) already run only while there is something to do.
import { Disposable, type Event, type IDisposable } from './lifecycle';
import type { Clock } from './ports';
import { SharedFolder } from './sharedFolder';

export interface InUseOptions {
  /** Whether this window has anything to follow now. */
  inUse: () => boolean;
  /** Events after which inUse may have changed. */
  changes: ReadonlyArray<Event<unknown>>;
  /** The storage folder every shared store of this window watches (with their clock). */
  storageDir: string;
  clock: Clock;
  lease: { start(): Promise<void>; stop(): Promise<void> };
}

export class WhileInUse extends Disposable {
  /** Undefined until the first update, which stops the lease of an unused window at once. */
  private active: boolean | undefined;
  private readonly subscriptions: IDisposable[];
  private readonly folder: SharedFolder;
  /** The lease's starts and stops so far (a stop writes the release). */
  private leaseStep: Promise<void> = Promise.resolve();

  constructor(private readonly options: InUseOptions) {
    super();
    // Before any store starts watching: an unused window never opens more than the one watcher.
    this.folder = SharedFolder.acquire(options.storageDir, options.clock);
    this.folder.rest();
    this.subscriptions = options.changes.map((event) => event(() => this.update()));
    this.update();
  }

  /** Whether the folder is watched fully and the lease beats. */
  get isActive(): boolean {
    return this.active === true;
  }

  /** Resolves when the lease's last start or stop is done (tests, deactivate). */
  settled(): Promise<void> {
    return this.leaseStep;
  }

  private update(): void {
    const inUse = this.options.inUse();
    if (inUse === this.active || this.isDisposed) {
      return;
    }
    this.active = inUse;
    const { lease } = this.options;
    if (inUse) {
      this.folder.wake();
    } else {
      this.folder.rest();
    }
    // At once, not after the last step: a stopped lease must not beat for a focus change meanwhile.
    const step = inUse ? lease.start() : lease.stop();
    this.leaseStep = Promise.all([this.leaseStep, step]).then(
      () => undefined,
      () => undefined,
    );
  }

  protected override onDispose(): void {
    this.subscriptions.forEach((each) => each.dispose());
    this.folder.release();
  }
}

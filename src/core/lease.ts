// "Exactly one window does this": a lease with a heartbeat in a file every window can reach.
//
// The holder renews the lease every LEASE_HEARTBEAT_MS for LEASE_TTL_MS. Every other window tries
// to take it on the same beat, and succeeds once the lease is free or has lapsed: when the holding
// window closes it gives the lease back (close(), which deactivate awaits) and another one takes
// over at its next beat; when it crashes or hangs, within LEASE_TTL_MS + LEASE_HEARTBEAT_MS (8 s),
// or about 12 s when it stopped while holding the file's lock (abandoned after STALE_LOCK_MS,
// ./fileLock.ts, then a beat). A holder that hung past its own expiry stops counting itself
// the holder at once, before its next beat tells it whether someone else took over.
//
// The same file says whether any window of the editor is focused (each focused window stamps it on
// its beat): the holder may be in the background while the user works in another window, and work
// done "for the user" (polling at the focused pace, notifications) should follow the user, not the
// holder. It also names the focused window, so that a notification is shown there, and only there.
//
// A window whose UI is gone (code-server keeps an extension host running after its browser tab
// died, until the tab reconnects) is told so by setPresent(false): it stops counting as focused and
// gives the lease up, so the poller and the window that notifies are always windows a person sees.
import { randomUUID } from './nodeCrypto';
import { errorMessage } from './format';
import { Disposable, Emitter, type IDisposable } from './lifecycle';
import { silentLogger, type Clock, type Logger, type TimerHandle } from './ports';
import type { SharedJsonFile } from './sharedJsonFile';

/** The job poller's lease, in the extension's global storage folder. */
export const POLLER_LEASE_FILE_NAME = 'poller-lease.json';
export const LEASE_HEARTBEAT_MS = 2_000;
export const LEASE_TTL_MS = 6_000;

/** What other parts see of a lease: whether this window holds it now, and when that changes. */
export interface Lease {
  readonly held: boolean;
  readonly onDidChange: (listener: (held: boolean) => void) => IDisposable;
  /** Whether this or another window sharing the lease is focused (as of the last beat). */
  readonly someWindowFocused: boolean;
  readonly onDidChangeSomeWindowFocused: (listener: (focused: boolean) => void) => IDisposable;
  /** This window gained or lost focus. */
  setFocused(focused: boolean): void;
  /** Names this window among the windows sharing the lease. */
  readonly holderId?: string;
  /** The window the user works in (as of the last beat): its holderId, if some window is focused. */
  readonly focusedWindow?: string;
}

interface StoredLease {
  holder: string;
  until: number;
  /** Until when some window was focused (each focused window renews it on its beat). */
  focusedUntil?: number;
  /** The holder id of the window that stamped focusedUntil last. */
  focusedWindow?: string;
}

function isStoredLease(value: unknown): value is StoredLease {
  const record = value as Partial<StoredLease> | undefined;
  return typeof record?.holder === 'string' && typeof record.until === 'number';
}

export class FileLease extends Disposable implements Lease {
  private readonly changes = new Emitter<boolean>();
  readonly onDidChange = this.changes.event;
  private readonly focusChanges = new Emitter<boolean>();
  readonly onDidChangeSomeWindowFocused = this.focusChanges.event;
  private focused = false;
  private focusedUntil = 0;
  private focusedWindowId: string | undefined;
  /** False while this window's UI does not answer: it then neither holds the lease nor counts as focused. */
  private present = true;
  /** The last value onDidChangeSomeWindowFocused announced (the stamp lapses silently between beats). */
  private announcedFocus = false;
  /** Until when this window holds the lease (0: it does not). */
  private heldUntil = 0;
  private timer: TimerHandle | undefined;
  private beating: Promise<void> | undefined;
  private disposed = false;
  /** Whether a beat ever ran: a window that never beat has nothing to give back. */
  private beaten = false;
  /** Stopped (stop()) until start(): no beats, nothing written. */
  private stopped = false;
  private closed: Promise<void> | undefined;
  /** A beat asked for while one was in flight: runs right after it. */
  private again: Promise<void> | undefined;

  constructor(
    private readonly file: SharedJsonFile,
    private readonly clock: Clock,
    private readonly logger: Logger = silentLogger,
    /** Names this window in the file (a random id: nothing about the user or machine). */
    private id?: string,
  ) {
    super();
  }

  /** This window's name in the file, made on first use (see ./nodeCrypto.ts). */
  get holderId(): string {
    return (this.id ??= randomUUID());
  }

  get held(): boolean {
    return this.heldUntil > this.clock.now();
  }

  get someWindowFocused(): boolean {
    return this.isFocused || this.focusedUntil > this.clock.now();
  }

  get focusedWindow(): string | undefined {
    if (this.isFocused) {
      return this.holderId;
    }
    return this.focusedUntil > this.clock.now() ? this.focusedWindowId : undefined;
  }

  setFocused(focused: boolean): void {
    if (this.focused !== focused) {
      this.focused = focused;
      this.announceFocus();
      if (!this.stopped) {
        void this.beat(); // tell the other windows now, not at the next beat
      }
    }
  }

  /** Whether this window's UI answers (see the top of this file). Absent: gives the lease up. */
  setPresent(present: boolean): void {
    if (this.present !== present) {
      this.present = present;
      this.logger.info(
        present
          ? "This window's UI answers again."
          : "This window's UI does not answer (its tab was closed or lost its connection): it leaves polling and notifications to the other windows.",
      );
      this.announceFocus();
      if (!this.stopped) {
        void this.beat();
      }
    }
  }

  private get isFocused(): boolean {
    return this.focused && this.present;
  }

  /** Tries to take the lease now, then keeps beating (again, after stop()). */
  start(): Promise<void> {
    this.stopped = false;
    return this.beat();
  }

  /**
   * Stops beating until start() and gives the lease back: a window with nothing tracked has
   * nothing to poll (../core/whileInUse.ts). Resolves once the release is written.
   */
  async stop(): Promise<void> {
    if (this.stopped || this.disposed) {
      return;
    }
    this.stopped = true;
    this.clearTimer();
    const wasHeld = this.held;
    await this.giveBack();
    if (this.stopped && !this.disposed) {
      this.heldUntil = 0;
      if (wasHeld) {
        this.changes.fire(false);
      }
    }
  }

  /** One heartbeat: renew or take the lease if it is ours or has lapsed. Resolves when done. */
  beat(): Promise<void> {
    if (this.beating) {
      // That beat may have written already: what changed since (focus, presence) gets its own.
      this.again ??= this.beating.then(() => {
        this.again = undefined;
        return this.beat();
      });
      return this.again;
    }
    this.beating = this.renew().finally(() => {
      this.beating = undefined;
      this.arm();
    });
    return this.beating;
  }

  /** Gives the lease back: see close(). */
  protected override onDispose(): Promise<void> {
    return this.close();
  }

  /**
   * Stops beating and gives the lease back; resolves once the release is written (or failed), so
   * a closing window (extension.ts deactivate) can wait for it: another window then takes over on
   * its next beat instead of after the TTL. Safe to call again (same promise).
   */
  close(): Promise<void> {
    if (!this.closed) {
      this.closed = this.release();
    }
    return this.closed;
  }

  private async release(): Promise<void> {
    this.disposed = true;
    this.clearTimer();
    this.heldUntil = 0;
    this.changes.dispose();
    this.focusChanges.dispose();
    await this.giveBack();
  }

  private clearTimer(): void {
    if (this.timer !== undefined) {
      this.clock.clearTimeout(this.timer);
      this.timer = undefined;
    }
  }

  /** Writes that this window neither holds the lease nor is the focused one, after any beat in flight. */
  private async giveBack(): Promise<void> {
    if (!this.beaten) {
      return;
    }
    // A beat in flight writes nothing once disposed (renew checks under the lock); wait for it so
    // the release is the last word of this window.
    // Asked of the file, not of heldUntil: that beat may have taken the lease just before.
    await this.beating?.catch(() => undefined);
    await this.file
      .modify((latest) =>
        isStoredLease(latest) && (latest.holder === this.holderId || latest.focusedWindow === this.holderId)
          ? {
              ...latest,
              ...(latest.holder === this.holderId ? { holder: '', until: 0 } : {}),
              // A closed window is never the one to notify in (its toast would be lost).
              ...(latest.focusedWindow === this.holderId
                ? { focusedUntil: 0, focusedWindow: undefined }
                : {}),
            }
          : undefined,
      )
      .catch((error) => this.logger.warn(`Could not give the poller lease back: ${errorMessage(error)}`));
  }

  private async renew(): Promise<void> {
    if (this.disposed || this.stopped) {
      return;
    }
    this.beaten = true;
    const wasHeld = this.held;
    let until = 0;
    try {
      const stored = await this.file.modify((latest) => {
        if (this.disposed || this.stopped) {
          return undefined; // closed while waiting for the lock: the release has the last word
        }
        // Read under the lock: waiting for it may take a while, and the holder is judged by now.
        const now = this.clock.now();
        const current = isStoredLease(latest) ? latest : undefined;
        // A window that is no longer focused (or whose UI is gone) takes its own stamp back in
        // this write: else it stays "the window the user works in" until the stamp lapses, and a
        // job ending meanwhile is announced to it, not where the user is.
        const unstamps = !this.isFocused && current?.focusedWindow === this.holderId;
        const focus = this.isFocused
          ? { focusedUntil: now + LEASE_TTL_MS, focusedWindow: this.holderId }
          : unstamps
            ? { focusedUntil: 0, focusedWindow: undefined }
            : { focusedUntil: current?.focusedUntil, focusedWindow: current?.focusedWindow };
        if (!this.present) {
          // Hands the lease back (if it holds it) and takes nothing.
          const mine = current?.holder === this.holderId;
          const changed = mine || focus.focusedWindow !== current?.focusedWindow;
          return current && changed
            ? { ...current, ...(mine ? { holder: '', until: 0 } : {}), ...focus }
            : undefined;
        }
        if (current && current.holder !== this.holderId && current.until > now) {
          // Someone else holds it: write only to say whether this window is the focused one.
          return this.isFocused || unstamps ? { ...current, ...focus } : undefined;
        }
        return { holder: this.holderId, until: now + LEASE_TTL_MS, ...focus };
      });
      if (isStoredLease(stored)) {
        until = stored.holder === this.holderId ? stored.until : 0;
        this.focusedUntil = stored.focusedUntil ?? 0;
        this.focusedWindowId = stored.focusedWindow;
      }
    } catch (error) {
      // Could not reach the file: keep what we had until it lapses; another beat comes soon.
      this.logger.warn(`Could not renew the poller lease: ${errorMessage(error)}`);
      until = this.heldUntil;
    }
    if (this.disposed || this.stopped) {
      return;
    }
    this.heldUntil = until;
    if (this.held !== wasHeld) {
      this.logger.info(
        this.held
          ? 'This window now checks job status, downloads and notifies for all windows.'
          : 'Another window now checks job status; this one shows what it finds.',
      );
      this.changes.fire(this.held);
    }
    this.announceFocus();
  }

  private announceFocus(): void {
    if (this.someWindowFocused !== this.announcedFocus) {
      this.announcedFocus = this.someWindowFocused;
      this.focusChanges.fire(this.announcedFocus);
    }
  }

  private arm(): void {
    if (this.disposed || this.stopped) {
      return;
    }
    this.clearTimer();
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      void this.beat();
    }, LEASE_HEARTBEAT_MS);
  }
}

/** A lease that is always held: one window, or a test that does not exercise many windows. */
export const soleLease: Lease = {
  held: true,
  onDidChange: () => ({ dispose: () => undefined }),
  someWindowFocused: false,
  onDidChangeSomeWindowFocused: () => ({ dispose: () => undefined }),
  setFocused: () => undefined,
  focusedWindow: undefined,
};

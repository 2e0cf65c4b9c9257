// The one lifecycle idiom of the extension, for the core and the VS Code layer alike: a Disposable
// base that owns what it registered, with an async dispose for anything that must flush, and one
// Emitter whose failing listener never stops the others. The shapes match VS Code's (an Event is
// `(listener, thisArg?, disposables?) => Disposable`), so a view hands an Emitter's event to the
// editor as it is.
import { errorMessage } from './format';
import type { Logger } from './ports';

/** Anything that can be disposed; a promise, when returned, says when it is completely done. */
export interface IDisposable {
  dispose(): void | Promise<void>;
}

export function toDisposable(dispose: () => void): IDisposable {
  return { dispose };
}

let unexpected: (message: string) => void = (message) => console.error(message);

/**
 * Where failures that no caller awaits go (a listener that threw, a dispose that failed): the
 * extension's log once activation calls this (stderr before). Disposing the result goes back.
 */
export function logUnexpectedErrorsTo(logger: Logger): IDisposable {
  const previous = unexpected;
  unexpected = (message) => logger.error(message);
  return toDisposable(() => {
    unexpected = previous;
  });
}

/** Reports `error` through logUnexpectedErrorsTo: `what` says what was being done. */
export function reportUnexpected(what: string, error: unknown): void {
  unexpected(`${what}: ${errorMessage(error)}`);
}

/**
 * Disposes each of `values` (in the order given, each even if one before it throws) at once, and
 * resolves when the promises they returned have settled. Never rejects: failures are reported.
 */
export function disposeAll(values: Iterable<IDisposable>): Promise<void> {
  const pending: Promise<unknown>[] = [];
  for (const value of values) {
    pending.push(settled(() => value.dispose()));
  }
  return Promise.all(pending).then(() => undefined);
}

/** Runs `work` now; its failure, thrown or rejected, is reported instead of passed on. */
function settled(work: () => unknown): Promise<unknown> {
  try {
    return Promise.resolve(work()).catch((error: unknown) => reportUnexpected('Could not dispose', error));
  } catch (error) {
    reportUnexpected('Could not dispose', error);
    return Promise.resolve();
  }
}

/**
 * How a window closes (extension.ts deactivate, which VS Code waits for a few seconds): the
 * lease's release starts first, so another window takes over polling on its next beat instead of
 * after the lease lapses (./lease.ts), and everything the window owns (`root`, the lease among it)
 * is disposed at once. Resolves when the release is written and the stores' pending writes have
 * landed; never rejects (failures are reported).
 */
export function closeWindow(
  root: IDisposable | undefined,
  lease?: { close(): Promise<void> },
): Promise<void> {
  return disposeAll([{ dispose: () => lease?.close() }, ...(root ? [root] : [])]);
}

/**
 * Base class for whatever owns listeners, timers, files or editor items. What it register()s is
 * disposed with it, last registered first (listeners before the services they call); a subclass
 * puts the rest of its teardown in onDispose(), and returns a promise there when it has writes to
 * finish. dispose() tears down synchronously and resolves once everything has finished.
 */
export abstract class Disposable implements IDisposable {
  readonly #owned: IDisposable[] = [];
  #disposed = false;
  #done: Promise<void> | undefined;

  /** Takes ownership: `value` is disposed with this object (at once if already disposed). */
  protected register<T extends IDisposable>(value: T): T {
    if (this.#disposed) {
      void disposeAll([value]);
    } else {
      this.#owned.push(value);
    }
    return value;
  }

  protected get isDisposed(): boolean {
    return this.#disposed;
  }

  /**
   * The subclass's own teardown, run once after what it registered is disposed. A promise
   * returned here (pending writes) is part of what dispose() waits for.
   */
  protected onDispose(): void | Promise<void> {
    return undefined;
  }

  /**
   * Stops everything at once; resolves when pending work (writes, a lease's release) has finished.
   * Never rejects (failures are logged); every call returns the same promise.
   */
  dispose(): Promise<void> {
    if (!this.#done) {
      this.#disposed = true;
      const owned = disposeAll(this.#owned.splice(0).reverse());
      const own = disposeAll([{ dispose: () => this.onDispose() }]);
      this.#done = Promise.all([owned, own]).then(() => undefined);
    }
    return this.#done;
  }
}

/** A bag of disposables, disposed last-added first. */
export class DisposableStore extends Disposable {
  add<T extends IDisposable>(value: T): T {
    return this.register(value);
  }
}

/**
 * Subscribes `listener` (called with `thisArg` as this); dispose the result to unsubscribe. With
 * `disposables`, the subscription is also pushed there. The shape of VS Code's Event.
 */
export type Event<T> = (
  listener: (value: T) => unknown,
  thisArg?: unknown,
  disposables?: IDisposable[],
) => IDisposable;

/**
 * The one event emitter. A listener that throws is reported (to `onListenerError`, else to
 * logUnexpectedErrorsTo's log) and the other listeners still run: one broken view never keeps
 * another, or the store that fired, from hearing of a change.
 */
export class Emitter<T> implements IDisposable {
  private readonly listeners = new Set<{ listener: (value: T) => unknown; thisArg: unknown }>();
  private disposed = false;

  constructor(
    private readonly onListenerError: (error: unknown) => void = (error) =>
      reportUnexpected('A listener failed', error),
  ) {}

  readonly event: Event<T> = (listener, thisArg, disposables) => {
    if (this.disposed) {
      return toDisposable(() => undefined);
    }
    const entry = { listener, thisArg };
    this.listeners.add(entry);
    const subscription = toDisposable(() => void this.listeners.delete(entry));
    disposables?.push(subscription);
    return subscription;
  };

  /**
   * Calls every listener subscribed now, in order. One that throws, or whose promise rejects, is
   * reported, not passed on.
   */
  fire(value: T): void {
    for (const { listener, thisArg } of [...this.listeners]) {
      try {
        const result = listener.call(thisArg, value);
        if (result instanceof Promise) {
          result.catch((error: unknown) => this.onListenerError(error));
        }
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }

  dispose(): void {
    this.disposed = true;
    this.listeners.clear();
  }
}

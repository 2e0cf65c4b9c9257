// Small interfaces through which the core (zoho/, jobs/, results/) reaches the outside world.
// The VS Code layer adapts Memento, SecretStorage and LogOutputChannel to them; tests pass
// in-memory versions and a fake clock.

/** Wall-clock time and timers, replaceable by a fake clock in tests. */
export interface Clock {
  now(): number;
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export type TimerHandle = { readonly __timer: unique symbol } | ReturnType<typeof setTimeout>;

/**
 * Node fires a setTimeout longer than 2^31-1 ms (about 24.8 days) at once, which would turn a long
 * pause into a tight loop. Longer waits are chained from timers of at most this length.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** A wait longer than MAX_TIMER_MS, re-armed until it is due. */
class LongTimer {
  current?: ReturnType<typeof setTimeout>;
  constructor(callback: () => void, dueAt: number) {
    const arm = (): void => {
      const left = dueAt - Date.now();
      this.current =
        left > 0
          ? setTimeout(left > MAX_TIMER_MS ? arm : callback, Math.min(left, MAX_TIMER_MS))
          : setTimeout(callback, 0);
    };
    arm();
  }
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => {
    const delay = Number.isFinite(ms) ? Math.max(0, ms) : MAX_TIMER_MS;
    return delay > MAX_TIMER_MS
      ? (new LongTimer(callback, Date.now() + delay) as unknown as TimerHandle)
      : setTimeout(callback, delay);
  },
  clearTimeout: (handle) => {
    if (handle instanceof LongTimer) {
      clearTimeout(handle.current);
    } else {
      clearTimeout(handle as ReturnType<typeof setTimeout>);
    }
  },
};

/** Levelled logger. Callers never pass secrets; implementations redact defensively anyway. */
export interface Logger {
  trace(message: string): void;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** A logger that passes every line through `transform` (e.g. masking) on its way to `logger`. */
export function mappedLogger(logger: Logger, transform: (line: string) => string): Logger {
  return {
    trace: (line) => logger.trace(transform(line)),
    debug: (line) => logger.debug(transform(line)),
    info: (line) => logger.info(transform(line)),
    warn: (line) => logger.warn(transform(line)),
    error: (line) => logger.error(transform(line)),
  };
}

export const silentLogger: Logger = {
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** Non-secret persistent key/value storage (VS Code's globalState in the extension). */
export interface KeyValueStore {
  get<T>(key: string): T | undefined;
  update(key: string, value: unknown): Promise<void>;
}

/** Secret storage (VS Code's SecretStorage in the extension). */
export interface SecretStore {
  get(key: string): Promise<string | undefined>;
  store(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
}

/** In-memory KeyValueStore, used by tests. Values are copied as JSON, as globalState does. */
export class MemoryKeyValueStore implements KeyValueStore {
  private readonly values = new Map<string, string>();
  get<T>(key: string): T | undefined {
    const raw = this.values.get(key);
    return raw === undefined ? undefined : (JSON.parse(raw) as T);
  }
  async update(key: string, value: unknown): Promise<void> {
    if (value === undefined) {
      this.values.delete(key);
    } else {
      this.values.set(key, JSON.stringify(value));
    }
  }
  keys(): string[] {
    return [...this.values.keys()];
  }
  dump(): string {
    return [...this.values.values()].join('\n');
  }
}

/** In-memory SecretStore, used by tests. */
export class MemorySecretStore implements SecretStore {
  private readonly values = new Map<string, string>();
  async get(key: string): Promise<string | undefined> {
    return this.values.get(key);
  }
  async store(key: string, value: string): Promise<void> {
    this.values.set(key, value);
  }
  async delete(key: string): Promise<void> {
    this.values.delete(key);
  }
}

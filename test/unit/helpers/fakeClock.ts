// A Clock whose time only moves when a test says so. Timers run in due order (ties: the order
// they were set), each at its own due time, so code that re-arms from inside a callback behaves
// as it would with real time.
import type { Clock, TimerHandle } from '../../../src/core/ports';

interface FakeTimer {
  at: number;
  seq: number;
  callback: () => void;
}

/**
 * One turn of the event loop: promise callbacks queued so far run, and I/O already finished is
 * delivered. It does not wait for I/O under way, and unit tests do real file and HTTP I/O (the
 * simulator, shared files): await what says the work is done (a store's flushed(), nextArmed()).
 */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export class FakeClock implements Clock {
  private time: number;
  private nextSeq = 0;
  // Keyed by the handle object itself, so clearTimeout needs no id bookkeeping.
  private readonly timers = new Map<object, FakeTimer>();
  private readonly armedWaiters: Array<() => void> = [];

  constructor(start = Date.UTC(2025, 0, 1)) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): TimerHandle {
    const handle = {};
    this.timers.set(handle, { at: this.time + Math.max(0, ms), seq: this.nextSeq++, callback });
    for (const resolve of this.armedWaiters.splice(0)) {
      resolve();
    }
    return handle as unknown as TimerHandle;
  }

  /** Resolves when a timer is set next (for code whose timers follow real I/O). */
  nextArmed(): Promise<void> {
    return new Promise((resolve) => this.armedWaiters.push(resolve));
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers.delete(handle as unknown as object);
  }

  /** Due times of the armed timers, soonest first. */
  pendingTimers(): number[] {
    return [...this.timers.values()].map((timer) => timer.at).sort((a, b) => a - b);
  }

  /** Moves time forward by `ms`, running due timers synchronously. */
  tick(ms: number): void {
    const target = this.time + ms;
    for (let timer = this.takeDue(target); timer; timer = this.takeDue(target)) {
      timer.callback();
    }
    this.time = target;
  }

  /** Like tick, but lets promises settle before and after every timer (use for async code). */
  async tickAsync(ms: number): Promise<void> {
    const target = this.time + ms;
    await settle();
    for (let timer = this.takeDue(target); timer; timer = this.takeDue(target)) {
      timer.callback();
      await settle();
    }
    this.time = target;
    await settle();
  }

  /** Removes the soonest timer due at or before `limit` and moves time to its due time. */
  private takeDue(limit: number): FakeTimer | undefined {
    const due = [...this.timers].filter(([, timer]) => timer.at <= limit);
    const [soonest] = due.sort(([, a], [, b]) => a.at - b.at || a.seq - b.seq);
    if (!soonest) {
      return undefined;
    }
    const [handle, timer] = soonest;
    this.timers.delete(handle);
    this.time = Math.max(this.time, timer.at);
    return timer;
  }
}

// Decides when each tracked job is polled: waits that grow with the job's age (./pollPolicy.ts),
// slower while unfocused, paused per account, at most maxChecksPerMinute calls per account spread
// evenly over the minute, a global cap on polls in flight, and a single timer for all of it.
//
// Timer policy: one timer, armed for the soonest moment something could start, i.e. for each idle
// key the later of its due time and its group's pause end. So while every pending key is paused the
// one timer left is the one that wakes when the earliest pause ends (that is how polling resumes by
// itself). No timer is armed while nothing is pending, while all slots are busy (a finishing poll
// reschedules), or after dispose. An account's calls are spaced by accountGapMs: with 100 running
// jobs and a ceiling of 20 a minute, the most overdue job goes next every 3 s, which is fair.
import { errorMessage } from '../core/format';
import { silentLogger } from '../core/ports';
import { Disposable } from '../core/lifecycle';
import type { Clock, Logger, TimerHandle } from '../core/ports';
import type { Expectation } from './model';
import { accountGapMs, normalisePollSettings, pollWait, type PollWait } from './pollPolicy';
import type { PollSettings } from './serviceApi';

export type PollOutcome = 'changed' | 'unchanged' | 'finished' | 'failed';

export interface PollSchedulerOptions {
  clock: Clock;
  settings: PollSettings;
  /** Polls one key. May throw: that counts as 'failed'. */
  poll: (key: string) => Promise<PollOutcome>;
  logger?: Logger;
}

interface Entry {
  readonly key: string;
  group: string;
  /** Add order: breaks ties between keys due at the same moment. */
  readonly seq: number;
  /** When the job started: its age sets the wait (see pollWait). */
  readonly startedAt: number;
  /** What the job is expected to take, if known (TrackedJob's Expectation). */
  readonly expected: Expectation;
  /** Whether the job was checked before (by this scheduler or, for a resumed job, before it). */
  checked: boolean;
  /** Focused wait between waitFrom and the next poll. */
  wait: PollWait;
  /** When the current wait started: when the key was added or its last poll finished. */
  waitFrom: number;
  /** Set by `immediate` and pollNow: due then, whatever the wait says. */
  forcedAt?: number;
  /** pollNow callers waiting for this key's next poll to finish. */
  waiters: Array<() => void>;
}

export class PollScheduler extends Disposable {
  private readonly clock: Clock;
  private readonly poll: (key: string) => Promise<PollOutcome>;
  private readonly logger: Logger;
  private settings: PollSettings;
  private focused = true;
  private nextSeq = 0;
  private readonly entries = new Map<string, Entry>();
  /** Keyed by job key, not entry: a key removed and re-added mid-poll still never polls twice. */
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly pausedUntil = new Map<string, number>();
  /** When each group (account) may start its next poll: its call ceiling spread over the minute. */
  private readonly groupSlot = new Map<string, number>();
  private timer: TimerHandle | undefined;
  private timerAt = 0;

  constructor(options: PollSchedulerOptions) {
    super();
    this.clock = options.clock;
    this.poll = options.poll;
    this.logger = options.logger ?? silentLogger;
    this.settings = normalisePollSettings(options.settings);
  }

  get hasTimer(): boolean {
    return this.timer !== undefined;
  }

  /**
   * Starts polling `key` (group = account id). Adding a known key only updates its group.
   * `startedAt` is when the job started (default now). `lastCheckedAt` marks a job checked before
   * (after a reload or when this window takes over polling): its next check comes when the last
   * one's wait ends, or, if that is past, at a staggered moment, so resumed jobs do not all poll
   * at once. `waitingSince` starts the first wait of a job never checked earlier than now (a job
   * another window created a moment ago is first checked when its creator would have checked it).
   * `expected` times the checks by what the job is expected to take (pollPolicy.ts, pollWait).
   */
  add(
    key: string,
    group: string,
    options: {
      immediate?: boolean;
      startedAt?: number;
      lastCheckedAt?: number;
      waitingSince?: number;
      expected?: Expectation;
    } = {},
  ): void {
    if (this.isDisposed) {
      return;
    }
    const now = this.clock.now();
    const existing = this.entries.get(key);
    if (existing) {
      existing.group = group;
      existing.forcedAt = options.immediate ? Math.min(existing.forcedAt ?? now, now) : existing.forcedAt;
    } else {
      const seq = this.nextSeq++;
      const startedAt = Math.min(now, options.startedAt ?? now);
      const checked = options.lastCheckedAt !== undefined;
      const expected = options.expected ?? {};
      this.entries.set(key, {
        key,
        group,
        seq,
        startedAt,
        expected,
        checked,
        wait: checked
          ? this.resumeWait(now, startedAt, options.lastCheckedAt ?? now, seq, expected)
          : pollWait(0, false, this.settings, expected),
        waitFrom: checked ? now : Math.min(now, options.waitingSince ?? now),
        forcedAt: options.immediate ? now : undefined,
        waiters: [],
      });
    }
    this.schedule();
  }

  /** When `key` is due next (epoch ms), counting pauses and the account's ceiling; undefined if not pending. */
  nextPollAt(key: string): number | undefined {
    const entry = this.entries.get(key);
    if (!entry) {
      return undefined;
    }
    return this.inFlight.has(key) ? this.clock.now() : this.startableAt(entry);
  }

  /** Stops polling `key`; a poll in flight finishes but its outcome is ignored. */
  remove(key: string): void {
    const entry = this.entries.get(key);
    if (entry) {
      this.entries.delete(key);
      releaseWaiters(entry);
      this.schedule();
    }
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  /** Keys still polled, in the order they were added. */
  pendingKeys(): string[] {
    return [...this.entries.keys()];
  }

  /**
   * Polls now instead of waiting; resolves when that poll is done. A key already in flight is not
   * polled again (this awaits that poll); a paused key is not polled (resolves at once). Still
   * subject to maxConcurrent. Without a key: every pending key.
   */
  pollNow(key?: string): Promise<void> {
    if (key === undefined) {
      return Promise.all(this.pendingKeys().map((each) => this.pollNow(each))).then(() => undefined);
    }
    const entry = this.entries.get(key);
    if (this.isDisposed || !entry) {
      return Promise.resolve();
    }
    const flight = this.inFlight.get(key);
    if (flight) {
      return flight;
    }
    const now = this.clock.now();
    if (this.isPausedAt(entry.group, now)) {
      return Promise.resolve();
    }
    entry.forcedAt = Math.min(entry.forcedAt ?? now, now);
    const done = new Promise<void>((resolve) => entry.waiters.push(resolve));
    this.schedule();
    return done;
  }

  /**
   * No polls of `group` before `until`; polling resumes by itself then. A pause never shortens one
   * already running (the server's longer limit wins). Pending pollNow calls of the group resolve.
   */
  pauseGroup(group: string, until: number): void {
    if (this.isDisposed) {
      return;
    }
    this.pausedUntil.set(group, Math.max(until, this.pausedUntil.get(group) ?? until));
    for (const entry of this.entries.values()) {
      if (entry.group === group && !this.inFlight.has(entry.key)) {
        entry.forcedAt = undefined;
        releaseWaiters(entry);
      }
    }
    this.schedule();
  }

  resumeGroup(group: string): void {
    if (this.pausedUntil.delete(group)) {
      this.schedule();
    }
  }

  isPaused(group: string): boolean {
    return this.isPausedAt(group, this.clock.now());
  }

  /** Unfocused windows poll unfocusedMultiplier times slower; keys overdue on refocus poll at once. */
  setFocused(focused: boolean): void {
    if (this.focused !== focused) {
      this.focused = focused;
      this.schedule();
    }
  }

  updateSettings(settings: PollSettings): void {
    this.settings = normalisePollSettings(settings);
    for (const entry of this.entries.values()) {
      const age = entry.waitFrom - entry.startedAt;
      entry.wait = pollWait(age, entry.checked, this.settings, entry.expected);
    }
    this.schedule();
  }

  protected override onDispose(): void {
    this.clearTimer();
    for (const entry of this.entries.values()) {
      releaseWaiters(entry);
    }
    this.entries.clear();
    this.pausedUntil.clear();
    this.groupSlot.clear();
  }

  /**
   * Starts every poll that is due (oldest due first, up to maxConcurrent and one per account slot),
   * then re-arms the timer.
   */
  private schedule(): void {
    if (this.isDisposed) {
      return;
    }
    const now = this.clock.now();
    const due = [...this.entries.values()]
      .filter((entry) => this.isIdle(entry, now) && this.dueAt(entry) <= now)
      .sort((a, b) => this.dueAt(a) - this.dueAt(b) || a.seq - b.seq);
    for (const entry of due) {
      if (this.inFlight.size >= this.settings.maxConcurrent) {
        break;
      }
      if ((this.groupSlot.get(entry.group) ?? 0) <= now) {
        this.groupSlot.set(entry.group, now + accountGapMs(this.settings));
        this.start(entry);
      }
    }
    this.arm(now);
  }

  private arm(now: number): void {
    let wakeAt = Infinity;
    if (this.inFlight.size < this.settings.maxConcurrent) {
      for (const entry of this.entries.values()) {
        if (!this.inFlight.has(entry.key)) {
          wakeAt = Math.min(wakeAt, this.startableAt(entry));
        }
      }
    }
    if (this.timer !== undefined && wakeAt === this.timerAt) {
      return;
    }
    this.clearTimer();
    if (wakeAt !== Infinity) {
      this.timerAt = wakeAt;
      this.timer = this.clock.setTimeout(
        () => {
          this.timer = undefined;
          this.schedule();
        },
        Math.max(0, wakeAt - now),
      );
    }
  }

  /** The soonest moment `entry` may start: due, not paused, and its account's slot free. */
  private startableAt(entry: Entry): number {
    return Math.max(
      this.dueAt(entry),
      this.pausedUntil.get(entry.group) ?? 0,
      this.groupSlot.get(entry.group) ?? 0,
    );
  }

  /**
   * The first wait of a job checked before this scheduler knew it: what is left of its wait, or if
   * that is over, a spot spread over half a wait (golden-ratio steps, so any number of resumed jobs
   * land apart), after the first-check interval. A job with an expected duration keeps the
   * appointment its last check made (the wait counted from the age at that check).
   */
  private resumeWait(
    now: number,
    startedAt: number,
    lastCheckedAt: number,
    seq: number,
    expected: Expectation,
  ): PollWait {
    const age = (expected.expectedMs === undefined ? now : lastCheckedAt) - startedAt;
    const wait = pollWait(age, true, this.settings, expected);
    const left = lastCheckedAt + wait.ms - now;
    if (left > 0) {
      return { ...wait, ms: Math.min(left, wait.ms) };
    }
    const spread = ((seq * 0.618_033_988_75) % 1) * (pollWait(now - startedAt, true, this.settings).ms / 2);
    return { ms: pollWait(0, false, this.settings).ms + spread, unfocusedSlower: true };
  }

  private start(entry: Entry): void {
    const { key } = entry;
    entry.forcedAt = undefined;
    // The poll function runs on a microtask so it never re-enters the caller of add()/pollNow().
    const flight = Promise.resolve()
      .then(() => this.poll(key))
      .catch((error: unknown): PollOutcome => {
        this.logger.warn(`Polling ${key} failed unexpectedly: ${errorMessage(error)}`);
        return 'failed';
      })
      .then((outcome) => this.finish(entry, outcome));
    this.inFlight.set(key, flight);
  }

  private finish(entry: Entry, outcome: PollOutcome): void {
    this.inFlight.delete(entry.key);
    if (this.isDisposed) {
      return;
    }
    // A removed (or removed and re-added) key keeps no trace of this poll.
    if (this.entries.get(entry.key) === entry) {
      if (outcome === 'finished') {
        this.entries.delete(entry.key);
      } else {
        const now = this.clock.now();
        entry.checked = true;
        entry.waitFrom = now;
        entry.wait = pollWait(now - entry.startedAt, true, this.settings, entry.expected);
      }
      releaseWaiters(entry);
    }
    this.schedule();
  }

  private dueAt(entry: Entry): number {
    const factor = this.focused || !entry.wait.unfocusedSlower ? 1 : this.settings.unfocusedMultiplier;
    const waited = entry.waitFrom + entry.wait.ms * factor;
    return entry.forcedAt === undefined ? waited : Math.min(entry.forcedAt, waited);
  }

  private isIdle(entry: Entry, now: number): boolean {
    return !this.inFlight.has(entry.key) && !this.isPausedAt(entry.group, now);
  }

  private isPausedAt(group: string, now: number): boolean {
    const until = this.pausedUntil.get(group);
    if (until !== undefined && until <= now) {
      this.pausedUntil.delete(group);
    }
    return until !== undefined && until > now;
  }

  private clearTimer(): void {
    if (this.timer !== undefined) {
      this.clock.clearTimeout(this.timer);
      this.timer = undefined;
    }
  }
}

function releaseWaiters(entry: Entry): void {
  for (const resolve of entry.waiters.splice(0)) {
    resolve();
  }
}

// Throttles (create 5/min, download 10/min per user, sliding window of simulated time) and the
// developer-API daily limit (per simulated UTC day). Refused calls do not count: handlers call
// throttle() before the work and count() once it succeeded.
import type { SimulatorSwitches } from './api';
import { DAY, MINUTE, SECOND, type SimClock } from './clock';
import { HttpError } from './http';

const LIMITS = { create: 5, download: 10 } as const;
/** The daily quota's Retry-After is never under this: more than 300 s means "daily" (docs/zoho-bulk-read-api.md, "Limits and throttles"). */
const MIN_DAILY_RETRY_AFTER_S = 301;

type Throttled = keyof typeof LIMITS;

export class Limits {
  private readonly windows = new Map<string, number[]>();
  private day = -1;
  private callsToday = 0;

  constructor(
    private readonly clock: SimClock,
    private readonly switches: SimulatorSwitches,
  ) {}

  /**
   * Counts one developer API call; once the day's budget is spent throws 200/4000, or with
   * dailyLimitStyle 'http429' 429/2955 with Retry-After until the next simulated UTC day.
   */
  countDailyCall(): void {
    const now = this.clock.now();
    const today = Math.floor(now / DAY);
    if (today !== this.day) {
      this.day = today;
      this.callsToday = 0;
    }
    const limit = this.switches.dailyLimit;
    if (limit !== undefined && this.callsToday >= limit) {
      const text = `You have reached your daily limit of ${limit} developer API calls. Try again tomorrow or upgrade your plan.`;
      if (this.switches.dailyLimitStyle === 'http429') {
        const seconds = Math.max(MIN_DAILY_RETRY_AFTER_S, Math.ceil(((today + 1) * DAY - now) / SECOND));
        throw new HttpError(429, 2955, text, 'message', this.retryAfter(seconds));
      }
      throw new HttpError(200, 4000, text);
    }
    this.callsToday += 1;
  }

  /** Throws 429/2955 (Retry-After unless switched off) when `user` has used up the route's minute. */
  throttle(route: Throttled, user: string): void {
    if (!this.switches.throttles) {
      return;
    }
    const now = this.clock.now();
    const recent = this.recent(route, user, now);
    if (recent.length >= LIMITS[route]) {
      const seconds = Math.max(1, Math.ceil((recent[0] + MINUTE - now) / SECOND));
      throw new HttpError(
        429,
        2955,
        `Too many ${route === 'create' ? 'bulk read job creations' : 'result downloads'}: at most ${LIMITS[route]} per minute. Try again later.`,
        'message',
        this.retryAfter(seconds),
      );
    }
  }

  /** Records a call that was answered (after throttle() let it through). */
  count(route: Throttled, user: string): void {
    const now = this.clock.now();
    this.recent(route, user, now).push(now);
  }

  private recent(route: Throttled, user: string, now: number): number[] {
    const key = `${route}:${user}`;
    const recent = (this.windows.get(key) ?? []).filter((at) => now - at < MINUTE);
    this.windows.set(key, recent);
    return recent;
  }

  private retryAfter(seconds: number): Record<string, string> {
    return this.switches.retryAfter ? { 'Retry-After': String(seconds) } : {};
  }
}

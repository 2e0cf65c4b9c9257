// Throttles (create 5/min, download 10/min per user, sliding window of simulated time) and the
// developer-API daily limit (per simulated UTC day). Refused calls do not count.
import type { SimulatorSwitches } from './api';
import { DAY, MINUTE, type SimClock } from './clock';
import { HttpError } from './http';

const LIMITS = { create: 5, download: 10 } as const;

export class Limits {
  private readonly windows = new Map<string, number[]>();
  private day = -1;
  private callsToday = 0;

  constructor(
    private readonly clock: SimClock,
    private readonly switches: SimulatorSwitches,
  ) {}

  /** Counts one developer API call; throws the 200/4000 answer once the day's budget is spent. */
  countDailyCall(): void {
    const today = Math.floor(this.clock.now() / DAY);
    if (today !== this.day) {
      this.day = today;
      this.callsToday = 0;
    }
    const limit = this.switches.dailyLimit;
    if (limit !== undefined && this.callsToday >= limit) {
      throw new HttpError(
        200,
        4000,
        `You have reached your daily limit of ${limit} developer API calls. Try again tomorrow or upgrade your plan.`,
      );
    }
    this.callsToday += 1;
  }

  /** Throws 429/2955 (no Retry-After) when `user` has used up the route's per-minute budget. */
  throttle(route: 'create' | 'download', user: string): void {
    if (!this.switches.throttles) {
      return;
    }
    const key = `${route}:${user}`;
    const now = this.clock.now();
    const recent = (this.windows.get(key) ?? []).filter((at) => now - at < MINUTE);
    this.windows.set(key, recent);
    if (recent.length >= LIMITS[route]) {
      throw new HttpError(
        429,
        2955,
        `Too many ${route === 'create' ? 'bulk read job creations' : 'result downloads'}: at most ${LIMITS[route]} per minute. Try again later.`,
      );
    }
    recent.push(now);
  }
}

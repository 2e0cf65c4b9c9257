// Zoho allows 5 job creations per user per minute (docs/zoho-bulk-read-api.md, "Limits and throttles"). The export runner spends
// its creations inside that budget instead of learning about it from a 429: each refused call
// still costs one of the day's API calls.
export const CREATES_PER_MINUTE = 5;
const WINDOW_MS = 60_000;

export class CreateBudget {
  private readonly creations = new Map<string, number[]>();

  /** Milliseconds to wait before the account may create another job (0: now). */
  waitMs(accountId: string, now: number): number {
    const recent = this.recent(accountId, now);
    return recent.length < CREATES_PER_MINUTE
      ? 0
      : recent[recent.length - CREATES_PER_MINUTE] + WINDOW_MS - now;
  }

  record(accountId: string, now: number): void {
    this.creations.set(accountId, [...this.recent(accountId, now), now]);
  }

  private recent(accountId: string, now: number): number[] {
    return (this.creations.get(accountId) ?? []).filter((at) => now - at < WINDOW_MS);
  }
}

// The items of the shared-collection tests: counters that windows add to, with who did it.
import { isRecord } from '../../../src/core/json';
import type { Merge } from '../../../src/core/sharedCollection';

export const COUNTERS = 'counters';

export interface Counter {
  key: string;
  count: number;
  by: string[];
}

export function isCounter(value: unknown): value is Counter {
  return (
    isRecord(value) &&
    typeof value.key === 'string' &&
    typeof value.count === 'number' &&
    Array.isArray(value.by)
  );
}

/** Adds one, on top of whatever is stored (a new counter starts at one). */
export function increment(key: string, who: string): Merge<Counter> {
  return (stored) => ({
    key,
    count: (stored?.count ?? 0) + 1,
    by: [...(stored?.by ?? []), who],
  });
}

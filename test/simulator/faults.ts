// Injected faults: the next `times` requests matching a route get the fault instead of the answer.
import type { InjectedFault, Route } from './api';

export class FaultQueue {
  private readonly pending: { fault: InjectedFault; remaining: number }[] = [];

  add(fault: InjectedFault): void {
    this.pending.push({ fault, remaining: Math.max(1, fault.times ?? 1) });
  }

  /** The first pending fault for `route` ('any' matches every Creator route, not the token endpoint). */
  take(route: Exclude<Route, 'any'>): InjectedFault | undefined {
    const index = this.pending.findIndex(
      (p) => p.fault.route === route || (p.fault.route === 'any' && route !== 'token'),
    );
    if (index < 0) {
      return undefined;
    }
    const entry = this.pending[index];
    entry.remaining -= 1;
    if (entry.remaining === 0) {
      this.pending.splice(index, 1);
    }
    return entry.fault;
  }
}

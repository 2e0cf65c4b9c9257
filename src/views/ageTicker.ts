// Re-renders relative times ("2 min ago", a running job's duration) while the jobs view is visible:
// every 5 s while something runs, every minute otherwise, not at all while hidden or empty. One
// timer at a time, on the provider's clock (tests pass a fake one).
import type { Clock, TimerHandle } from '../core/ports';

const RUNNING_TICK_MS = 5_000;
const IDLE_TICK_MS = 60_000;

/** What is shown now: nothing to age, only finished rows, or something running. */
export type TickNeed = 'none' | 'idle' | 'running';

export class AgeTicker {
  private visible = false;
  private timer: TimerHandle | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly need: () => TickNeed,
    /** Fires the rows whose text changed. */
    private readonly tick: () => void,
  ) {}

  /** Ticks at once when the view becomes visible; stops while it is hidden. */
  setVisible(visible: boolean): void {
    this.visible = visible;
    if (visible) {
      this.run();
    } else {
      this.stop();
    }
  }

  /** Arms the next tick, unless one is armed, the view is hidden or nothing needs one. */
  schedule(): void {
    if (!this.visible || this.timer !== undefined) {
      return;
    }
    const need = this.need();
    if (need === 'none') {
      return;
    }
    this.timer = this.clock.setTimeout(
      () => {
        this.timer = undefined;
        this.run();
      },
      need === 'running' ? RUNNING_TICK_MS : IDLE_TICK_MS,
    );
  }

  stop(): void {
    if (this.timer !== undefined) {
      this.clock.clearTimeout(this.timer);
      this.timer = undefined;
    }
  }

  private run(): void {
    this.tick();
    this.schedule();
  }
}

// When a window counts its UI as gone (host/uiPresence.ts asks the UI; this decides). No vscode
// import: unit-tested with a fake clock (test/unit/host/presenceRule.test.ts).
//
// A slow but live UI must not give up the poller lease: every move of the lease costs API calls
// (the new holder re-checks every running job) and a lease that flaps between windows multiplies
// them. So one late answer only marks the window as "not answering" (it is then not the window a
// toast goes to), and the lease is given up only after PRESENCE_MISSES_TO_ABSENT probes in a row got
// no answer. A reply may be lost for good (the tab reconnected): a probe unanswered that long is
// abandoned and a new one sent, so the window can count back in. Any answer, even a late one from
// an abandoned probe, proves the UI is there.
import { Disposable, disposeAll, toDisposable, type IDisposable } from '../core/lifecycle';
import type { Clock, TimerHandle } from '../core/ports';
import type { ExportsApi } from '../exports/exportRunner';
import type { JobServiceApi } from '../jobs/serviceApi';

export const PRESENCE_CHECK_MS = 10_000;
/** Unanswered this long, the window is not where a toast should go (it still keeps the lease). */
export const PRESENCE_QUICK_TIMEOUT_MS = 5_000;
/** Probes in a row with no answer before the window gives up the lease. */
export const PRESENCE_MISSES_TO_ABSENT = 3;

export interface PresenceVerdict {
  /** The UI is there (slow rule): the window may hold the poller lease. */
  present: boolean;
  /** The UI answered the last probe in time (quick rule): the window may be the one that notifies. */
  answering: boolean;
}

export class PresenceRule extends Disposable {
  private verdict: PresenceVerdict = { present: true, answering: true };
  private misses = 0;
  /** When the probe still waiting for its answer was sent (undefined: none waiting). */
  private waitingSince: number | undefined;
  private timer: TimerHandle | undefined;
  private quickTimer: TimerHandle | undefined;

  constructor(
    /** Asks the UI a trivial question; settles when the UI answers. */
    private readonly ask: () => PromiseLike<unknown>,
    private readonly clock: Clock,
    private readonly changed: (verdict: PresenceVerdict) => void,
  ) {
    super();
  }

  get present(): boolean {
    return this.verdict.present;
  }

  get answering(): boolean {
    return this.verdict.answering;
  }

  /** Whether probes run now (see setActive). */
  get active(): boolean {
    return this.timer !== undefined;
  }

  /**
   * Probes run only while something needs a window that a person sees (a tracked job, a running
   * export): an unused window does no periodic work. Stopping forgets every verdict: nothing it
   * held back matters while there is nothing to poll or announce.
   */
  setActive(active: boolean): void {
    if (this.isDisposed || active === this.active) {
      return;
    }
    if (active) {
      this.arm();
      return;
    }
    this.clock.clearTimeout(this.timer as TimerHandle);
    this.timer = undefined;
    this.clearQuick();
    this.misses = 0;
    this.waitingSince = undefined;
    this.set({ present: true, answering: true });
  }

  protected override onDispose(): void {
    if (this.timer !== undefined) {
      this.clock.clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.clearQuick();
  }

  private arm(): void {
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.probe();
      if (!this.isDisposed) {
        this.arm();
      }
    }, PRESENCE_CHECK_MS);
  }

  private probe(): void {
    if (this.waitingSince !== undefined) {
      this.misses++;
      this.set({
        present: this.verdict.present && this.misses < PRESENCE_MISSES_TO_ABSENT,
        answering: false,
      });
      if (this.clock.now() - this.waitingSince < PRESENCE_MISSES_TO_ABSENT * PRESENCE_CHECK_MS) {
        return; // still waiting for that answer
      }
      // Waited that long: the reply is lost (a reconnect), not just late. Ask again.
    }
    this.waitingSince = this.clock.now();
    this.clearQuick();
    this.quickTimer = this.clock.setTimeout(() => {
      this.quickTimer = undefined;
      if (this.waitingSince !== undefined) {
        this.set({ ...this.verdict, answering: false });
      }
    }, PRESENCE_QUICK_TIMEOUT_MS);
    const answered = (): void => {
      if (this.isDisposed || !this.active) {
        return;
      }
      this.waitingSince = undefined;
      this.misses = 0;
      this.clearQuick();
      this.set({ present: true, answering: true });
    };
    // A refusal is an answer too: it came back from the UI.
    void Promise.resolve(this.ask()).then(answered, answered);
  }

  private clearQuick(): void {
    if (this.quickTimer !== undefined) {
      this.clock.clearTimeout(this.quickTimer);
      this.quickTimer = undefined;
    }
  }

  private set(verdict: PresenceVerdict): void {
    if (verdict.present === this.verdict.present && verdict.answering === this.verdict.answering) {
      return;
    }
    this.verdict = verdict;
    if (!this.isDisposed) {
      this.changed(verdict);
    }
  }
}

/** Keeps `rule` probing while at least one job is tracked or an export runs (see setActive). */
export function probeWhileTracking(
  rule: Pick<PresenceRule, 'setActive'>,
  jobs: Pick<JobServiceApi, 'jobs' | 'onDidChangeJob'>,
  exports: Pick<ExportsApi, 'exports' | 'onDidChangeExport'>,
): IDisposable {
  const update = (): void =>
    rule.setActive(jobs.jobs().length > 0 || exports.exports().some((run) => run.state === 'running'));
  update();
  const listeners = [jobs.onDidChangeJob(update), exports.onDidChangeExport(update)];
  return toDisposable(() => void disposeAll(listeners));
}

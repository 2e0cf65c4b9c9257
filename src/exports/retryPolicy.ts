// When a step of an export is tried again: a throttle waits what Zoho asked, a network or server
// error (transient) waits a growing time and is tried TRANSIENT_TRIES times in all, counted per
// step whatever events ask to look again. A step is creating the batch after a parent, or
// downloading (and appending) one batch; a wait holds its step, so no event tries it sooner.
// Part of ExportRunner (./exportRunner.ts).
import type { Clock, TimerHandle } from '../core/ports';
import type { TrackedJob } from '../jobs/model';
import { isZohoError } from '../zoho/errors';

/**
 * Tries of one step (creating a batch, downloading one) failing transiently (network, 5xx) before
 * the export is shown as interrupted: counted per step, whatever events ask to look again.
 */
export const TRANSIENT_TRIES = 3;
export const TRANSIENT_RETRY_BASE_MS = 2000;
export const TRANSIENT_KINDS = new Set(['network', 'server']);

export function isTransient(error: { kind: string } | undefined): boolean {
  return error !== undefined && TRANSIENT_KINDS.has(error.kind);
}

/** The wait and failure key of downloading (and appending) one batch of a run. */
export function downloadStep(id: string, jobKey: string): string {
  return `${id}|download|${jobKey}`;
}

/** The failure key of creating the batch after `parentKey` (its wait is keyed by the run id). */
export function createStep(id: string, parentKey: string): string {
  return `${id}|create|${parentKey}`;
}

export class RetryPolicy {
  /**
   * Steps waiting (throttle, pause, transient error) before they are tried again: keyed by the run
   * id for its next creation, by downloadStep() for a batch's download.
   */
  private readonly waits = new Map<string, TimerHandle>();
  /** Failed tries of each step (see TRANSIENT_TRIES), keyed like `waits`. */
  private readonly failures = new Map<string, number>();

  constructor(private readonly clock: Clock) {}

  /** Whether `key` waits before it is tried again. */
  waiting(key: string): boolean {
    return this.waits.has(key);
  }

  /** Whether the step had its TRANSIENT_TRIES: it is tried no more, not even while stopping. */
  exhausted(step: string): boolean {
    return (this.failures.get(step) ?? 0) >= TRANSIENT_TRIES;
  }

  /** The step worked: a later failure of it starts counting again. */
  succeeded(step: string): void {
    this.failures.delete(step);
  }

  /** Runs `then` after `ms`; `key` is the run id (its next creation) or a downloadStep. */
  later(key: string, ms: number, then: () => void): void {
    const existing = this.waits.get(key);
    if (existing) {
      this.clock.clearTimeout(existing);
    }
    this.waits.set(
      key,
      this.clock.setTimeout(() => {
        this.waits.delete(key);
        then();
      }, ms),
    );
  }

  /**
   * Schedules another try of a step failing with a network or server error, after a growing wait
   * (`waitKey` holds it, so no event tries sooner); false when it is not one, or the step had
   * its TRANSIENT_TRIES.
   */
  retryTransient(waitKey: string, step: string, error: unknown, retry: () => void): boolean {
    if (!isZohoError(error) || !isTransient(error)) {
      return false;
    }
    const tries = (this.failures.get(step) ?? 0) + 1;
    this.failures.set(step, tries);
    if (tries >= TRANSIENT_TRIES) {
      return false; // kept: exhausted() says so, and the step is tried no more
    }
    this.later(waitKey, TRANSIENT_RETRY_BASE_MS * 2 ** (tries - 1), retry);
    return true;
  }

  /**
   * The job service's own download, when the batch completed, was the download step's first try:
   * when it failed transiently, the step waits before its second (true). Once per step.
   */
  countedJobServiceTry(step: string, job: TrackedJob, retry: () => void): boolean {
    if (this.failures.has(step) || job.download !== 'failed' || !isTransient(job.lastError)) {
      return false;
    }
    this.failures.set(step, 1);
    this.later(step, TRANSIENT_RETRY_BASE_MS, retry);
    return true;
  }

  /** Ends every wait of the run `id` (its steps are not tried again). */
  cancelWaits(id: string): void {
    for (const [key, timer] of [...this.waits]) {
      if (key === id || key.startsWith(`${id}|`)) {
        this.clock.clearTimeout(timer);
        this.waits.delete(key);
      }
    }
  }

  /** Forgets the failed tries of the run `id` (a restart is a new run). */
  forgetRun(id: string): void {
    for (const key of [...this.failures.keys()]) {
      if (key.startsWith(`${id}|`)) {
        this.failures.delete(key);
      }
    }
  }

  dispose(): void {
    for (const timer of this.waits.values()) {
      this.clock.clearTimeout(timer);
    }
    this.waits.clear();
  }
}

// The chain of an export's batches: as soon as a batch completes, the next one is created from its
// record cursor (docs/zoho-bulk-read-api.md, "Creating a job": the cursor lives 15 minutes), within
// the account's pause and creation budget (./createBudget.ts), and recorded in the run. A cursor
// seen twice, a cursor that expired (or would before Zoho allows another job) and a creation that
// keeps failing stop the run. Part of ExportRunner (./exportRunner.ts).
import { errorMessage } from '../core/format';
import { rateLimitPauseMs } from '../jobs/accountStates';
import {
  CURSOR_LIFETIME_MS,
  cursorMsLeft,
  usableCursor,
  type Expectation,
  type TrackedJob,
} from '../jobs/model';
import { measuredClosely, measuredDurationMs } from '../jobs/pollPolicy';
import { isZohoError } from '../zoho/errors';
import { CreateBudget } from './createBudget';
import type { ExportBatch, ExportRun } from './model';
import { createStep } from './retryPolicy';
import type { RunContext } from './runContext';
import { batchName, cursorDigest, keptText, withCursor } from './runParts';

export class BatchChain {
  private readonly budget = new CreateBudget();
  /** Runs whose next batch is being created. */
  private readonly creating = new Set<string>();
  /** When each batch was seen completing (for the completion -> next creation figure). */
  private readonly completedSeen = new Map<string, number>();

  constructor(private readonly ctx: RunContext) {}

  /** A job creation of the account (a run's first batch) spends the creation budget. */
  recordCreation(accountId: string): void {
    this.budget.record(accountId, this.ctx.clock.now());
  }

  /** Notes when a batch was first seen finished. */
  seen(job: TrackedJob | undefined): void {
    if (job && job.state !== 'running' && !this.completedSeen.has(job.key)) {
      this.completedSeen.set(job.key, this.ctx.clock.now());
    }
  }

  /** Creates the batch after `parent`, the run's newest, completed with a cursor. */
  createNext(id: string, parent: TrackedJob): void {
    const { store, clock, jobs, retries, logger } = this.ctx;
    const run = store.get(id);
    if (!this.ctx.mayAct(run) || this.creating.has(id) || retries.waiting(id)) {
      return;
    }
    const cursor = parent.details?.result?.record_cursor ?? '';
    if (run.cursors?.includes(cursorDigest(cursor))) {
      // Zoho gave a cursor this run has read from already: the next batch would repeat records.
      const text = (stopped: ExportRun): string =>
        `Zoho returned a record cursor for ${batchName(stopped, parent.key)} that an earlier batch of ${stopped.ref.report} was already read from, so the export would repeat records without end; it was stopped after ${stopped.batches.length} batches. ${keptText(stopped)} Run the export again; if it stops the same way, the report cannot be read in batches now.`;
      void this.ctx.stop(id, 'failed', text, true);
      return;
    }
    const now = clock.now();
    if (!usableCursor(parent, now)) {
      void this.ctx.stop(id, 'interrupted', (stopped) => cursorExpiredText(stopped, parent));
      return;
    }
    const wait = this.waitBeforeCreate(run.accountId, now);
    if (wait > 0) {
      this.waitThen(id, parent, wait);
      return;
    }
    this.creating.add(id);
    this.budget.record(run.accountId, now);
    // Timed by the previous batch (pollPolicy.ts). A batch seen completing late (no window polled)
    // overstates it, by less than the cursor's 15 minutes, or the next creation fails.
    const expected = nextBatchExpectation({
      previousMs: measuredDurationMs(parent),
      previousClose: measuredClosely(parent),
      batchSize: batchCount(parent),
      recordsSoFar: run.batches.reduce(
        (sum, batch) => sum + (batchCount(jobs.get(batch.key)) ?? batch.count ?? 0),
        0,
      ),
      expectedRecords: run.expectedRecords,
    });
    jobs
      .fetchNextBatch(parent.key, expected)
      .then(
        (child) => this.recordChild(id, parent, child),
        (error: unknown) => this.createFailed(id, parent, error),
      )
      .catch((error: unknown) => logger.error(`Export ${id}: ${errorMessage(error)}`))
      .finally(() => {
        this.creating.delete(id);
        this.ctx.reconcile(id);
      });
  }

  /** Records a next batch created (by a window that closed before it recorded it) in the run. */
  async claimBatch(id: string, childKey: string): Promise<void> {
    const { store, jobs } = this.ctx;
    const run = store.get(id);
    const child = jobs.get(childKey);
    const writer = this.ctx.token(run);
    if (!run || !writer || !child || run.batches.some((batch) => batch.key === childKey)) {
      return;
    }
    const parent = jobs.get(run.batches[run.batches.length - 1].key);
    await store.updateAs(id, writer, {
      batches: [...run.batches, { key: child.key, jobId: child.jobId, appended: false }],
      cursors: withCursor(run, parent),
    });
    this.seen(jobs.get(childKey));
    this.ctx.reconcile(id);
  }

  /** Milliseconds before this account may create a job: its pause, or the creation budget. */
  private waitBeforeCreate(accountId: string, now: number): number {
    const pause = this.ctx.jobs.pauses().find((p) => p.accountId === accountId);
    return Math.max(0, (pause?.until ?? 0) - now, this.budget.waitMs(accountId, now));
  }

  private async recordChild(id: string, parent: TrackedJob, child: TrackedJob): Promise<void> {
    const { store, clock, jobs, retries, logger } = this.ctx;
    const run = store.get(id);
    const writer = this.ctx.token(run);
    if (!run || run.state !== 'running') {
      await jobs.stopTracking(child.key); // cancelled while the request was in flight
      return;
    }
    retries.succeeded(createStep(id, parent.key));
    const seenAt = this.completedSeen.get(parent.key);
    const batches: ExportBatch[] = run.batches.map((batch) =>
      batch.key === parent.key && seenAt !== undefined
        ? { ...batch, nextCreatedAfterMs: clock.now() - seenAt }
        : batch,
    );
    batches.push({ key: child.key, jobId: child.jobId, appended: false });
    // Refused when another window took the run over meanwhile: it claims the child (nextBatchKey).
    if (writer && (await store.updateAs(id, writer, { batches, cursors: withCursor(run, parent) }))) {
      logger.info(`Export of ${run.ref.report}: batch ${batches.length} is job ${child.jobId}.`);
    }
    this.seen(jobs.get(child.key));
  }

  private createFailed(id: string, parent: TrackedJob, error: unknown): void {
    const run = this.ctx.store.get(id);
    if (!this.ctx.mayAct(run)) {
      return;
    }
    if (isZohoError(error, 'rateLimited')) {
      this.waitThen(id, parent, rateLimitPauseMs(error.retryAfterMs));
      return;
    }
    if (
      this.ctx.retries.retryTransient(id, createStep(id, parent.key), error, () => this.ctx.reconcile(id))
    ) {
      return;
    }
    const next = run.batches.length + 1;
    void this.ctx.stop(
      id,
      'interrupted',
      (stopped) =>
        `Could not create batch ${next} of ${stopped.ref.report}: ${errorMessage(error)} ${keptText(stopped)}`,
    );
  }

  /** Waits `ms` (throttle or pause) unless the cursor would expire first. */
  private waitThen(id: string, parent: TrackedJob, ms: number): void {
    const run = this.ctx.store.get(id);
    if (!run) {
      return;
    }
    const left = cursorMsLeft(parent, this.ctx.clock.now()) ?? 0;
    if (ms >= left) {
      void this.ctx.stop(id, 'interrupted', (stopped) => cursorExpiredText(stopped, parent, true));
      return;
    }
    this.ctx.logger.info(
      `Export of ${run.ref.report}: next batch in ${Math.ceil(ms / 1000)} s (Zoho's limits).`,
    );
    this.ctx.retries.later(id, ms, () => this.ctx.reconcile(id));
  }
}

/** `result.count` of a completed batch. */
function batchCount(job: TrackedJob | undefined): number | undefined {
  return job?.details?.result?.count;
}

/**
 * What the batch after `parent` is expected to take. Every next batch reads the first batch's
 * number of records (docs/zoho-bulk-read-api.md, "Creating a job": the batch size carries over),
 * except the last, which reads what is left. With the run's expected total (the definition's last
 * run, ExportRun.expectedRecords) the previous batch's duration is scaled by
 * min(batch size, expected total - records so far) / batch size, so a short last batch is
 * expected short. Without one, or when the report grew past it (nothing left expected), the next
 * batch may be the short last one: it gets an early check too (mayEndSooner).
 */
export function nextBatchExpectation(figures: {
  /** How long the previous batch ran (measuredDurationMs). */
  previousMs: number | undefined;
  /** Whether that was measured closely (pollPolicy.ts, measuredClosely). */
  previousClose?: boolean;
  /** How many records it read: the batch size. */
  batchSize: number | undefined;
  /** How many records the run's batches so far read. */
  recordsSoFar: number;
  /** How many records the run is expected to read in all. */
  expectedRecords: number | undefined;
}): Expectation {
  const { previousMs, batchSize = 0, recordsSoFar, expectedRecords } = figures;
  if (previousMs === undefined) {
    return {};
  }
  const close: Expectation = figures.previousClose ? { measuredClosely: true } : {};
  const left = (expectedRecords ?? 0) - recordsSoFar;
  if (expectedRecords === undefined || batchSize <= 0 || left <= 0) {
    return { expectedMs: previousMs, mayEndSooner: true, ...close };
  }
  if (left >= batchSize) {
    return { expectedMs: previousMs, ...close };
  }
  // A short last batch: its run time is not measured, only estimated.
  return { expectedMs: (previousMs * left) / batchSize };
}

function cursorExpiredText(run: ExportRun, parent: TrackedJob, wouldExpire = false): string {
  const minutes = CURSOR_LIFETIME_MS / 60_000;
  const when = wouldExpire ? 'would expire before Zoho allows another job' : 'expired';
  return `The record cursor of ${batchName(run, parent.key)} ${when} (Zoho accepts it for ${minutes} minutes), so the rest of ${run.ref.report} could not be read. ${keptText(run)} Restart the export to read the report again.`;
}

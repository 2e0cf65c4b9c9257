// The append loop of each export run: every completed batch, in order, is downloaded through the
// job service and appended to the run's working file (MergedFileWriter, ./mergedFile.ts), and its
// progress recorded under the run's fencing token; after the last batch the run completes. One
// loop per run at a time. Part of ExportRunner (./exportRunner.ts).
import { errorMessage } from '../core/format';
import { rateLimitPauseMs } from '../jobs/accountStates';
import type { TrackedJob } from '../jobs/model';
import { ZohoError, isZohoError } from '../zoho/errors';
import type { ExportRun } from './model';
import { workingPath } from './model';
import { TRANSIENT_TRIES, downloadStep, isTransient } from './retryPolicy';
import type { RunContext } from './runContext';
import { ExportStop, Fenced, batchName, keptText } from './runParts';

function isLastBatch(job: TrackedJob): boolean {
  return job.state === 'completed' && !job.details?.result?.record_cursor;
}

export class BatchMerger {
  /** The append loop of each run, one at a time; `again` asks it to look once more when done. */
  private readonly draining = new Map<string, Promise<void>>();
  private readonly again = new Set<string>();
  private readonly aborts = new Map<string, AbortController>();

  constructor(private readonly ctx: RunContext) {}

  /** Runs the append loop unless it runs already (then it looks again when done). */
  drain(id: string): void {
    if (this.draining.has(id)) {
      this.again.add(id);
      return;
    }
    const loop = this.appendReady(id, false)
      .catch((error: unknown) => this.appendFailed(id, error))
      .finally(() => {
        this.draining.delete(id);
        if (this.again.delete(id)) {
          this.drain(id);
        }
      });
    this.draining.set(id, loop);
  }

  /** Resolves once the run's append loop, if one runs, has ended (however). */
  async settled(id: string): Promise<void> {
    await this.draining.get(id)?.catch(() => undefined);
  }

  /** Stops the append under way of the run, if any. */
  abort(id: string): void {
    this.aborts.get(id)?.abort();
  }

  /**
   * Appends every completed batch, in order, and completes the run after its last batch.
   * `stopping`: the run is being stopped, and what can be appended now is kept (no completion).
   */
  async appendReady(id: string, stopping: boolean): Promise<void> {
    const { store, jobs, retries } = this.ctx;
    for (;;) {
      const run = store.get(id);
      const writer = this.ctx.token(run);
      if (!run || !writer || (!stopping && !this.ctx.mayAct(run))) {
        return;
      }
      const index = run.batches.findIndex((batch) => !batch.appended);
      if (index < 0) {
        // Everything is in: complete once the newest batch is the last one (no cursor). Also
        // reached after a reload that interrupted the completion itself.
        const newest = jobs.get(run.batches[run.batches.length - 1].key);
        if (!stopping && newest && isLastBatch(newest)) {
          await this.ctx.complete(id, writer);
        }
        return;
      }
      const job = jobs.get(run.batches[index].key);
      const step = job && downloadStep(id, job.key);
      if (
        !job ||
        !step ||
        job.state !== 'completed' ||
        (!stopping && retries.waiting(step)) ||
        retries.exhausted(step)
      ) {
        return; // not there yet, its download waits before another try, or had its tries
      }
      if (!stopping && retries.countedJobServiceTry(step, job, () => this.ctx.reconcile(id))) {
        return;
      }
      if (!stopping && job.download === 'failed' && job.lastError?.kind === 'diskFull') {
        // The job service's own try found the disk full: another one now would only fill it again.
        throw new ZohoError({ kind: 'diskFull', message: job.lastError.message });
      }
      await this.append(run, writer, index, job);
    }
  }

  dispose(): void {
    for (const controller of this.aborts.values()) {
      controller.abort();
    }
  }

  private async append(run: ExportRun, writer: string, index: number, job: TrackedJob): Promise<void> {
    const { store, jobs, clock, files, retries } = this.ctx;
    const controller = new AbortController();
    this.aborts.set(run.id, controller);
    try {
      const started = clock.now();
      const result = await jobs.ensureResult(job.key, { signal: controller.signal });
      retries.succeeded(downloadStep(run.id, job.key));
      const fetchMs = clock.now() - started;
      const count = job.details?.result?.count ?? 0;
      const outcome = await files.append(
        run,
        { key: job.key, path: result.path, bytes: result.bytes, records: count },
        controller.signal,
      );
      const fresh = store.get(run.id) ?? run;
      const recorded = await store.updateAs(run.id, writer, {
        batches: fresh.batches.map((batch, i) =>
          i === index ? { ...batch, appended: true, count, fetchMs } : batch,
        ),
        header: outcome.header,
        bytesWritten: run.bytesWritten + outcome.bytes,
        records: run.records + count,
      });
      if (!recorded) {
        // Another window took the run over while this one appended (it was paused, say): what it
        // wrote is in its own file, which nobody reads; the batch's copy is the new writer's now.
        await files.remove(workingPath(run));
        throw new Fenced();
      }
      // The merged file holds these records now; the batch's own copy would only double the disk used.
      await files.remove(result.path);
    } finally {
      this.aborts.delete(run.id);
    }
  }

  private appendFailed(id: string, error: unknown): void {
    const { store, logger, retries } = this.ctx;
    const run = store.get(id);
    if (error instanceof Fenced) {
      logger.info(`Export ${id}: another window writes it now; this one stopped writing.`);
      return;
    }
    if (!this.ctx.mayAct(run) || isZohoError(error, 'cancelled')) {
      return;
    }
    if (error instanceof ExportStop) {
      void this.ctx.stop(id, error.state, error.text);
      return;
    }
    const index = run.batches.findIndex((batch) => !batch.appended);
    const batch = run.batches[index] ?? run.batches[run.batches.length - 1];
    const step = downloadStep(id, batch.key);
    if (isZohoError(error, 'rateLimited')) {
      retries.later(step, rateLimitPauseMs(error.retryAfterMs), () => this.ctx.reconcile(id));
      return;
    }
    if (retries.retryTransient(step, step, error, () => this.ctx.reconcile(id))) {
      return;
    }
    if (isZohoError(error, 'diskFull')) {
      // Its message says where and how much to free; a restart then downloads the batch again.
      void this.ctx.stop(
        id,
        'interrupted',
        (stopped) =>
          `Could not download ${batchName(stopped, batch.key)} of ${stopped.ref.report}. ${error.message} ${keptText(stopped)} Restart the export once there is room.`,
      );
      return;
    }
    // Results stay downloadable for 24 hours: the records so far are kept and a restart can follow.
    const tries = isZohoError(error) && isTransient(error) ? ` (tried ${TRANSIENT_TRIES} times)` : '';
    void this.ctx.stop(
      id,
      'interrupted',
      (stopped) =>
        `Could not download ${batchName(stopped, batch.key)} of ${stopped.ref.report}${tries}: ${errorMessage(error)} ${keptText(stopped)} Restart the export to try again.`,
    );
  }
}

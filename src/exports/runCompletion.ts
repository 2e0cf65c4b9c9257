// How an export run ends. Completed: after its last batch the merged file must hold exactly the
// bytes and records recorded, is named (recorded first, then linked: a late writer never replaces
// a file) and the run is marked completed. Stopped (failed, interrupted, cancelled): one stop at a
// time, the batches already finished appended when their records are kept, then the records kept
// as a partial file or discarded, and the message written once what it says is true.
// Part of ExportRunner (./exportRunner.ts).
import { errorMessage } from '../core/format';
import type { BatchMerger } from './batchMerger';
import { applyRunToSnapshot } from './incremental';
import type { ExportRun } from './model';
import type { RunContext, StopState } from './runContext';
import { Fenced, type StopText } from './runParts';

export class RunCompletion {
  private readonly stopping = new Map<string, Promise<ExportRun | undefined>>();

  constructor(
    private readonly ctx: RunContext,
    private readonly merger: BatchMerger,
  ) {}

  async complete(id: string, writer: string): Promise<void> {
    const { store, files, clock, logger } = this.ctx;
    const run = store.get(id);
    if (!run) {
      return;
    }
    const working = await files.fileToComplete(run);
    const sha256 = await files.verify(run, working);
    if (working !== run.destination) {
      // Recorded first: after a reload, only a file this export named is taken for its own.
      if (!(await store.updateAs(id, writer, { renamedAt: clock.now() }))) {
        throw new Fenced();
      }
      if ((await files.publish(run, working)) === 'exists') {
        if (store.get(id)?.writer !== writer) {
          throw new Fenced(); // a late writer never replaces the file
        }
        // The user agreed to replace it when the export started (or an earlier writer of this run
        // woke up late and named its own, checked, copy): this run's checked file takes its place.
        await files.replace(run, working);
      }
    }
    const snapshot = await this.snapshotStep(run);
    const done = await store.updateAs(id, writer, {
      state: 'completed',
      finishedAt: clock.now(),
      ...snapshot,
    });
    if (!done) {
      throw new Fenced();
    }
    await this.markReplaced(done);
    logger.info(
      `Export of ${run.ref.report} completed: ${run.records} records in ${run.batches.length} batches.`,
    );
    await this.ctx.record(done, sha256);
    this.ctx.finished(done);
  }

  /**
   * The older completed runs that wrote the same file now name this run as what replaced it (the
   * user agreed to the overwrite): their file is not "changed since", it is this run's
   * (ExportsApi.verifyCompleted leaves them trusted; their row says they were replaced).
   */
  private async markReplaced(done: ExportRun): Promise<void> {
    const { store } = this.ctx;
    const older = store
      .all()
      .filter(
        (other) =>
          other.id !== done.id &&
          other.state === 'completed' &&
          other.replacedBy === undefined &&
          other.destination === done.destination &&
          other.startedAt <= done.startedAt,
      );
    for (const other of older) {
      await store.update(other.id, { replacedBy: done.id, error: undefined });
    }
  }

  /**
   * An incremental definition's run: its checked records are merged into the snapshot, which is
   * replaced only once exact (./incremental.ts); throws ExportStop (the run fails) when it cannot.
   */
  private snapshotStep(run: ExportRun): Promise<Partial<ExportRun>> {
    return applyRunToSnapshot(run);
  }

  /**
   * Stops the run. `text` says why; as a function it is told once the records so far are kept or
   * discarded, so its numbers are the ones the user finds.
   */
  stop(
    id: string,
    state: StopState,
    text: StopText | undefined,
    keepRecords = state !== 'failed',
  ): Promise<ExportRun | undefined> {
    // One stop at a time: the run shows its new state only once the file took it
    // (ExportStore.updateAs), so a second caller meanwhile still sees it running.
    let stopping = this.stopping.get(id);
    if (!stopping) {
      stopping = this.stopOnce(id, state, text, keepRecords).finally(() => this.stopping.delete(id));
      this.stopping.set(id, stopping);
    }
    return stopping;
  }

  private async stopOnce(
    id: string,
    state: StopState,
    text: StopText | undefined,
    keepRecords: boolean,
  ): Promise<ExportRun | undefined> {
    const { store, jobs, clock, logger, retries, files } = this.ctx;
    let run = store.get(id);
    if (!run || run.state !== 'running') {
      return run;
    }
    if (!this.ctx.token(run) && this.ctx.mayAct(run)) {
      await this.ctx.takeOver(id);
      run = store.get(id);
    }
    const writer = this.ctx.token(run);
    if (!run || !writer || run.state !== 'running') {
      return run; // another window writes it: only that one may touch its file
    }
    retries.cancelWaits(id);
    // A text that counts what is kept is set once it is known, never before with numbers not yet true.
    const error = typeof text === 'function' ? undefined : text;
    // A cancel states what it will do with the records until it has (cleared below): the row must
    // not say "discarded" while a kept file is still being named.
    const intent = state === 'cancelled' && !run.cancelRequest ? { cancelRequest: { keepRecords } } : {};
    if (!(await store.updateAs(id, writer, { state, error, finishedAt: clock.now(), ...intent }))) {
      return store.get(id);
    }
    if (state === 'cancelled') {
      this.merger.abort(id);
      for (const batch of run.batches) {
        if (!batch.appended && jobs.get(batch.key)) {
          // Its records go into no file: it is stopped, and a download of it (the job service's
          // own, say) ends and leaves nothing; a completed batch stayed behind as a ready result.
          await jobs.stopTracking(batch.key);
        }
      }
    }
    await this.merger.settled(id);
    if (state === 'interrupted' || (state === 'failed' && keepRecords)) {
      // Completed batches stay downloadable for a day: keep their records too.
      await this.merger
        .appendReady(id, true)
        .catch((e: unknown) =>
          logger.warn(`Export ${id}: could not append a finished batch: ${errorMessage(e)}`),
        );
    }
    retries.forgetRun(id);
    const current = store.get(id);
    const keptPath = current ? await files.keepOrDiscard(current, keepRecords) : undefined;
    let stopped = store.get(id);
    if (stopped && (keptPath !== undefined || typeof text === 'function')) {
      // One write: a window that sees the kept file sees the message that names it.
      const patch: Partial<ExportRun> = keptPath === undefined ? {} : { keptPath };
      if (typeof text === 'function') {
        patch.error = text({ ...stopped, ...patch });
      }
      stopped = (await store.updateAs(id, writer, patch)) ?? store.get(id);
    }
    if (stopped?.error) {
      logger.warn(`Export of ${run.ref.report} ${state}: ${stopped.error}`);
    }
    if (stopped?.cancelRequest) {
      // Done: the window that asked stops waiting (ExportRunner.cancel).
      stopped = await store.updateAs(id, writer, { cancelRequest: undefined });
    }
    if (stopped) {
      await this.ctx.record(stopped);
    }
    if (stopped && state !== 'cancelled') {
      this.ctx.stopped(stopped);
    }
    return stopped;
  }
}

// Which window writes each export run: this window's fencing token per run, and the fenced
// takeover. A window taking a run over copies the recorded bytes of the previous writer's file into
// a new file of its own (MergedFileWriter.copyForTakeover), then stores its token if nobody changed
// the run meanwhile (ExportStore.claim). The previous writer may be paused mid-append: it wakes up
// to a file nobody reads, and is refused when it records anything. Part of ExportRunner.
import { randomUUID } from '../core/nodeCrypto';
import { errorMessage } from '../core/format';
import { partialPath, workingPath, type ExportRun } from './model';
import type { RunContext } from './runContext';
import { freeName, takeoverDiskFullText } from './runParts';

export class WriterClaims {
  /** This window's fencing token for each run it drives (the run's `writer` while it is ours). */
  private readonly claims = new Map<string, string>();
  private readonly claiming = new Map<string, Promise<void>>();

  constructor(private readonly ctx: RunContext) {}

  /** This window writes the run it started with `writer` (stored with the run). */
  own(id: string, writer: string): void {
    this.claims.set(id, writer);
  }

  /** This window's token when it is the run's writer (as far as it knows: writes check again). */
  token(run: ExportRun | undefined): string | undefined {
    const token = run && this.claims.get(run.id);
    return token !== undefined && token === run?.writer ? token : undefined;
  }

  /** Makes this window the run's writer; one takeover of a run at a time. */
  takeOver(id: string): Promise<void> {
    let claiming = this.claiming.get(id);
    if (!claiming) {
      claiming = this.claim(id)
        .catch((error: unknown) =>
          this.ctx.logger.error(`Export ${id}: could not take it over: ${errorMessage(error)}`),
        )
        .finally(() => this.claiming.delete(id));
      this.claiming.set(id, claiming);
    }
    return claiming;
  }

  private async claim(id: string): Promise<void> {
    const { store, files, logger } = this.ctx;
    const run = store.get(id);
    if (!this.ctx.mayAct(run) || this.token(run)) {
      return;
    }
    const writer = randomUUID();
    const previous = workingPath(run);
    const mine = workingPath({ destination: run.destination, writer });
    const copy = await files.copyForTakeover(run, writer);
    if (copy.kind === 'diskFull') {
      await this.keepUncopied(run, writer, copy.room);
      return;
    }
    const claimed = await store.claim(id, writer, run);
    if (!claimed) {
      await files.remove(mine);
      return; // another window took it, or it moved on: the change event brings us back
    }
    this.claims.set(id, writer);
    logger.info(`Export of ${run.ref.report}: this window writes it now.`);
    // A late write of the previous writer lands in a file nobody has any more.
    await files.remove(previous);
    if (copy.kind === 'unusable') {
      await this.ctx.stop(id, 'failed', copy.problem);
      return;
    }
    this.ctx.reconcile(id);
  }

  /**
   * The disk has no room to copy the previous writer's file: the export stops here, in one write
   * that also fences the previous writer (a new token), and that file itself is kept as the
   * partial file (cut to the bytes recorded; a rename needs no room). Nothing is deleted.
   */
  private async keepUncopied(run: ExportRun, writer: string, room: number | undefined): Promise<void> {
    const { store, files, logger, clock } = this.ctx;
    const kept = await freeName(partialPath(run.destination));
    const keptPath = run.records > 0 ? kept : undefined;
    const patch: Partial<ExportRun> = { state: 'interrupted', finishedAt: clock.now(), keptPath };
    patch.error = takeoverDiskFullText({ ...run, ...patch }, room);
    const stopped = await store.claim(run.id, writer, run, patch);
    if (!stopped) {
      return; // another window took it, or it moved on: the change event brings us back
    }
    if (keptPath) {
      await files.keepUncopied(run, keptPath);
    }
    logger.warn(`Export of ${run.ref.report} interrupted: ${stopped.error ?? ''}`);
    this.ctx.stopped(stopped);
  }
}

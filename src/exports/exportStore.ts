// The export runs, shared by every window: a file in the extension's global storage folder (see
// ../core/sharedJsonFile.ts for why not globalState). Each change is merged into the latest file
// under its lock, field by field onto the run as stored, so two windows never undo each other's
// changes (the lease holder's progress, another window's cancel request); changes made by another
// window are announced with `external` set. Runs are never mutated in place.
import { errorMessage } from '../core/format';
import { Disposable, Emitter, type Event, type IDisposable } from '../core/lifecycle';
import { silentLogger, type Logger } from '../core/ports';
import { UnusableContentError, type SharedJsonFile } from '../core/sharedJsonFile';
import { jsonEqual } from '../core/json';
import type { ExportRun } from './model';

export const EXPORTS_FILE_NAME = 'exports.json';

export interface ExportChange {
  kind: 'added' | 'updated' | 'removed';
  run: ExportRun;
  /** True when another window made the change. */
  external?: boolean;
}

interface StoredExports {
  version: 1;
  exports: ExportRun[];
}

const STATES: ReadonlySet<unknown> = new Set(['running', 'completed', 'failed', 'cancelled', 'interrupted']);

export class ExportStore extends Disposable {
  private readonly runs: Map<string, ExportRun>;
  private readonly changes = new Emitter<ExportChange>((error) =>
    this.logger.error(`An export change listener failed: ${errorMessage(error)}`),
  );
  readonly onDidChange: Event<ExportChange> = this.changes.event;
  private lastWrite: Promise<void> = Promise.resolve();
  /** Runs with a write of ours still on its way to the file: the file is older for them. */
  private readonly pending = new Map<string, number>();
  private readonly subscription: IDisposable;

  constructor(
    private readonly file: SharedJsonFile,
    private readonly logger: Logger = silentLogger,
  ) {
    super();
    this.runs = new Map(this.readFile().map((run) => [run.id, run]));
    this.subscription = file.onDidChange(() => this.sync());
  }

  all(): ExportRun[] {
    return [...this.runs.values()];
  }

  get(id: string): ExportRun | undefined {
    return this.runs.get(id);
  }

  /** The run one of whose batches is this job. */
  byJobKey(key: string): ExportRun | undefined {
    return this.all().find((run) => run.batches.some((batch) => batch.key === key));
  }

  async add(run: ExportRun): Promise<void> {
    const added = structuredClone(run);
    this.runs.set(added.id, added);
    // Another window cannot have a run of this new id: ours is stored as is.
    await this.commit({ kind: 'added', run: added }, (stored) => stored ?? added);
  }

  /**
   * Merges `patch` into the run (a property set to undefined is cleared). Only the patched fields
   * are written, onto the run as stored now, so what another window changed meanwhile survives
   * (the lease holder's batches and counts, another window's cancel request or "seen"). A run
   * another window removed stays removed.
   */
  async update(id: string, patch: Partial<ExportRun>): Promise<ExportRun | undefined> {
    const current = this.runs.get(id);
    if (!current) {
      return undefined;
    }
    const copy = structuredClone(patch);
    const next: ExportRun = { ...current, ...copy, id };
    this.runs.set(id, next);
    await this.commit({ kind: 'updated', run: next }, (stored) => stored && { ...stored, ...copy, id });
    return this.runs.get(id);
  }

  /**
   * Like update, but written only while `writer` is still the run's stored writer (checked under
   * the file's lock): a window that lost the run (paused past its lease, then woke up) changes
   * nothing. Undefined when the write was refused (the run as stored is then adopted).
   */
  async updateAs(id: string, writer: string, patch: Partial<ExportRun>): Promise<ExportRun | undefined> {
    const current = this.runs.get(id);
    if (!current || current.writer !== writer) {
      return undefined;
    }
    const copy = structuredClone(patch);
    // Not shown before the file took it: a refused change (a window fenced off) is never announced.
    const stored = await this.commitIf(id, (run) =>
      run?.writer === writer ? { ...run, ...copy, id } : undefined,
    );
    return stored;
  }

  /**
   * Makes `writer` the run's writer, if the run as stored is still running with the writer and the
   * bytes this window saw (`seen`): what it copied from the previous writer's file is then all
   * there is; `patch` is written with it. Undefined when refused.
   */
  async claim(
    id: string,
    writer: string,
    seen: Pick<ExportRun, 'writer' | 'bytesWritten'>,
    patch: Partial<ExportRun> = {},
  ): Promise<ExportRun | undefined> {
    const current = this.runs.get(id);
    const matches = (run: ExportRun | undefined): run is ExportRun =>
      run?.state === 'running' && run.writer === seen.writer && run.bytesWritten === seen.bytesWritten;
    if (!matches(current)) {
      return undefined;
    }
    const copy = structuredClone(patch);
    return this.commitIf(id, (stored) => (matches(stored) ? { ...stored, ...copy, writer, id } : undefined));
  }

  /**
   * Asks the window holding the lease to stop a running export (see ExportRunner.cancel): stored
   * only if the run is still running in the file and nobody asked first.
   */
  async requestCancel(id: string, keepRecords: boolean): Promise<ExportRun | undefined> {
    const current = this.runs.get(id);
    if (!current || current.state !== 'running' || current.cancelRequest) {
      return current;
    }
    const next: ExportRun = { ...current, cancelRequest: { keepRecords } };
    this.runs.set(id, next);
    await this.commit({ kind: 'updated', run: next }, (stored) =>
      stored && stored.state === 'running' && !stored.cancelRequest
        ? { ...stored, cancelRequest: { keepRecords } }
        : stored,
    );
    return this.runs.get(id);
  }

  async remove(id: string): Promise<ExportRun | undefined> {
    const removed = this.runs.get(id);
    if (removed) {
      this.runs.delete(id);
      await this.commit({ kind: 'removed', run: removed }, () => undefined);
    }
    return removed;
  }

  /** Resolves once every change made so far is in the file. */
  flushed(): Promise<void> {
    return this.lastWrite;
  }

  /** Resolves once the changes made so far are written. */
  protected override onDispose(): Promise<void> {
    this.subscription.dispose();
    this.changes.dispose();
    return this.flushed();
  }

  /**
   * Writes one change of this window: `apply` turns the run as stored now (undefined: none) into
   * what is to be stored (undefined: no run). Once this window has no other write of that run on
   * its way, it adopts the stored run, announcing what other windows had changed in it.
   */
  private async commit(
    change: ExportChange,
    apply: (stored: ExportRun | undefined) => ExportRun | undefined,
  ): Promise<boolean> {
    return this.write(change.run.id, apply, () => this.fire(change));
  }

  /**
   * Writes `change(stored run)` when it returns a run (undefined: refused, nothing written), and
   * only once the file has it adopts and announces it. Resolves with the run as stored, or
   * undefined when refused or when the file could not be written (ENOSPC, EACCES: logged).
   */
  private async commitIf(
    id: string,
    change: (stored: ExportRun | undefined) => ExportRun | undefined,
  ): Promise<ExportRun | undefined> {
    let accepted: ExportRun | undefined;
    const landed = await this.write(
      id,
      (stored) => {
        accepted = change(stored);
        return accepted ?? stored;
      },
      undefined,
      () => {
        if (accepted) {
          // Before settle() runs: it then finds this window's copy equal to the stored run.
          this.runs.set(id, accepted);
          this.fire({ kind: 'updated', run: accepted });
        }
      },
    );
    return landed ? accepted : undefined;
  }

  /**
   * One write of run `id`: `apply` turns the run as stored into what is to be stored.
   * `before` runs once the write is queued, `after` once the file has it. Resolves with
   * whether the file was written.
   */
  private async write(
    id: string,
    apply: (stored: ExportRun | undefined) => ExportRun | undefined,
    before?: () => void,
    after?: () => void,
  ): Promise<boolean> {
    this.pending.set(id, (this.pending.get(id) ?? 0) + 1);
    let stored: ExportRun | undefined;
    // One write at a time, each merged into the latest file: this run only, the others as stored.
    const write = this.lastWrite.then(async () => {
      await this.file.modify((latest) => {
        const runs = readRuns(latest, this.logger);
        const others = runs.filter((run) => run.id !== id);
        stored = apply(runs.find((run) => run.id === id));
        const document: StoredExports = { version: 1, exports: stored ? [...others, stored] : others };
        return document;
      });
      after?.();
    });
    void write.then(
      () => this.settle(id, stored),
      () => this.settle(id, undefined, false),
    );
    this.lastWrite = write.catch((error: unknown) =>
      this.logger.error(`Could not save the exports: ${errorMessage(error)}`),
    );
    before?.();
    await this.lastWrite;
    return write.then(
      () => true,
      () => false,
    );
  }

  /** A write of run `id` ended; after the last one, the stored run (if written) is adopted. */
  private settle(id: string, stored: ExportRun | undefined, written = true): void {
    const left = (this.pending.get(id) ?? 1) - 1;
    if (left > 0) {
      this.pending.set(id, left);
      return;
    }
    this.pending.delete(id);
    if (!written) {
      return;
    }
    const mine = this.runs.get(id);
    if (stored && (!mine || !jsonEqual(mine, stored))) {
      this.runs.set(id, stored);
      this.fire({ kind: mine ? 'updated' : 'added', run: stored, external: true });
    } else if (!stored && mine) {
      this.runs.delete(id);
      this.fire({ kind: 'removed', run: mine, external: true });
    }
  }

  /** Takes in what other windows changed in the file (the file watcher calls it too). */
  sync(): void {
    const stored = new Map(this.readFile().map((run) => [run.id, run]));
    for (const [id, run] of stored) {
      if (this.pending.has(id)) {
        continue;
      }
      const mine = this.runs.get(id);
      if (!mine || !jsonEqual(mine, run)) {
        this.runs.set(id, run);
        this.fire({ kind: mine ? 'updated' : 'added', run, external: true });
      }
    }
    for (const [id, run] of [...this.runs]) {
      if (!stored.has(id) && !this.pending.has(id)) {
        this.runs.delete(id);
        this.fire({ kind: 'removed', run, external: true });
      }
    }
  }

  private fire(change: ExportChange): void {
    this.changes.fire(change);
  }

  /** The stored runs; when the file cannot be read or used, the runs known so far (warned). */
  private readFile(): ExportRun[] {
    try {
      return readRuns(this.file.read(), this.logger);
    } catch (error) {
      this.logger.warn(`Could not read the exports: ${errorMessage(error)}.`);
      // During construction nothing is known yet (runs is not set).
      return [...((this.runs as Map<string, ExportRun> | undefined)?.values() ?? [])];
    }
  }
}

/**
 * The readable runs of a stored document (unreadable runs are skipped with a warning). A document
 * in an unknown format (a newer release) throws, so nobody writes over it; one of the wrong shape
 * throws UnusableContentError, so the next write moves it aside (see SharedJsonFile.modify).
 */
function readRuns(raw: unknown, logger: Logger): ExportRun[] {
  if (raw === undefined) {
    return [];
  }
  const document = raw as Partial<StoredExports> | null;
  if (
    typeof document === 'object' &&
    document !== null &&
    typeof document.version === 'number' &&
    document.version !== 1
  ) {
    throw new Error(
      `the exports file is in format ${document.version}, which this version of Creator Bulk Jobs does not know. ` +
        'Update the extension (or reload this window) to change exports; the file was left as it is',
    );
  }
  if (
    typeof document !== 'object' ||
    document === null ||
    document.version !== 1 ||
    !Array.isArray(document.exports)
  ) {
    throw new UnusableContentError('it is not a list of exports');
  }
  const runs = document.exports.filter(isExportRun);
  if (runs.length < document.exports.length) {
    logger.warn(`Ignoring ${document.exports.length - runs.length} unreadable stored export(s).`);
  }
  return runs;
}

function isExportRun(value: unknown): value is ExportRun {
  const run = value as Partial<ExportRun> | null;
  return (
    typeof run === 'object' &&
    run !== null &&
    typeof run.id === 'string' &&
    typeof run.accountId === 'string' &&
    typeof run.destination === 'string' &&
    typeof run.ref?.report === 'string' &&
    typeof run.ref.app === 'string' &&
    typeof run.ref.owner === 'string' &&
    STATES.has(run.state) &&
    Array.isArray(run.batches) &&
    run.batches.every((batch) => typeof batch?.key === 'string' && typeof batch.jobId === 'string') &&
    typeof run.bytesWritten === 'number' &&
    typeof run.records === 'number' &&
    typeof run.startedAt === 'number'
  );
}

// The export runs, shared by every window: one small file per run in the extension's global
// storage folder (../core/sharedCollection.ts; see ../core/sharedJsonFile.ts for why not
// globalState). Each change is a merge rule below, run on the run as stored when it is written,
// field by field, so two windows never undo each other's changes (the lease holder's progress,
// another window's cancel request); changes made by another window are announced with `external`
// set. Runs are never mutated in place.
import * as path from 'node:path';
import { errorMessage } from '../core/format';
import { Disposable, Emitter, type Event, type IDisposable } from '../core/lifecycle';
import { silentLogger, type Logger } from '../core/ports';
import { SharedCollection, type Merge } from '../core/sharedCollection';
import { UnusableContentError, type SharedJsonFile } from '../core/sharedJsonFile';
import type { ExportRun } from './model';

/** Where versions before 0.3 kept the runs (one shared file): moved into EXPORTS_FOLDER_NAME once. */
export const EXPORTS_FILE_NAME = 'exports.json';
/** The folder of the run files, next to EXPORTS_FILE_NAME. */
export const EXPORTS_FOLDER_NAME = 'exports';

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

/** Stores a new run (another window cannot have a run of a new id: a stored one is kept). */
export function addRun(run: ExportRun): Merge<ExportRun> {
  return (stored) => stored ?? run;
}

/**
 * Writes the patched fields only, onto the run as stored, so what another window changed meanwhile
 * survives (the lease holder's batches and counts; a cancel request survives progress). A run
 * another window removed stays removed.
 */
export function patchRun(id: string, patch: Partial<ExportRun>): Merge<ExportRun> {
  return (stored) => stored && { ...stored, ...patch, id };
}

/** patchRun, only while `writer` is still the run's stored writer (a fenced-off window changes nothing). */
export function patchRunAs(id: string, writer: string, patch: Partial<ExportRun>): Merge<ExportRun> {
  return (stored) => (stored?.writer === writer ? { ...stored, ...patch, id } : stored);
}

/** Whether the run is still running with the writer and the bytes a window saw. */
export function runMatches(
  run: ExportRun | undefined,
  seen: Pick<ExportRun, 'writer' | 'bytesWritten'>,
): boolean {
  return run?.state === 'running' && run.writer === seen.writer && run.bytesWritten === seen.bytesWritten;
}

/** Makes `writer` the run's writer if nothing moved since the claiming window looked. */
export function claimRun(
  id: string,
  writer: string,
  seen: Pick<ExportRun, 'writer' | 'bytesWritten'>,
  patch: Partial<ExportRun>,
): Merge<ExportRun> {
  return (stored) => (stored && runMatches(stored, seen) ? { ...stored, ...patch, writer, id } : stored);
}

/** Asks for a stop only of a run still running, and only once (the first request wins). */
export function requestRunCancel(keepRecords: boolean): Merge<ExportRun> {
  return (stored) =>
    stored && stored.state === 'running' && !stored.cancelRequest
      ? { ...stored, cancelRequest: { keepRecords } }
      : stored;
}

export const removeRun: Merge<ExportRun> = () => undefined;

export class ExportStore extends Disposable {
  private readonly runs: SharedCollection<ExportRun>;
  private readonly changes = new Emitter<ExportChange>((error) =>
    this.logger.error(`An export change listener failed: ${errorMessage(error)}`),
  );
  readonly onDidChange: Event<ExportChange> = this.changes.event;
  private readonly subscription: IDisposable;

  /** `file` is the one-file list of older versions: the runs live in a folder next to it. */
  constructor(
    file: SharedJsonFile,
    private readonly logger: Logger = silentLogger,
  ) {
    super();
    this.runs = new SharedCollection({
      dir: path.dirname(file.filePath),
      name: EXPORTS_FOLDER_NAME,
      label: 'exports',
      isItem: isExportRun,
      clock: file.clock,
      logger,
    });
    this.subscription = this.runs.onDidChange(({ kind, item, external }) =>
      this.changes.fire({ kind, run: item, ...(external ? { external } : {}) }),
    );
    this.runs.importLegacy({ file, parse: (raw) => readRuns(raw, logger).map((run) => [run.id, run]) });
  }

  all(): ExportRun[] {
    return this.runs.all();
  }

  get(id: string): ExportRun | undefined {
    return this.runs.get(id);
  }

  /** The run one of whose batches is this job. */
  byJobKey(key: string): ExportRun | undefined {
    return this.all().find((run) => run.batches.some((batch) => batch.key === key));
  }

  async add(run: ExportRun): Promise<void> {
    await this.write(run.id, addRun(structuredClone(run)));
  }

  /** Merges `patch` into the run (a property set to undefined is cleared): see patchRun. */
  async update(id: string, patch: Partial<ExportRun>): Promise<ExportRun | undefined> {
    if (!this.runs.get(id)) {
      return undefined;
    }
    await this.write(id, patchRun(id, structuredClone(patch)));
    return this.runs.get(id);
  }

  /**
   * Like update, but written only while `writer` is still the run's stored writer (checked under
   * the run's lock): a window that lost the run (paused past its lease, then woke up) changes
   * nothing. Undefined when the write was refused (the run as stored is then taken in).
   */
  async updateAs(id: string, writer: string, patch: Partial<ExportRun>): Promise<ExportRun | undefined> {
    if (this.runs.get(id)?.writer !== writer) {
      return undefined;
    }
    // Not shown before the file took it: a refused change (a window fenced off) is never announced.
    return this.write(id, patchRunAs(id, writer, structuredClone(patch)), false);
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
    if (!runMatches(this.runs.get(id), seen)) {
      return undefined;
    }
    return this.write(id, claimRun(id, writer, seen, structuredClone(patch)), false);
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
    await this.write(id, requestRunCancel(keepRecords));
    return this.runs.get(id);
  }

  async remove(id: string): Promise<ExportRun | undefined> {
    const removed = this.runs.get(id);
    if (removed) {
      await this.write(id, removeRun);
    }
    return removed;
  }

  /** Takes in what other windows changed (the folder's watcher calls it too, per run). */
  sync(): void {
    this.runs.sync();
  }

  /** Resolves once every change made so far is stored. */
  flushed(): Promise<void> {
    return this.runs.flushed();
  }

  /** Resolves once the changes made so far are written. */
  protected override onDispose(): Promise<void> {
    this.subscription.dispose();
    this.changes.dispose();
    return this.runs.dispose();
  }

  /**
   * Writes one change; resolves with the run as stored when the merge was accepted, undefined when
   * it was refused or could not be written (ENOSPC, EACCES: logged; this window then shows what
   * is stored).
   */
  private async write(
    id: string,
    merge: Merge<ExportRun>,
    optimistic = true,
  ): Promise<ExportRun | undefined> {
    try {
      const written = await this.runs.change(id, merge, optimistic);
      return written.accepted ? written.item : undefined;
    } catch (error) {
      this.logger.error(`Could not save the exports: ${errorMessage(error)}`);
      return undefined;
    }
  }
}

/**
 * The readable runs of the one-file list of older versions (unreadable runs are skipped with a
 * warning). A document in an unknown format (a newer release) throws, so it is left as it is; one of
 * the wrong shape throws UnusableContentError, so it is moved aside (see ../core/legacyList.ts).
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

// The export runs, persisted on every change (globalState) and announced by events. Like the job
// store, runs are never mutated in place: each change stores a new object.
import { errorMessage } from '../core/format';
import { Emitter, silentLogger, type Disposable, type KeyValueStore, type Logger } from '../core/ports';
import type { Event } from '../jobs/serviceApi';
import type { ExportRun } from './model';

export const EXPORTS_STATE_KEY = 'creatorBulkJobs.exports';

export interface ExportChange {
  kind: 'added' | 'updated' | 'removed';
  run: ExportRun;
}

const STATES: ReadonlySet<unknown> = new Set(['running', 'completed', 'failed', 'cancelled', 'interrupted']);

export class ExportStore implements Disposable {
  private readonly runs: Map<string, ExportRun>;
  private readonly changes = new Emitter<ExportChange>();
  readonly onDidChange: Event<ExportChange> = this.changes.event;
  private lastWrite: Promise<void> = Promise.resolve();

  constructor(
    private readonly storage: KeyValueStore,
    private readonly logger: Logger = silentLogger,
  ) {
    this.runs = new Map(this.load().map((run) => [run.id, run]));
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
    await this.commit({ kind: 'added', run: added });
  }

  async update(id: string, patch: Partial<ExportRun>): Promise<ExportRun | undefined> {
    const current = this.runs.get(id);
    if (!current) {
      return undefined;
    }
    const next: ExportRun = { ...current, ...structuredClone(patch), id };
    this.runs.set(id, next);
    await this.commit({ kind: 'updated', run: next });
    return next;
  }

  async remove(id: string): Promise<ExportRun | undefined> {
    const removed = this.runs.get(id);
    if (removed) {
      this.runs.delete(id);
      await this.commit({ kind: 'removed', run: removed });
    }
    return removed;
  }

  dispose(): void {
    this.changes.dispose();
  }

  private async commit(change: ExportChange): Promise<void> {
    // One write at a time, each saving the state as it is when it starts: never an older snapshot last.
    const write = this.lastWrite.then(() =>
      this.storage.update(EXPORTS_STATE_KEY, { version: 1, exports: this.all() }),
    );
    this.lastWrite = write.catch((error: unknown) =>
      this.logger.error(`Could not save the exports: ${errorMessage(error)}`),
    );
    try {
      this.changes.fire(change);
    } catch (error) {
      this.logger.error(`An export change listener failed: ${errorMessage(error)}`);
    }
    await this.lastWrite;
  }

  private load(): ExportRun[] {
    const raw = this.storage.get<{ version?: unknown; exports?: unknown }>(EXPORTS_STATE_KEY);
    if (raw === undefined) {
      return [];
    }
    if (typeof raw !== 'object' || raw === null || raw.version !== 1 || !Array.isArray(raw.exports)) {
      this.logger.warn('Ignoring the stored exports: not in a format this version understands.');
      return [];
    }
    const runs = raw.exports.filter(isExportRun);
    if (runs.length < raw.exports.length) {
      this.logger.warn(`Ignoring ${raw.exports.length - runs.length} unreadable stored export(s).`);
    }
    return runs;
  }
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

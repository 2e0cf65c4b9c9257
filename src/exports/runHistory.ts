// The run history of saved exports (issue 20.3): what each run of a definition did, kept beside the
// other shared state in one SharedCollection (../core/sharedCollection.ts), one small file per
// definition holding its newest HISTORY_CAP runs, newest first. One write per finished run (the
// window that wrote the run's file records it, see ./runCompletion.ts); two windows recording at
// once merge under the definition's lock (recordRunMerge), so neither run is lost.
import { errorMessage } from '../core/format';
import { Disposable, Emitter, type Event } from '../core/lifecycle';
import { silentLogger, type Clock, type Logger } from '../core/ports';
import { SharedCollection, type Merge } from '../core/sharedCollection';
import type { ExportRun, ExportRunState } from './model';

/** The history folder, next to the exports' folder (./exportStore.ts). */
export const HISTORY_FOLDER_NAME = 'run-history';
/** Runs kept per definition: older ones are dropped when a new one is recorded. */
export const HISTORY_CAP = 50;

export type FinishedState = Exclude<ExportRunState, 'running'>;

/** One finished run of a definition, as the tree and Compare with Previous Run read it. */
export interface RunRecord {
  /** The export run's id (ExportRun.id). */
  id: string;
  definition: string;
  /** The definitions file it is saved in (absent on runs recorded before it was kept). */
  definitionsFile?: string;
  accountId: string;
  /** `app / report` */
  report: string;
  state: FinishedState;
  mode: 'full' | 'incremental';
  /** The criteria actually sent with the first batch (undefined: every record). */
  criteria?: string;
  startedAt: number;
  finishedAt: number;
  durationMs: number;
  records: number;
  /** An incremental definition's run: the records in its snapshot after it (`file` is that snapshot). */
  snapshotRecords?: number;
  /** Set by an incremental (or reconciling) run: see ./model.ts. */
  added?: number;
  changed?: number;
  removed?: number;
  bytes: number;
  /** Status calls spent on the run's batches by the window(s) that polled them and recorded here. */
  statusCalls: number;
  /** Bulk read jobs created for the run (one per batch). */
  creates: number;
  /** The file the run left (the merged CSV, or the partial file a stop kept). */
  file?: string;
  /** sha256 of `file` as verified at completion (hex). */
  sha256?: string;
  /** Why it stopped (failed, interrupted, cancelled). */
  error?: string;
}

/**
 * A definition's history key: its name within its definitions file, so that two workspaces'
 * "Nightly backup" keep their own runs (and Compare never pairs runs of different projects).
 */
export function historyKey(run: Pick<RunRecord, 'definition' | 'definitionsFile'>): string {
  return run.definitionsFile ? `${run.definition} @ ${run.definitionsFile}` : run.definition;
}

export interface DefinitionHistory {
  definition: string;
  definitionsFile?: string;
  /** Newest first, at most HISTORY_CAP. */
  runs: RunRecord[];
}

/** Adds `record` to its definition's history (once per run id), newest first, capped. */
export function recordRunMerge(record: RunRecord, cap = HISTORY_CAP): Merge<DefinitionHistory> {
  return (stored) => {
    const others = (stored?.runs ?? []).filter((run) => run.id !== record.id);
    const runs = [...others, record]
      .sort((a, b) => b.startedAt - a.startedAt || b.finishedAt - a.finishedAt || (a.id < b.id ? -1 : 1))
      .slice(0, cap);
    return { definition: record.definition, definitionsFile: record.definitionsFile, runs };
  };
}

/** What the run's record says, from the run as finished and what this window counted. */
export function runRecordOf(
  run: ExportRun & { definition: string },
  spent: { statusCalls: number },
  sha256?: string,
): RunRecord {
  const finishedAt = run.finishedAt ?? run.startedAt;
  // An incremental definition's run is recorded by its snapshot as of the run (the report then),
  // not by its own records (only what changed): that is what a user opens and compares.
  const file = run.changes?.snapshotCopy ?? (run.state === 'completed' ? run.destination : run.keptPath);
  // The criteria actually sent (an incremental run's holds its Modified_Time condition).
  const sent = run.query.criteria;
  const record: RunRecord = {
    id: run.id,
    definition: run.definition,
    accountId: run.accountId,
    report: `${run.ref.app} / ${run.ref.report}`,
    state: run.state === 'running' ? 'interrupted' : run.state,
    mode: run.mode === 'incremental' ? 'incremental' : 'full',
    startedAt: run.startedAt,
    finishedAt,
    durationMs: Math.max(0, finishedAt - run.startedAt),
    records: run.records,
    bytes: run.bytesWritten,
    statusCalls: spent.statusCalls,
    creates: run.batches.length,
  };
  const optional: Partial<RunRecord> = {
    definitionsFile: run.definitionsFile,
    snapshotRecords: run.changes?.snapshotCopy ? run.changes.snapshotRecords : undefined,
    criteria: sent || undefined,
    added: run.changes?.added,
    changed: run.changes?.changed,
    removed: run.changes?.removed,
    file,
    sha256: run.changes?.snapshotCopy ? run.changes.snapshotSha256 : sha256,
    error: run.error,
  };
  for (const [key, value] of Object.entries(optional)) {
    if (value !== undefined) {
      (record as unknown as Record<string, unknown>)[key] = value;
    }
  }
  return record;
}

/** Which definition's run is about to start, and how it fetches (./exportRunner.ts, LastRunOf). */
export interface LastRunQuery {
  definition: string;
  definitionsFile?: string;
  mode: 'full' | 'incremental';
}

/** What the last run says of the next (polling that learns: src/jobs/pollPolicy.ts). */
export interface LastRunFigures {
  /** How long its first batch ran, creation to completion seen (ms). */
  firstBatchMs: number;
  /** Records it read. */
  records?: number;
}

/**
 * The figures of the newest completed run of `query`'s definition in the same mode (an incremental
 * run is much shorter than a full one). The history keeps each run's whole duration and its batches,
 * so a batch's time is their quotient (batches read the same number of records but the last).
 */
export function lastRunFigures(runs: RunRecord[], mode: LastRunQuery['mode']): LastRunFigures | undefined {
  const last = runs.find((run) => run.state === 'completed' && run.mode === mode);
  if (!last || last.creates < 1 || last.durationMs <= 0) {
    return undefined;
  }
  return { firstBatchMs: last.durationMs / last.creates, records: last.records };
}

export interface RunHistoryChange {
  /** The history key (historyKey). */
  definition: string;
  external: boolean;
}

/** The read side the views and commands use. */
export interface RunHistoryApi {
  readonly onDidChange: Event<RunHistoryChange>;
  /** Keys (historyKey) of the definitions with at least one recorded run, sorted by name. */
  definitions(): string[];
  /** A definition's runs by its key, newest first. */
  runsOf(key: string): RunRecord[];
  /** The run recorded before `runId` of the same definition (undefined: it is the oldest). */
  previousOf(key: string, runId: string): RunRecord | undefined;
}

export class RunHistory extends Disposable implements RunHistoryApi {
  private readonly items: SharedCollection<DefinitionHistory>;
  private readonly changes = new Emitter<RunHistoryChange>();
  readonly onDidChange: Event<RunHistoryChange> = this.changes.event;

  /** `dir` is the shared storage folder (the one holding `exports/`). */
  constructor(
    dir: string,
    clock: Clock,
    private readonly logger: Logger = silentLogger,
  ) {
    super();
    this.items = new SharedCollection({
      dir,
      name: HISTORY_FOLDER_NAME,
      label: 'run history',
      isItem: isDefinitionHistory,
      clock,
      logger,
    });
    this.items.onDidChange(({ key, external }) => this.changes.fire({ definition: key, external }));
  }

  definitions(): string[] {
    return this.items
      .entries()
      .sort(
        ([a, first], [b, second]) => first.definition.localeCompare(second.definition) || a.localeCompare(b),
      )
      .map(([key]) => key);
  }

  runsOf(key: string): RunRecord[] {
    return this.items.get(key)?.runs ?? [];
  }

  previousOf(key: string, runId: string): RunRecord | undefined {
    const runs = this.runsOf(key);
    const index = runs.findIndex((run) => run.id === runId);
    return index < 0 ? undefined : runs[index + 1];
  }

  lastRunOf(query: LastRunQuery): LastRunFigures | undefined {
    return lastRunFigures(this.runsOf(historyKey(query)), query.mode);
  }

  /** Records a finished run (logged, never thrown: a history that cannot be written costs no export). */
  async record(record: RunRecord): Promise<void> {
    try {
      await this.items.change(historyKey(record), recordRunMerge(record));
    } catch (error) {
      this.logger.warn(`Could not record the run of ${record.definition}: ${errorMessage(error)}`);
    }
  }

  /** Takes in what other windows recorded. */
  sync(): void {
    this.items.sync();
  }

  flushed(): Promise<void> {
    return this.items.flushed();
  }

  protected override onDispose(): Promise<void> {
    this.changes.dispose();
    return this.items.dispose();
  }
}

function isRunRecord(value: unknown): value is RunRecord {
  const run = value as Partial<RunRecord> | null;
  return (
    typeof run === 'object' &&
    run !== null &&
    typeof run.id === 'string' &&
    typeof run.definition === 'string' &&
    typeof run.startedAt === 'number' &&
    typeof run.finishedAt === 'number' &&
    typeof run.records === 'number' &&
    typeof run.state === 'string'
  );
}

function isDefinitionHistory(value: unknown): value is DefinitionHistory {
  const item = value as Partial<DefinitionHistory> | null;
  return (
    typeof item === 'object' &&
    item !== null &&
    typeof item.definition === 'string' &&
    Array.isArray(item.runs) &&
    item.runs.every(isRunRecord)
  );
}

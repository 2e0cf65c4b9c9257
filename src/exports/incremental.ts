// Incremental exports of a definition (`"mode": "incremental"`): the first run and every
// `fullRunEvery` days a full run (the whole report, its IDs reconciled with the snapshot so
// deletions are found); the runs between ask Zoho only for `Modified_Time > "<last successful
// run's start minus a safety overlap>"`, the literal in the app's date format and time zone
// (docs/zoho-bulk-read-api.md, "Incremental extraction"). Each run's records are upserted by ID
// into the snapshot at the definition's destination (./snapshot.ts). What the runs need to know of
// each other is kept beside the snapshot, in `<snapshot>.runs/state.json`, written after the
// snapshot: a crash between the two only makes the next run look back further.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { replaceFile } from '../core/atomicFile';
import { errorMessage } from '../core/format';
import {
  DEFAULT_DATE_FORMAT,
  formatDateTimeLiteral,
  isKnownDateFormat,
  isTimeZone,
} from '../zoho/dateFormat';
import type { Application } from '../zoho/types';
import { headerColumns } from './csvRecords';
import type { ExportRun } from './model';
import { ExportStop } from './runParts';
import type * as SnapshotModule from './snapshot';

/** ./snapshot.ts (and node:readline) with the first incremental run, not at window start (esbuild.js, buildSplit). */
function snapshots(): typeof SnapshotModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('./snapshot') as typeof SnapshotModule;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Looked back before the last run's start: Modified_Time's precision and clock skew are not documented. */
export const SAFETY_OVERLAP_MS = HOUR;
/** Added when the app's time zone is unknown: the literal is then written in UTC (offsets reach ±14 h). */
export const UNKNOWN_ZONE_OVERLAP_MS = 14 * HOUR;
/** A definition's default: a full run (which finds deletions) once a week. */
export const DEFAULT_FULL_RUN_EVERY_DAYS = 7;

/** What a run of an incremental definition is asked for. */
export interface IncrementalRequest {
  /** Days between full runs (deletions are found only by these). */
  fullRunEvery: number;
  /** The user asked for a full run (Run Full Export, `--full`). */
  full?: boolean;
}

/** What the runs of one snapshot know of each other (`<snapshot>.runs/state.json`). */
export interface SnapshotState {
  /** Start of the last run whose records are in the snapshot (the runner's clock). */
  lastStartedAt: number;
  /** Start of the last full run. */
  lastFullAt: number;
  /** The snapshot's header row. */
  header: string;
  /** Records in the snapshot. */
  records: number;
  /** The app's date_format and time_zone, as the applications metadata last said (a call saved). */
  dateFormat?: string;
  timeZone?: string;
}

export interface IncrementalPlan {
  mode: 'full' | 'incremental';
  /** The criteria to send: the definition's own, with the Modified_Time condition when incremental. */
  criteria?: string;
  /** The Modified_Time literal (incremental only). */
  since?: string;
  /** The definition's own criteria. */
  ownCriteria?: string;
  /** Where this run's own records are merged (inside the runs folder). */
  runFile: string;
  /** Why this mode, for the log. */
  reason: string;
  dateFormat?: string;
  timeZone?: string;
}

/**
 * The report's export has no Modified_Time column: only full runs can keep its snapshot. When the
 * definition's "fields" leaves it out, adding it is the fix; otherwise the report itself has none.
 */
export class NoModifiedTimeError extends Error {
  /** What is wrong, without the advice (the command line words its own: `--full`). */
  readonly problem: string;
  /** The definition lists "fields" without Modified_Time: adding it is a fix. */
  readonly fieldsLackIt: boolean;
  constructor(report: string, fields?: readonly string[]) {
    const fieldsLackIt = fieldsLackModifiedTime(fields);
    const problem = fieldsLackIt
      ? `${report}'s export has no Modified_Time column (the definition's "fields" leaves it out), so an incremental export cannot find what changed.`
      : `${report} has no Modified_Time column (its last full export had none), so an incremental export cannot find what changed.`;
    super(`${problem} ${noModifiedTimeAdvice(fieldsLackIt, 'Run a full export')}`);
    this.problem = problem;
    this.fieldsLackIt = fieldsLackIt;
  }
}

function fieldsLackModifiedTime(fields: readonly string[] | undefined): boolean {
  return fields !== undefined && fields.length > 0 && !fields.includes('Modified_Time');
}

/** `runFull` is how this surface runs a full export ("Run a full export", "Run it with --full"). */
export function noModifiedTimeAdvice(fieldsLackIt: boolean, runFull: string): string {
  return fieldsLackIt
    ? `Add "Modified_Time" to "fields", or set "mode": "full" (${runFull.toLowerCase()} meanwhile).`
    : `${runFull}, or set "mode": "full" in the definition.`;
}

/**
 * Said at the end of the first (full) run of an incremental definition whose records have no
 * Modified_Time column (ExportRun.noModifiedTime): the next runs would each be refused.
 */
export function noModifiedTimeText(run: Pick<ExportRun, 'ref' | 'definition' | 'query'>): string {
  const name = run.definition ? `"${run.definition}"` : `the export of ${run.ref.report}`;
  return fieldsLackModifiedTime(run.query.fields)
    ? `${run.ref.report} was exported without a Modified_Time column (the definition's "fields" leaves it out), so later runs of ${name} cannot fetch only what changed: each would be refused. Add "Modified_Time" to "fields", or set "mode": "full".`
    : `${run.ref.report} has no Modified_Time column, so later runs of ${name} cannot fetch only what changed: each would be refused. Set "mode": "full".`;
}

/** `exports/All_Tickets.csv` → `exports/All_Tickets.csv.runs`: each run's records and changes, and the state. */
export function runsFolder(snapshot: string): string {
  return `${snapshot}.runs`;
}

function statePath(snapshot: string): string {
  return path.join(runsFolder(snapshot), 'state.json');
}

export async function readSnapshotState(snapshot: string): Promise<SnapshotState | undefined> {
  try {
    const state = JSON.parse(await fs.readFile(statePath(snapshot), 'utf8')) as SnapshotState;
    return typeof state.lastStartedAt === 'number' && typeof state.header === 'string' ? state : undefined;
  } catch {
    return undefined;
  }
}

async function writeSnapshotState(snapshot: string, state: SnapshotState): Promise<void> {
  await replaceFile(statePath(snapshot), `${JSON.stringify(state, null, 2)}\n`);
}

const stamp = (ms: number): string => new Date(ms).toISOString().replace(/[:.]/g, '').replace('T', '-');

/** The Modified_Time condition joined to the definition's own criteria. */
export function withModifiedSince(criteria: string | undefined, literal: string): string {
  const since = `Modified_Time > "${literal}"`;
  return criteria?.trim() ? `(${criteria.trim()}) && ${since}` : since;
}

/**
 * Decides how the next run of the snapshot's definition fetches. `application` reads the app's
 * metadata (one call), only when the format is not known from an earlier run.
 */
export async function planIncrementalRun(options: {
  snapshot: string;
  report: string;
  criteria?: string;
  /** The definition's "fields", if it lists them (the advice differs). */
  fields?: readonly string[];
  request: IncrementalRequest;
  now: number;
  application: () => Promise<Pick<Application, 'date_format' | 'time_zone'> | undefined>;
}): Promise<IncrementalPlan> {
  const { snapshot, request, now } = options;
  const state = await readSnapshotState(snapshot);
  const snapshotThere = await fs.stat(snapshot).then(
    () => true,
    () => false,
  );
  const full = (reason: string): IncrementalPlan => ({
    mode: 'full',
    criteria: options.criteria,
    ownCriteria: options.criteria,
    runFile: path.join(runsFolder(snapshot), `${stamp(now)}-full.csv`),
    reason,
    dateFormat: state?.dateFormat,
    timeZone: state?.timeZone,
  });
  if (request.full) {
    return full('a full run was asked for');
  }
  if (!state || !snapshotThere) {
    return full('the first run of an incremental export is full');
  }
  if (!headerColumns(state.header).includes('Modified_Time')) {
    throw new NoModifiedTimeError(options.report, options.fields);
  }
  if (now - state.lastFullAt >= request.fullRunEvery * DAY) {
    return full(
      `the last full run (which finds deleted records) is ${request.fullRunEvery} days old or more`,
    );
  }
  let dateFormat = state.dateFormat;
  let timeZone = state.timeZone;
  if (!dateFormat) {
    try {
      const app = await options.application();
      dateFormat = app?.date_format ?? DEFAULT_DATE_FORMAT;
      timeZone = app?.time_zone;
    } catch (error) {
      return full(`the app's date format could not be read (${errorMessage(error)})`);
    }
  }
  if (!isKnownDateFormat(dateFormat)) {
    return full(`the app's date format "${dateFormat}" is not one this extension can write`);
  }
  const zoneKnown = timeZone !== undefined && isTimeZone(timeZone);
  const sinceMs = state.lastStartedAt - SAFETY_OVERLAP_MS - (zoneKnown ? 0 : UNKNOWN_ZONE_OVERLAP_MS);
  const since = formatDateTimeLiteral(sinceMs, dateFormat, zoneKnown ? timeZone : 'UTC');
  return {
    mode: 'incremental',
    criteria: withModifiedSince(options.criteria, since),
    ownCriteria: options.criteria,
    since,
    runFile: path.join(runsFolder(snapshot), `${stamp(now)}-incremental.csv`),
    reason: `records modified since ${since}`,
    dateFormat,
    timeZone,
  };
}

/**
 * The snapshot step of a completed run of an incremental definition (called by RunCompletion
 * once the run's file is checked and named): merges the run's records into the snapshot and
 * records the run's changes. Nothing for other runs. Throws ExportStop when the snapshot cannot
 * be made exact; it then stays as it was.
 */
export async function applyRunToSnapshot(
  run: ExportRun,
): Promise<Pick<ExportRun, 'changes' | 'noModifiedTime'>> {
  if (!run.snapshot || !run.mode) {
    return {};
  }
  const snapshot = run.snapshot;
  const changesFile = run.destination.replace(/\.csv$/i, '') + '.changes.csv';
  const previous = await readSnapshotState(snapshot);
  try {
    const merged = await snapshots().mergeIntoSnapshot({
      runFile: run.destination,
      snapshot,
      changesFile,
      full: run.mode === 'full',
      workDir: runsFolder(snapshot),
      keepCopyAs: run.destination.replace(/\.csv$/i, '') + '.snapshot.csv',
    });
    await writeSnapshotState(snapshot, {
      lastStartedAt: run.startedAt,
      lastFullAt: run.mode === 'full' ? run.startedAt : (previous?.lastFullAt ?? run.startedAt),
      header: merged.header,
      records: merged.records,
      dateFormat: run.dateFormat ?? previous?.dateFormat,
      timeZone: run.timeZone ?? previous?.timeZone,
    });
    await pruneRunsFolder(snapshot);
    const copyBytes = merged.copy ? (await fs.stat(merged.copy).catch(() => undefined))?.size : undefined;
    return {
      // Said now, not when the next run is refused (issue 20: "say so ... when run").
      ...(!headerColumns(merged.header).includes('Modified_Time') && { noModifiedTime: true }),
      changes: {
        added: merged.added,
        changed: merged.changed,
        removed: merged.removed,
        file: changesFile,
        snapshotCopy: merged.copy,
        snapshotSha256: merged.sha256,
        snapshotRecords: merged.records,
        snapshotBytes: copyBytes,
      },
    };
  } catch (error) {
    await fs.rm(changesFile, { force: true });
    throw new ExportStop(
      'failed',
      `${run.ref.report} was exported, but the snapshot ${path.basename(snapshot)} was left as it was: ${errorMessage(error)}`,
    );
  }
}

/** A file of a run in the runs folder starts with the run's start stamp (so names sort by age), then its mode. */
export const RUN_STAMP = /^(\d{4}-\d{2}-\d{2}-\d{9}Z)-(?:full|incremental)/;

/** Snapshot copies kept: this run's and the one before (Compare with Previous Run needs both). */
export const KEPT_SNAPSHOT_COPIES = 2;
/** Runs whose own records and record of changes are kept. */
export const KEPT_RUN_FILES = 10;

/**
 * Removes what older runs left in the runs folder: each snapshot copy costs as much disk as the
 * snapshot once the snapshot moves on. Names start with the run's start stamp, so they sort by age.
 * A file that cannot be removed is left for the next run.
 */
async function pruneRunsFolder(snapshot: string): Promise<void> {
  const folder = runsFolder(snapshot);
  const names = await fs.readdir(folder).catch(() => [] as string[]);
  const stamps = [...new Set(names.map((name) => RUN_STAMP.exec(name)?.[1]).filter((s) => s !== undefined))]
    .sort()
    .reverse();
  const keepCopies = new Set(stamps.slice(0, KEPT_SNAPSHOT_COPIES));
  const keepRuns = new Set(stamps.slice(0, KEPT_RUN_FILES));
  const doomed = names.filter((name) => {
    const at = RUN_STAMP.exec(name)?.[1];
    return at !== undefined && (!keepRuns.has(at) || (name.endsWith('.snapshot.csv') && !keepCopies.has(at)));
  });
  await Promise.all(
    doomed.map((name) => fs.rm(path.join(folder, name), { force: true }).catch(() => undefined)),
  );
}

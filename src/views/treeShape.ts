// The jobs tree as data: exports first (newest on top) with their batches, then the saved exports
// that have a run history with their runs (newest first), then account -> report -> job, where a
// level with a single entry is skipped. Pure, so a test can build it from any
// sequence of store changes; the provider (./jobsTree.ts) and the pickers only read it.
//
// Two rules keep VS Code from ever seeing one element twice ("Element with id … is already
// registered"): every job has exactly one place, decided by placeOf() alone, and every row id
// names its parent's, so two rows can never share one.
import type { ExportRun } from '../exports/model';
import type { RunRecord } from '../exports/runHistory';
import type { TrackedJob } from '../jobs/model';
import type { Services } from '../services';
import { exportFileName } from './exportText';
import { formatClock, jobLabel } from './jobDescription';

export interface ReportGroup {
  /** `${accountId}|${owner}|${app}|${report}` */
  key: string;
  accountId: string;
  job: TrackedJob; // any job of the group, for its ref
}

export interface TreeShape {
  /** True when more than one account has jobs: the root lists accounts. */
  showAccounts: boolean;
  /** Accounts that have jobs, in sign-in order (unknown accounts last). */
  accountIds: string[];
  /** Report groups per account, sorted by app then report. */
  reports: Map<string, ReportGroup[]>;
}

export type Row =
  | { kind: 'account'; id: string; accountId: string }
  | { kind: 'report'; id: string; accountId: string; groupKey: string }
  | { kind: 'export'; id: string; exportId: string; label: string; fileInLabel: boolean }
  | { kind: 'job'; id: string; key: string; label: string; exportId?: string }
  | { kind: 'definition'; id: string; definition: string }
  | { kind: 'run'; id: string; definition: string; runId: string; label: string };

export interface TreeLayout {
  shape: TreeShape;
  /** Children by parent row id; '' is the root. */
  children: Map<string, Row[]>;
  /** Parent row id of each row id ('' for a root row). */
  parents: Map<string, string>;
  /** The row of each shown job, by job key. */
  jobRows: Map<string, Row & { kind: 'job' }>;
  /** Every row, depth first, in the order the tree shows them: pickers list in this order. */
  order: Row[];
  /** Changes exactly when a row is added, removed, moved, reordered or relabelled. */
  signature: string;
}

export const ROOT = '';

export function reportGroupKey(job: TrackedJob): string {
  return [job.accountId, job.ref.owner, job.ref.app, job.ref.report].join('|');
}

/**
 * The export whose row a job sits under, or undefined (its report's). The job's own `exportId`,
 * stored when it was created, decides; a batch stored by a version before 0.x (no exportId) is
 * placed by its export's list of batches. A job whose export is not (or no longer) listed sits
 * under its report, so no job is ever out of sight.
 */
export function placeOf(
  job: TrackedJob,
  exports: ReadonlyMap<string, ExportRun>,
  legacy: ReadonlyMap<string, string>,
): string | undefined {
  if (job.exportId !== undefined) {
    return exports.has(job.exportId) ? job.exportId : undefined;
  }
  return legacy.get(job.key);
}

export function computeShape(accountOrder: string[], jobs: TrackedJob[]): TreeShape {
  const reports = new Map<string, ReportGroup[]>();
  const seen = new Set<string>();
  for (const job of jobs) {
    const key = reportGroupKey(job);
    if (seen.has(key)) {
      continue;
    }
    seen.add(key);
    const list = reports.get(job.accountId) ?? [];
    list.push({ key, accountId: job.accountId, job });
    reports.set(job.accountId, list);
  }
  for (const list of reports.values()) {
    list.sort((a, b) => a.key.localeCompare(b.key));
  }
  const known = accountOrder.filter((id) => reports.has(id));
  const unknown = [...reports.keys()].filter((id) => !accountOrder.includes(id)).sort();
  const accountIds = [...known, ...unknown];
  return { showAccounts: accountIds.length > 1, accountIds, reports };
}

/** Jobs newest first (so a new batch appears on top). */
function newestFirst(a: TrackedJob, b: TrackedJob): number {
  return b.trackedAt - a.trackedAt || b.jobId.localeCompare(a.jobId);
}

/**
 * Labels that tell siblings apart: a label shared by several rows gets the first of their
 * `extras` whose values differ among them (the last extra must be unique: an id).
 */
export function distinctLabels(rows: { base: string; extras: string[] }[]): string[] {
  const byBase = new Map<string, number[]>();
  rows.forEach((row, index) => byBase.set(row.base, [...(byBase.get(row.base) ?? []), index]));
  const labels = rows.map((row) => row.base);
  for (const indexes of byBase.values()) {
    if (indexes.length < 2) {
      continue;
    }
    const extras = rows[indexes[0]].extras.length;
    let which = extras - 1;
    for (let e = 0; e < extras; e++) {
      const values = new Set(indexes.map((i) => rows[i].extras[e]));
      if (values.size === indexes.length) {
        which = e;
        break;
      }
    }
    for (const i of indexes) {
      labels[i] = `${rows[i].base} · ${rows[i].extras[which]}`;
    }
  }
  return labels;
}

function jobRowsOf(
  jobs: TrackedJob[],
  parentId: string,
  now: number,
  underReport: boolean,
): (Row & { kind: 'job' })[] {
  const labels = distinctLabels(
    jobs.map((job) => ({
      base: jobLabel(job, underReport),
      extras: [formatClock(job.trackedAt, now), formatClock(job.trackedAt, now, true), `job ${job.jobId}`],
    })),
  );
  return jobs.map((job, i) => ({
    kind: 'job',
    id: parentId ? `${parentId}/job:${job.key}` : `job:${job.key}`,
    key: job.key,
    label: labels[i],
  }));
}

export interface LayoutInput {
  /** Signed-in accounts in sign-in order. */
  accountOrder: string[];
  jobs: TrackedJob[];
  exports: ExportRun[];
  /** For start times in labels ("14:05" today, "Dec 5 14:05" before). */
  now: number;
  /** The run history of saved exports: each definition's runs, newest first. */
  history?: Array<{ definition: string; runs: RunRecord[] }>;
  /** A run's row label (../views/historyText.ts). */
  runLabel?: (run: RunRecord) => string;
}

export function layoutTree({
  accountOrder,
  jobs,
  exports,
  now,
  history = [],
  runLabel = (run) => run.id,
}: LayoutInput): TreeLayout {
  const exportsById = new Map(exports.map((run) => [run.id, run]));
  const legacy = new Map<string, string>();
  for (const run of exports) {
    for (const batch of run.batches) {
      if (!legacy.has(batch.key)) {
        legacy.set(batch.key, run.id);
      }
    }
  }
  const underExport = new Map<string, TrackedJob[]>();
  const loose: TrackedJob[] = [];
  for (const job of jobs) {
    const place = placeOf(job, exportsById, legacy);
    if (place === undefined) {
      loose.push(job);
    } else {
      underExport.set(place, [...(underExport.get(place) ?? []), job]);
    }
  }

  const children = new Map<string, Row[]>();
  const add = (parentId: string, rows: Row[]): void => {
    children.set(parentId, rows);
  };

  // Exports, newest first; a report exported more than once is told apart by file, then start.
  const runs = [...exports].sort((a, b) => b.startedAt - a.startedAt || a.id.localeCompare(b.id));
  const exportExtras = runs.map((run) => [
    exportFileName(run),
    formatClock(run.startedAt, now),
    formatClock(run.startedAt, now, true),
    run.id.slice(0, 8),
  ]);
  const exportLabels = distinctLabels(
    runs.map((run, i) => ({ base: `Export ${run.ref.report}`, extras: exportExtras[i] })),
  );
  const exportRows: Row[] = runs.map((run, i) => {
    const id = `export:${run.id}`;
    const batches = (underExport.get(run.id) ?? []).sort(
      (a, b) => a.batch - b.batch || a.trackedAt - b.trackedAt,
    );
    add(id, jobRowsOf(batches, id, now, true));
    return {
      kind: 'export',
      id,
      exportId: run.id,
      label: exportLabels[i],
      fileInLabel: exportLabels[i].endsWith(` · ${exportExtras[i][0]}`),
    };
  });

  const shape = computeShape(accountOrder, loose);
  const groupRows = (accountId: string, parentId: string): Row[] => {
    const groups = shape.reports.get(accountId) ?? [];
    if (groups.length === 1) {
      const only = loose.filter((job) => reportGroupKey(job) === groups[0].key).sort(newestFirst);
      return jobRowsOf(only, parentId, now, false);
    }
    return groups.map((group) => {
      const id = `report:${group.key}`;
      const own = loose.filter((job) => reportGroupKey(job) === group.key).sort(newestFirst);
      add(id, jobRowsOf(own, id, now, true));
      return { kind: 'report', id, accountId, groupKey: group.key };
    });
  };
  let rest: Row[];
  if (shape.showAccounts) {
    rest = shape.accountIds.map((accountId) => {
      const id = `account:${accountId}`;
      add(id, groupRows(accountId, id));
      return { kind: 'account', id, accountId };
    });
  } else {
    const only = shape.accountIds[0];
    rest = only === undefined ? [] : groupRows(only, ROOT);
  }
  // Saved exports with their runs: a run's id names its definition's, so it has one place only.
  const definitionRows: Row[] = history
    .filter((entry) => entry.runs.length > 0)
    .map(({ definition, runs }) => {
      const id = `definition:${definition}`;
      add(
        id,
        runs.map((run) => ({
          kind: 'run',
          id: `${id}/run:${run.id}`,
          definition,
          runId: run.id,
          label: runLabel(run),
        })),
      );
      return { kind: 'definition', id, definition };
    });
  add(ROOT, [...exportRows, ...definitionRows, ...rest]);

  const parents = new Map<string, string>();
  const jobRows = new Map<string, Row & { kind: 'job' }>();
  const order: Row[] = [];
  const walk = (parentId: string): void => {
    for (const row of children.get(parentId) ?? []) {
      parents.set(row.id, parentId);
      order.push(row);
      if (row.kind === 'job') {
        jobRows.set(row.key, row);
      }
      walk(row.id);
    }
  };
  walk(ROOT);
  const signature = JSON.stringify(
    order.map((row) => [row.id, parents.get(row.id), 'label' in row ? row.label : '']),
  );
  return { shape, children, parents, jobRows, order, signature };
}

/** The tree as the services hold it now: the pickers list jobs and exports in this order. */
export function layoutOf(services: Services, now: number, runLabel?: (run: RunRecord) => string): TreeLayout {
  const { history } = services;
  return layoutTree({
    accountOrder: services.accounts.list().map((account) => account.id),
    jobs: services.jobs.jobs(),
    exports: services.exports.exports(),
    now,
    history: history?.definitions().map((definition) => ({ definition, runs: history.runsOf(definition) })),
    runLabel,
  });
}

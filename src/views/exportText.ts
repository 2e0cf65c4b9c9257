// Short texts describing an export (tree row, progress, notifications). No editor API here.
import * as path from 'node:path';
import { batchesDone, elapsedMs, exportFile, isUntrusted, type ExportRun } from '../exports/model';
import { formatCount, formatDuration, formatRecords } from './jobDescription';
import { isExportUnopened } from './readyResults';

function batches(n: number): string {
  return `${n} ${n === 1 ? 'batch' : 'batches'}`;
}

/** `Batch 2 running · 100,000 records so far` */
export function exportProgressText(run: ExportRun, newest: 'running' | 'downloading' = 'running'): string {
  const done = batchesDone(run);
  const current = run.batches.length > done ? `Batch ${run.batches.length} ${newest} · ` : '';
  return `${current}${formatRecords(run.records)} so far (${batches(done)} done)`;
}

/**
 * `All_Orders exported: 250,000 records in 3 batches`; an incremental definition's run says what it
 * changed in its snapshot: `All_Tickets.csv updated by an incremental run: +4 added, ~6 changed,
 * −0 removed; it has 304 records (10 read in 1 batch)`.
 */
export function exportFinishedText(run: ExportRun): string {
  const read = `${formatRecords(run.records)} ${run.changes ? 'read ' : ''}in ${batches(run.batches.length)}`;
  if (!run.changes || !run.snapshot) {
    return `${run.ref.report} exported: ${read}`;
  }
  const { added, changed, removed, snapshotRecords } = run.changes;
  const has = snapshotRecords === undefined ? '' : `; it has ${formatRecords(snapshotRecords)}`;
  return `${path.basename(run.snapshot)} updated by ${run.mode === 'full' ? 'a full' : 'an incremental'} run: +${formatCount(added)} added, ~${formatCount(changed)} changed, −${formatCount(removed)} removed${has} (${read})`;
}

/**
 * The file an export row names: the merged CSV (`All_Orders_2026-12-06.csv`); for an incremental
 * definition's run, the snapshot it updates (`All_Tickets.csv (incremental run)`), not the run's own
 * records in the runs folder.
 */
export function exportFileName(run: ExportRun): string {
  return run.snapshot
    ? `${path.basename(run.snapshot)} (${run.mode ?? 'incremental'} run)`
    : path.basename(exportFile(run) ?? run.destination);
}

/**
 * Tree row description: state, batches done, records so far, elapsed time, then the file it writes
 * (`All_Orders_2026-12-06.csv`), unless the row's label names it already.
 */
export function exportDescription(run: ExportRun, now: number, withFile = true): string {
  const state = exportState(run, now);
  return withFile ? `${state} · ${exportFileName(run)}` : state;
}

/** `250,000 records`; an incremental definition's run: what it changed, and its snapshot's records. */
function completedRecords(run: ExportRun): string {
  const { changes } = run;
  if (!changes?.snapshotCopy || changes.snapshotRecords === undefined) {
    return formatRecords(run.records);
  }
  return `+${formatCount(changes.added)} ~${formatCount(changes.changed)} −${formatCount(changes.removed)} · ${formatRecords(changes.snapshotRecords)}`;
}

function exportState(run: ExportRun, now: number): string {
  const elapsed = formatDuration(elapsedMs(run, now));
  const done = batchesDone(run);
  switch (run.state) {
    case 'running':
      return `running · ${batches(done)} done · ${formatCount(run.records)} records · ${elapsed}`;
    case 'completed':
      if (isUntrusted(run)) {
        // The whole problem is in the tooltip (and said when the file is opened).
        return `not trusted · the file changed since the export · Restart Export to read it again`;
      }
      if (run.replacedBy !== undefined) {
        // A later run of the same file replaced it, as the user asked: nothing to open here.
        return `${completedRecords(run)} · ${batches(done)} · file replaced by a later run · ${elapsed}`;
      }
      // "ready" as on a job row: the merged file has not been opened or revealed yet.
      return `${completedRecords(run)} · ${batches(done)} · ${isExportUnopened(run) ? 'ready · ' : ''}${elapsed}`;
    case 'cancelled':
      // cancelRequest: the records are still being kept or removed (see RunCompletion.stop, src/exports/runCompletion.ts).
      if (run.cancelRequest) {
        return `cancelled · ${run.cancelRequest.keepRecords ? 'keeping' : 'discarding'} ${formatCount(run.records)} records…`;
      }
      return `cancelled · ${formatCount(run.records)} records ${run.keptPath ? 'kept' : 'discarded'}`;
    case 'interrupted':
      return `interrupted · ${formatCount(run.records)} records kept`;
    default:
      return `failed · ${batches(done)} done`;
  }
}

// What Compare with Previous Run (src/commands/compareRuns.ts) can say about its two sides when
// they are incremental runs' snapshot copies (./incremental.ts keeps only the newest few, and
// every writer of the snapshot, the command line too, makes them; only the editor's runs are in
// its history, ./runHistory.ts).
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { KEPT_SNAPSHOT_COPIES, RUN_STAMP } from './incremental';
import type { RunRecord } from './runHistory';

type Side = Pick<RunRecord, 'file' | 'sha256'>;

/** The run's start stamp when its file is a snapshot copy in a runs folder (`….csv.runs/<stamp>-full.snapshot.csv`). */
function copyStamp(file: string | undefined): string | undefined {
  if (!file || !path.dirname(file).endsWith('.runs') || !file.endsWith('.snapshot.csv')) {
    return undefined;
  }
  return RUN_STAMP.exec(path.basename(file))?.[1];
}

/** Why the previous run's file cannot be compared (it is gone, or the current run replaced it), in words. */
export function previousGoneReason(previous: Side, current: Side): string {
  if (previous.file && previous.file === current.file && previous.sha256 !== current.sha256) {
    return `this run wrote the same file, ${path.basename(previous.file)}, so the previous records are no longer there (a {date} or {time} in the definition's destination keeps each run's file)`;
  }
  if (copyStamp(previous.file)) {
    return `the snapshot as of that run was removed: only the newest ${KEPT_SNAPSHOT_COPIES} runs' snapshots are kept, and runs from the command line count too (they update the same snapshot, but this window's history does not list them)`;
  }
  return previous.file ? `${path.basename(previous.file)} no longer exists` : 'it left no file';
}

/**
 * Runs that updated the snapshot between two runs of the history's (from the command line, or
 * another workspace's history): their files in the runs folder have stamps between the two.
 * The compare then counts their changes too. 0 when the sides are not snapshot copies.
 */
export async function runsInBetween(previous: Side, current: Side): Promise<number> {
  const from = copyStamp(previous.file);
  const to = copyStamp(current.file);
  if (!from || !to || path.dirname(previous.file ?? '') !== path.dirname(current.file ?? '')) {
    return 0;
  }
  const names = await fs.readdir(path.dirname(current.file ?? '')).catch(() => [] as string[]);
  const stamps = new Set(names.map((name) => RUN_STAMP.exec(name)?.[1]));
  return [...stamps].filter((stamp) => stamp !== undefined && stamp > from && stamp < to).length;
}

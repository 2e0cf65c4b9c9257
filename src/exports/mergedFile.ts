// The merged file of an export run, on disk: each batch's CSV appended to the run's working file
// (header once, records counted on the way, ./appendCsv.ts), the copy a window taking the run over
// makes of it (fenced: ./workingFile.ts), the check that it holds exactly the bytes and records the
// run recorded, its final name, and what is kept of it when the run stops. It knows the run's
// record (../exports/model.ts) and nothing of jobs, stores or windows, so it is tested on its own
// (test/unit/exports/mergedFile.test.ts). Part of ExportRunner (./exportRunner.ts).
import { createHash } from '../core/nodeCrypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { capitalise, errorMessage } from '../core/format';
import type { Logger } from '../core/ports';
import type * as AppendCsvModule from './appendCsv';
import type { AppendOutcome } from './appendCsv';
import { exportFile, exportFileFigures, partialPath, workingPath, type ExportRun } from './model';
import { isDiskFull } from '../core/diskFull';
import { ExportStop, batchName, diskFullText, freeBytes, freeName } from './runParts';
import { copyPrefix, exists, mismatch, publish } from './workingFile';

/** ./appendCsv.ts (and node:stream) with the first batch merged, not at window start (esbuild.js, buildSplit). */
function csv(): typeof AppendCsvModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('./appendCsv') as typeof AppendCsvModule;
}

/** One completed batch to append: its job's key, its CSV, and the records Zoho counted in it. */
export interface BatchFile {
  key: string;
  path: string;
  bytes: number;
  records: number;
}

/**
 * What a window taking a run over found: `ready` (its own copy made, or nothing to copy), `diskFull`
 * (no room for the copy: nothing was changed), or `unusable` (the recorded bytes are not there).
 */
export type TakeoverCopy =
  { kind: 'ready' } | { kind: 'diskFull'; room: number | undefined } | { kind: 'unusable'; problem: string };

export class MergedFileWriter {
  constructor(
    private readonly logger: Logger,
    /** Bytes free in a folder (undefined: cannot tell); a test seam, statfs by default. */
    private readonly freeBytesIn: (folder: string) => Promise<number | undefined> = freeBytes,
  ) {}

  /** Creates the working file of a new run's writer, empty (cut to nothing if it is there). */
  async begin(destination: string, writer: string): Promise<string> {
    const working = workingPath({ destination, writer });
    await fs.mkdir(path.dirname(working), { recursive: true });
    await csv().truncateTo(working, 0);
    return working;
  }

  /**
   * Appends `batch` to the run's working file after the bytes the run recorded (anything after
   * them, a half-written append, is cut first). Throws ExportStop when the batch cannot be part of
   * an exact file: other columns, a full disk, cut short, or not the records Zoho counted.
   */
  async append(run: ExportRun, batch: BatchFile, signal?: AbortSignal): Promise<AppendOutcome> {
    let outcome: AppendOutcome;
    try {
      outcome = await csv().appendCsv(batch.path, workingPath(run), run.bytesWritten, run.header, signal);
    } catch (error) {
      if (error instanceof csv().HeaderMismatchError) {
        throw new ExportStop(
          'failed',
          `${capitalise(batchName(run, batch.key))} cannot be merged: ${error.message}.`,
        );
      }
      if (isDiskFull(error)) {
        throw new ExportStop('interrupted', (stopped) => diskFullText(stopped, batch.key, batch.bytes));
      }
      throw error;
    }
    if (outcome.endsInQuotes) {
      throw new ExportStop(
        'failed',
        `${capitalise(batchName(run, batch.key))} ends inside a quoted value, so it was cut short; the export was not kept. Run it again.`,
      );
    }
    if (outcome.records !== batch.records) {
      // Checked at download too: this catches a batch file changed on disk since.
      throw new ExportStop(
        'failed',
        `${capitalise(batchName(run, batch.key))} holds ${outcome.records.toLocaleString('en-US')} records but Zoho counted ${batch.records.toLocaleString('en-US')}; the export was not kept. Run it again.`,
      );
    }
    return outcome;
  }

  /**
   * Makes `writer`'s own working file from the run's: the recorded bytes of the previous writer's
   * file, copied, so a previous writer paused mid-append wakes up to a file nobody reads. Room for
   * the copy first: a copy that fills the disk must not cost the only copy.
   */
  async copyForTakeover(run: ExportRun, writer: string): Promise<TakeoverCopy> {
    const previous = workingPath(run);
    const mine = workingPath({ destination: run.destination, writer });
    if (await exists(previous)) {
      const room = await this.freeBytesIn(path.dirname(previous));
      const copied =
        room !== undefined && room < run.bytesWritten
          ? 'full'
          : await copyPrefix(previous, mine, run.bytesWritten).then(
              () => 'done',
              (error: unknown) => (isDiskFull(error) ? 'full' : error),
            );
      if (copied === 'full') {
        await fs.rm(mine, { force: true });
        return { kind: 'diskFull', room };
      }
      if (copied !== 'done') {
        return {
          kind: 'unusable',
          problem: `The merged file ${path.basename(previous)} was changed while the export ran (${errorMessage(copied)}), so it cannot be trusted to hold the ${run.records.toLocaleString('en-US')} records read so far; it was not kept. Run the export again.`,
        };
      }
    } else if (run.bytesWritten === 0) {
      await fs.writeFile(mine, '', { flag: 'wx' });
    } else if (run.renamedAt === undefined) {
      return {
        kind: 'unusable',
        problem: `The merged file ${path.basename(previous)} is missing, so the export cannot go on. Run the export again.`,
      };
    }
    // Else the previous writer gave the file its final name: fileToComplete() finds it.
    return { kind: 'ready' };
  }

  /**
   * The file the completion checks and names: the working file or, when this run gave it its final
   * name just before a reload (or a pause), the destination. (A file under the final name that
   * this run did not name is the user's and never touched.)
   */
  async fileToComplete(run: ExportRun): Promise<string> {
    const working = workingPath(run);
    if (await exists(working)) {
      return working;
    }
    if (run.renamedAt === undefined || !(await exists(run.destination))) {
      throw new ExportStop(
        'failed',
        `The merged file ${path.basename(working)} is missing, so the export cannot be completed. Run the export again.`,
      );
    }
    return run.destination;
  }

  /**
   * Throws unless `file` holds exactly the bytes and records the run recorded: a write from
   * anywhere else (a late window, the user) means it cannot be trusted. A file under the final
   * name goes back to the working name, which a failed export discards. Resolves with the file's
   * sha256 (hex), computed in the same pass.
   */
  async verify(run: ExportRun, file: string): Promise<string> {
    const digest = createHash('sha256');
    const problem = await mismatch(file, { bytes: run.bytesWritten, records: run.records }, digest);
    if (problem === undefined) {
      return digest.digest('hex');
    }
    let where = 'it was not kept';
    if (file === run.destination) {
      await fs.rename(file, workingPath(run)).catch((error: unknown) => {
        this.logger.error(`Export ${run.id}: could not remove ${file}: ${errorMessage(error)}`);
        where = `remove ${path.basename(file)} yourself`;
      });
    }
    throw new ExportStop(
      'failed',
      `The merged file was changed while the export ran (${problem}), so it cannot be trusted to hold the ${run.records.toLocaleString('en-US')} records Zoho counted; ${where}. Run the export again.`,
    );
  }

  /** Gives the checked working file the run's final name unless a file has it ('exists'). */
  publish(run: ExportRun, working: string): Promise<'done' | 'exists'> {
    return publish(working, run.destination);
  }

  /** Replaces the file under the final name with the run's checked one (the user agreed at the start). */
  replace(run: ExportRun, working: string): Promise<void> {
    return fs.rename(working, run.destination);
  }

  /** A completed run's file, checked against what the run recorded: the problem in words, or undefined. */
  async checkCompleted(run: ExportRun): Promise<string | undefined> {
    const file = exportFile(run) ?? run.destination;
    const expected = exportFileFigures(run);
    if (run.changes?.snapshotCopy && run.snapshot && !(await exists(file))) {
      // Removed by a later run of the definition (./incremental.ts keeps the newest few).
      return `The snapshot as of this run of ${run.definition ?? run.ref.report} was removed: only the newest runs' snapshots are kept. ${path.basename(run.snapshot)} holds the report as of its latest run.`;
    }
    const problem = (await exists(file)) ? await mismatch(file, expected) : 'it is no longer there';
    return problem === undefined
      ? undefined
      : `${path.basename(file)} is not the file this export wrote (${problem}), so it cannot be trusted to hold exactly the ${expected.records.toLocaleString('en-US')} records Zoho counted. Run the export again.`;
  }

  /** Keeps the records so far under a free `….partial.csv` name (returned), or removes the file. */
  async keepOrDiscard(run: ExportRun, keepRecords: boolean): Promise<string | undefined> {
    const working = workingPath(run);
    try {
      if (keepRecords && run.records > 0) {
        await csv().truncateTo(working, run.bytesWritten);
        const kept = await freeName(partialPath(run.destination));
        await fs.rename(working, kept);
        return kept;
      }
      await fs.rm(working, { force: true });
    } catch (error) {
      this.logger.error(`Export ${run.id}: could not tidy ${working}: ${errorMessage(error)}`);
    }
    return undefined;
  }

  /**
   * Keeps the previous writer's file itself as `keptPath` (cut to the bytes recorded; a rename
   * needs no room), when the disk had no room to copy it (see copyForTakeover).
   */
  async keepUncopied(run: ExportRun, keptPath: string): Promise<void> {
    const previous = workingPath(run);
    try {
      await csv().truncateTo(previous, run.bytesWritten);
      await fs.rename(previous, keptPath);
    } catch (error) {
      this.logger.error(`Export ${run.id}: could not keep ${previous}: ${errorMessage(error)}`);
    }
  }

  /** Removes a file of the run (a working file nobody reads any more, a batch's merged copy). */
  async remove(file: string): Promise<void> {
    await fs.rm(file, { force: true });
  }
}

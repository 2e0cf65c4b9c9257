// Results (and export files, and the first rows of either when too large to open whole: see
// src/results/csvHead.ts) open through this read-only file system, under a friendly title (report,
// batch, record count): an edit can never change the file Save copies into the
// workspace, and the tab does not show a storage path. VS Code asks for one stat and the whole file
// in one readFile (chunked reads of a provider, open/read/close, are a proposed API): both answer
// from the extracted file; nothing is counted or copied at click time. On a 100,000-record result
// (29 MB, code-server) this side takes 20-60 ms of about 3 s to first text; the rest is VS Code
// carrying the bytes to the window and building the model, which includes handing the whole text
// back to the extension host. The plain file: URI is no faster, is writable, and in code-server stops
// at "not displayed in the text editor because it is very large" with Open Anyway.
import { promises as fs, type Stats } from 'node:fs';
import * as vscode from 'vscode';
import { exportFile, exportFileFigures, type ExportRun } from '../exports/model';
import type { TrackedJob } from '../jobs/model';
import { readCsvHead, type CsvHead } from '../results/csvHead';
import type { Services } from '../services';
import { formatCount, formatRecords } from '../views/jobDescription';
import { Disposable, Emitter } from '../core/lifecycle';

/**
 * Above this size a file opens as a preview of its first PREVIEW_RECORDS records. VS Code 1.100
 * (code-server 4.100.3) stops a file of a custom scheme above 50 MB at "not displayed in the text
 * editor because it is very large" in a browser (getLargeFileConfirmationLimit in
 * src/vs/platform/files/common/files.ts: 50 MB on the web, 10 MB for vscode-remote files, 1 GB on a
 * desktop), and never hands a document above 50 MB to extensions (TextModel._MODEL_SYNC_LIMIT in
 * src/vs/editor/common/model/textModel.ts); from 20 MB or 300,000 lines it turns colouring and
 * other editor features off (LARGE_FILE_SIZE_THRESHOLD, setting editor.largeFileOptimizations).
 */
export const EXTENSION_DOCUMENT_LIMIT_BYTES = 50 * 1024 * 1024;

export const RESULT_SCHEME = 'creator-result';

/** `All_Orders · batch 2 · 100,000 records.csv` (the tab title), or `… · first 10,000 of 100,000 records.csv`. */
export function resultTitle(job: TrackedJob, head?: number): string {
  const count = job.details?.result?.count;
  const parts = [job.ref.report, `batch ${job.batch}`];
  if (count !== undefined) {
    parts.push(recordsText(count, head));
  }
  return `${parts.join(' · ').replace(/[/\\]/g, '_')}.csv`;
}

/** `400,000 records`, or `first 10,000 of 400,000 records`. */
function recordsText(count: number, head?: number): string {
  return head === undefined ? formatRecords(count) : `first ${formatCount(head)} of ${formatRecords(count)}`;
}

/**
 * The read-only address of a job's result (or of its first `head` records): the job key travels in
 * the query (`head:<n>:` before it for a preview).
 */
export function resultUri(job: TrackedJob, head?: number): vscode.Uri {
  const query = head === undefined ? job.key : `head:${head}:${job.key}`;
  return vscode.Uri.from({ scheme: RESULT_SCHEME, path: `/${resultTitle(job, head)}`, query });
}

/** `All_Orders export · 400,000 records.csv`, or `… · first 10,000 of 400,000 records.csv`. */
export function exportTitle(run: ExportRun, head?: number): string {
  const partial = run.state === 'completed' ? '' : ' (partial)';
  const what = run.changes?.snapshotCopy ? 'snapshot' : 'export'; // an incremental run: the report then
  return `${`${run.ref.report} ${what}${partial} · ${recordsText(exportFileFigures(run).records, head)}`.replace(/[/\\]/g, '_')}.csv`;
}

/**
 * The read-only address of an export's file (the merged CSV, or the partial one a stop kept), or of
 * its first `head` records: `export:<id>` in the query (`head:<n>:` before it for a preview).
 */
export function exportUri(run: ExportRun, head?: number): vscode.Uri {
  const query = head === undefined ? `export:${run.id}` : `head:${head}:export:${run.id}`;
  return vscode.Uri.from({ scheme: RESULT_SCHEME, path: `/${exportTitle(run, head)}`, query });
}

/** What a URI of this scheme reads: a job's result, or an export's file (whole or its head). */
interface Target {
  path: string;
  head?: number;
  /** For an export's file: its run, whose completed file is checked before it is shown. */
  exportId?: string;
}

export class ResultFileSystem extends Disposable implements vscode.FileSystemProvider {
  private readonly changeEmitter = this.register(new Emitter<vscode.FileChangeEvent[]>());
  readonly onDidChangeFile = this.changeEmitter.event;
  /** Heads read for a stat, kept for the readFile that follows it (by path and size). */
  private readonly heads = new Map<string, Promise<CsvHead>>();
  /** Each export file version's check (ExportsApi.verifyCompleted), by path, size and mtime. */
  private readonly verdicts = new Map<string, Promise<string | undefined>>();

  constructor(private readonly services: Services) {
    super();
    this.register(
      vscode.workspace.registerFileSystemProvider(RESULT_SCHEME, this, {
        isReadonly: true,
        isCaseSensitive: true,
      }),
    );
  }

  private targetOf(uri: vscode.Uri): Target {
    const preview = /^head:(\d+):(.*)$/.exec(uri.query);
    const key = preview ? preview[2] : uri.query;
    const exported = /^export:(.+)$/.exec(key);
    const run = exported && this.services.exports.get(exported[1]);
    const path = exported ? run && exportFile(run) : this.services.jobs.get(key)?.result?.path;
    if (!path) {
      throw vscode.FileSystemError.FileNotFound(uri);
    }
    return { path, head: preview ? Number(preview[1]) : undefined, exportId: run ? run.id : undefined };
  }

  /**
   * Stats the target; a completed export's file must still be the one the export wrote (also when a
   * tab restored by Reload Window or a preview reads it, not only Open Export), else it is refused.
   */
  private async checkedStat(target: Target): Promise<Stats> {
    const stat = await fs.stat(target.path);
    if (target.exportId !== undefined) {
      const key = `${target.path}|${stat.size}|${stat.mtimeMs}`;
      let verdict = this.verdicts.get(key);
      if (!verdict) {
        verdict = this.services.exports.verifyCompleted(target.exportId);
        verdict.catch(() => this.verdicts.delete(key));
        this.verdicts.set(key, verdict);
      }
      const problem = await verdict;
      if (problem !== undefined) {
        throw vscode.FileSystemError.Unavailable(problem);
      }
    }
    return stat;
  }

  /** The first records of a file too large to open whole; read once per file version. */
  private headOf(path: string, records: number, size: number, mtime: number): Promise<CsvHead> {
    const key = `${path}|${records}|${size}|${mtime}`;
    let head = this.heads.get(key);
    if (!head) {
      this.heads.clear(); // one preview at a time is what people open; do not hold old ones
      head = readCsvHead(path, records);
      head.catch(() => this.heads.delete(key));
      this.heads.set(key, head);
    }
    return head;
  }

  async stat(uri: vscode.Uri): Promise<vscode.FileStat> {
    try {
      const target = this.targetOf(uri);
      const stat = await this.checkedStat(target);
      const size =
        target.head === undefined
          ? stat.size
          : (await this.headOf(target.path, target.head, stat.size, stat.mtimeMs)).bytes.length;
      return {
        type: vscode.FileType.File,
        ctime: stat.ctimeMs,
        mtime: stat.mtimeMs,
        size,
        permissions: vscode.FilePermission.Readonly,
      };
    } catch (error) {
      throw error instanceof vscode.FileSystemError ? error : vscode.FileSystemError.FileNotFound(uri);
    }
  }

  async readFile(uri: vscode.Uri): Promise<Uint8Array> {
    try {
      const target = this.targetOf(uri);
      const stat = await this.checkedStat(target);
      if (target.head === undefined) {
        return await fs.readFile(target.path);
      }
      return (await this.headOf(target.path, target.head, stat.size, stat.mtimeMs)).bytes;
    } catch (error) {
      throw error instanceof vscode.FileSystemError ? error : vscode.FileSystemError.FileNotFound(uri);
    }
  }

  watch(): vscode.Disposable {
    return new vscode.Disposable(() => undefined); // results never change once extracted
  }

  readDirectory(uri: vscode.Uri): [string, vscode.FileType][] {
    throw vscode.FileSystemError.FileNotADirectory(uri);
  }

  createDirectory(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(uri);
  }

  writeFile(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(uri);
  }

  delete(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(uri);
  }

  rename(uri: vscode.Uri): void {
    throw vscode.FileSystemError.NoPermissions(uri);
  }
}

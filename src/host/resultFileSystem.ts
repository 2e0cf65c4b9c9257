// Results open from the extension's cache through this read-only file system, under a friendly
// title (report, batch, record count): an edit can never change the file Save copies into the
// workspace, and the tab does not show a storage path. VS Code asks for one stat and the whole file
// in one readFile (chunked reads of a provider, open/read/close, are a proposed API): both answer
// from the extracted file; nothing is counted or copied at click time. On a 100,000-record result
// (29 MB, code-server) this side takes 20-60 ms of about 3 s to first text; the rest is VS Code
// carrying the bytes to the window and building the model, which includes handing the whole text
// back to the extension host. The plain file: URI is no faster, is writable, and in code-server stops
// at "not displayed in the text editor because it is very large" with Open Anyway.
import { promises as fs } from 'node:fs';
import * as vscode from 'vscode';
import type { TrackedJob } from '../jobs/model';
import type { Services } from '../services';
import { formatRecords } from '../views/jobDescription';
import { Disposable } from './disposable';

export const RESULT_SCHEME = 'creator-result';

/** `All_Orders · batch 2 · 100,000 records.csv` (the tab title). */
export function resultTitle(job: TrackedJob): string {
  const count = job.details?.result?.count;
  const parts = [job.ref.report, `batch ${job.batch}`];
  if (count !== undefined) {
    parts.push(formatRecords(count));
  }
  return `${parts.join(' · ').replace(/[/\\]/g, '_')}.csv`;
}

/** The read-only address of a job's result; the job key travels in the query. */
export function resultUri(job: TrackedJob): vscode.Uri {
  return vscode.Uri.from({ scheme: RESULT_SCHEME, path: `/${resultTitle(job)}`, query: job.key });
}

export class ResultFileSystem extends Disposable implements vscode.FileSystemProvider {
  private readonly changeEmitter = this.register(new vscode.EventEmitter<vscode.FileChangeEvent[]>());
  readonly onDidChangeFile = this.changeEmitter.event;

  constructor(private readonly services: Services) {
    super();
    this.register(
      vscode.workspace.registerFileSystemProvider(RESULT_SCHEME, this, {
        isReadonly: true,
        isCaseSensitive: true,
      }),
    );
  }

  private pathOf(uri: vscode.Uri): string {
    const path = this.services.jobs.get(uri.query)?.result?.path;
    if (!path) {
      throw vscode.FileSystemError.FileNotFound(uri);
    }
    return path;
  }

  async stat(uri: vscode.Uri): Promise<vscode.FileStat> {
    try {
      const stat = await fs.stat(this.pathOf(uri));
      return {
        type: vscode.FileType.File,
        ctime: stat.ctimeMs,
        mtime: stat.mtimeMs,
        size: stat.size,
        permissions: vscode.FilePermission.Readonly,
      };
    } catch (error) {
      throw error instanceof vscode.FileSystemError ? error : vscode.FileSystemError.FileNotFound(uri);
    }
  }

  async readFile(uri: vscode.Uri): Promise<Uint8Array> {
    try {
      return await fs.readFile(this.pathOf(uri));
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

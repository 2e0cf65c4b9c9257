// Downloads of job results: one download per job shared by every caller (./runningDownload.ts),
// one window writing each result (the per-result lock of ../results/fetchResult.ts; the others
// wait for its file), the automatic download of the poller window, and the release of downloads
// a closed window left half-way. Part of JobService (./jobService.ts).
import { promises as fs } from 'node:fs';
import { errorMessage } from '../core/format';
import type { Clock, Logger } from '../core/ports';
import { LocalRefusal } from '../core/refusal';
import type * as FetchResultModule from '../results/fetchResult';
import type { BulkReadApi } from '../zoho/api';
import { cancelledError, isZohoError } from '../zoho/errors';
import { errorRecord } from './jobErrors';
import type { JobStore } from './jobStore';
import { resultExpired, type LocalResult, type TrackedJob } from './model';
import { RunningDownload } from './runningDownload';
import type { ResultProgress } from './serviceApi';

/**
 * ../results/fetchResult.ts (the download, extraction and checks), required with the first result
 * rather than at window start: the build leaves it out of the start bundle (esbuild.js, buildSplit).
 */
function results(): typeof FetchResultModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('../results/fetchResult') as typeof FetchResultModule;
}

/** How often a window waiting for another window's download looks whether it is done. */
export const OTHER_DOWNLOAD_RECHECK_MS = 1_000;

export interface ResultDownloadsOptions {
  store: JobStore;
  clients: (accountId: string) => Promise<BulkReadApi>;
  clock: Clock;
  logger: Logger;
  /** Folder the CSVs are extracted into (created on first download). */
  resultsDir: string;
  autoDownload: () => boolean;
  /**
   * The accounts this process can act for (default: every one, as every editor window has every
   * account). A command-line process has only the accounts of its environment: another account's
   * jobs in a shared state folder are left to the process that has its credentials, never polled
   * or downloaded here (which would hold that account as "needs sign-in" for every process).
   */
  serves?: (accountId: string) => boolean;
  /** A download with no byte for this long is aborted and retried (default 60 s). */
  downloadIdleTimeoutMs?: () => number;
  /** Test seam for the free-disk bound of downloads; defaults to statfs. */
  freeBytes?: (dir: string) => Promise<number>;
}

export class ResultDownloads {
  private readonly store: JobStore;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly downloads = new Map<string, RunningDownload>();
  /** Every reset of abandoned downloads started so far (released()). */
  private releasing: Promise<void> = Promise.resolve();
  private disposed = false;

  constructor(private readonly options: ResultDownloadsOptions) {
    this.store = options.store;
    this.clock = options.clock;
    this.logger = options.logger;
  }

  async ensureResult(key: string, progress: ResultProgress = {}): Promise<LocalResult> {
    const job = this.store.get(key);
    if (!job) {
      throw new LocalRefusal('This job is no longer tracked.');
    }
    const running = this.downloads.get(key);
    if (running) {
      // Joining a download already under way (say, the automatic one): this caller's cancel
      // still cancels it, and it still sees the progress.
      return running.join(progress);
    }
    if (job.result && (await fileExists(job.result.path))) {
      return job.result;
    }
    if (job.state !== 'completed') {
      throw new LocalRefusal(
        `Job ${job.jobId} has not completed yet; its result can be downloaded once it has.`,
      );
    }
    if (resultExpired(job, this.clock.now())) {
      // Asking would spend an API call on a certain refusal.
      throw new LocalRefusal(
        `The result of job ${job.jobId} has expired: Zoho keeps results for 24 hours. Create the job again to read the records.`,
      );
    }
    const download = new RunningDownload((signal, onProgress) =>
      this.download(job, signal, onProgress).finally(() => this.downloads.delete(key)),
    );
    this.downloads.set(key, download);
    return download.join(progress);
  }

  /** With autoDownload: a completed job whose result was never (or not completely) downloaded. */
  shouldAutoDownload(job: TrackedJob, now: number): boolean {
    return (
      job.state === 'completed' &&
      (job.download === 'none' || job.download === 'downloading') &&
      !resultExpired(job, now) &&
      this.options.autoDownload() &&
      this.options.serves?.(job.accountId) !== false
    );
  }

  /** Downloads in the background; a failure is logged (the job's row shows it). */
  startAutoDownload(job: TrackedJob): void {
    this.ensureResult(job.key).catch((error) => this.logDownloadError(job, error));
  }

  /**
   * Stops the job's download, if one runs here (an aborted download removes its own files), and
   * resolves once it has ended: its result lock is free then, so its files can be deleted.
   */
  async cancel(key: string): Promise<void> {
    const running = this.downloads.get(key);
    running?.cancel();
    await running?.settled();
  }

  async deleteFiles(job: TrackedJob): Promise<void> {
    // If another window is downloading it, that window deletes its files when it sees the job gone.
    const removed = await results().deleteResultFiles(this.options.resultsDir, job);
    if (removed && job.result) {
      await fs.rm(job.result.path, { force: true }).catch(() => undefined);
    }
  }

  /**
   * A 'downloading' job whose result lock is free was left by a window that closed (or crashed)
   * half-way: show it as not downloaded, so the poller (autoDownload) or the user fetches it again.
   */
  releaseAbandoned(): Promise<void> {
    const abandoned = this.store
      .all()
      .filter((job) => job.download === 'downloading' && !this.downloads.has(job.key));
    const released = Promise.all(
      abandoned.map(async (job) => {
        try {
          if (await results().isResultLocked(this.options.resultsDir, job)) {
            return;
          }
          if (
            !this.disposed &&
            this.store.get(job.key)?.download === 'downloading' &&
            !this.downloads.has(job.key)
          ) {
            await this.store.update(job.key, { download: 'none' });
          }
        } catch (error) {
          this.logger.warn(`Could not update job ${job.jobId}: ${errorMessage(error)}`);
        }
      }),
    ).then(() => undefined);
    this.releasing = Promise.all([this.releasing, released]).then(() => undefined);
    return released;
  }

  /** Resolves once every releaseAbandoned() started so far is written. */
  released(): Promise<void> {
    return this.releasing;
  }

  dispose(): void {
    this.disposed = true;
    for (const download of this.downloads.values()) {
      download.cancel();
    }
  }

  private async download(
    job: TrackedJob,
    signal: AbortSignal,
    onProgress: (bytes: number, total?: number) => void,
  ): Promise<LocalResult> {
    const { resultsDir } = this.options;
    try {
      const api = await this.options.clients(job.accountId);
      for (;;) {
        const outcome = await results().withResultLock(resultsDir, job, async () => {
          // Holding the lock: another window may have finished this result just before.
          const theirs = await this.readyResult(job.key);
          if (theirs) {
            return theirs;
          }
          await this.store.update(job.key, { download: 'downloading' });
          this.logger.info(`Downloading the result of job ${job.jobId} (${job.ref.report}).`);
          const result = await results().fetchResult(api, job, resultsDir, {
            expectedRecords: job.details?.result?.count,
            downloadUrl: job.details?.result?.download_url,
            signal,
            onProgress: (p) => onProgress(p.bytes, p.total),
            idleTimeoutMs: this.options.downloadIdleTimeoutMs?.(),
            // An export's batch: the export counts every request against its own 3 tries
            // (src/exports), so the client does not retry inside each of them.
            attempts: job.exportId ? 1 : undefined,
            freeBytes: this.options.freeBytes,
            logger: this.logger,
            now: () => this.clock.now(),
          });
          return this.downloaded(job, result);
        });
        if (outcome !== 'busy') {
          return outcome;
        }
        // Another window is downloading this result: wait for its file, never write the same one.
        const theirs = await this.otherWindowsResult(job, signal);
        if (theirs) {
          return theirs;
        }
      }
    } catch (error) {
      if (this.disposed) {
        throw error; // shutting down: the next poller retries
      }
      const cancelled = signal.aborted || isZohoError(error, 'cancelled');
      const record = cancelled
        ? { kind: 'cancelled' as const, message: cancelledError().message, at: this.clock.now() }
        : errorRecord(error, this.clock.now());
      await this.store.update(job.key, { download: 'failed', lastError: record });
      throw error;
    }
  }

  private async downloaded(job: TrackedJob, result: LocalResult): Promise<LocalResult> {
    const updated = await this.store.update(job.key, { download: 'ready', result, lastError: undefined });
    this.logger.info(`Result of job ${job.jobId} is ready: ${result.bytes} bytes.`);
    if (!updated) {
      await fs.rm(result.path, { force: true }); // stopped tracking meanwhile: keep nothing
      throw cancelledError('The job is no longer tracked.');
    }
    return result;
  }

  /**
   * Waits while another window downloads the result: resolves with its file once the shared store
   * says it is ready and the file is there, or undefined when that window gave up or is gone (its
   * lock is free again, so the caller tries itself).
   */
  private async otherWindowsResult(job: TrackedJob, signal: AbortSignal): Promise<LocalResult | undefined> {
    const { key } = job;
    for (;;) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          this.clock.clearTimeout(timer);
          subscription.dispose();
          signal.removeEventListener('abort', done);
          resolve();
        };
        const timer = this.clock.setTimeout(done, OTHER_DOWNLOAD_RECHECK_MS);
        const subscription = this.store.onDidChange((change) => change.job.key === key && done());
        signal.addEventListener('abort', done);
      });
      const ready = await this.readyResult(key);
      const latest = this.store.get(key);
      if (signal.aborted || !latest || this.disposed) {
        throw cancelledError();
      }
      if (ready) {
        return ready;
      }
      if (!(await results().isResultLocked(this.options.resultsDir, job))) {
        return undefined;
      }
    }
  }

  /** The job's result if the shared store says it is ready and its complete file is there. */
  private async readyResult(key: string): Promise<LocalResult | undefined> {
    this.store.sync();
    const job = this.store.get(key);
    return job?.download === 'ready' && job.result && (await fileExists(job.result.path))
      ? job.result
      : undefined;
  }

  private logDownloadError(job: TrackedJob, error: unknown): void {
    if (!isZohoError(error, 'cancelled')) {
      this.logger.error(`Download of job ${job.jobId} failed: ${errorRecord(error, 0).message}`);
    }
  }
}

async function fileExists(filePath: string): Promise<boolean> {
  try {
    return (await fs.stat(filePath)).isFile();
  } catch {
    return false;
  }
}

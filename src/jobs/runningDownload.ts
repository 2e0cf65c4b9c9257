// One download of a job's result, shared by every caller that asks for it while it runs (the
// automatic download, Open, Save): each caller sees the progress, and any caller's cancel stops it.
import type { LocalResult } from './model';
import type { ResultProgress } from './serviceApi';

type OnProgress = (bytes: number, total?: number) => void;

export class RunningDownload {
  private readonly controller = new AbortController();
  private readonly listeners = new Set<OnProgress>();
  private readonly promise: Promise<LocalResult>;

  /** Starts `run` at once with this download's signal and a progress callback fanning out to callers. */
  constructor(run: (signal: AbortSignal, onProgress: OnProgress) => Promise<LocalResult>) {
    this.promise = run(this.controller.signal, (bytes, total) => {
      for (const listener of this.listeners) {
        listener(bytes, total);
      }
    });
  }

  cancel(): void {
    this.controller.abort();
  }

  /** Resolves once the download has ended, however (its files and lock are let go by then). */
  settled(): Promise<void> {
    return this.promise.then(
      () => undefined,
      () => undefined,
    );
  }

  join(caller: ResultProgress): Promise<LocalResult> {
    const { onProgress, signal } = caller;
    if (onProgress) {
      this.listeners.add(onProgress);
    }
    const abort = (): void => this.cancel();
    if (signal?.aborted) {
      abort();
    }
    signal?.addEventListener('abort', abort, { once: true });
    return this.promise.finally(() => {
      signal?.removeEventListener('abort', abort);
      if (onProgress) {
        this.listeners.delete(onProgress);
      }
    });
  }
}

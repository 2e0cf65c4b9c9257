// What extension.ts hands to views and commands. Built once at activation.
import type { AccountsApi } from './accounts/accountsApi';
import type { Logger } from './core/ports';
import type { ExportsApi } from './exports/exportRunner';
import type { RunHistoryApi } from './exports/runHistory';
import type { JobServiceApi } from './jobs/serviceApi';

export interface Services {
  readonly accounts: AccountsApi;
  readonly jobs: JobServiceApi;
  /** Export Whole Report runs: batches chained and merged into one CSV. */
  readonly exports: ExportsApi;
  /** The finished runs of saved exports (absent: no history shown). */
  readonly history?: RunHistoryApi;
  readonly logger: Logger;
  /** The extension's private storage folder (results are extracted below it). */
  readonly storageDir: string;
}

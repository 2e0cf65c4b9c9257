// What extension.ts hands to views and commands. Built once at activation.
import type { Event, Logger } from './core/ports';
import type { ExportsApi } from './exports/exportRunner';
import type { JobServiceApi } from './jobs/serviceApi';
import type { BulkReadApi } from './zoho/api';
import type { Account } from './zoho/types';

export interface AccountsApi {
  list(): Account[];
  get(id: string): Account | undefined;
  readonly onDidChange: Event<void>;
  /** A client bound to the account's host, using its credentials from SecretStorage. */
  clientFor(accountId: string): Promise<BulkReadApi>;
}

export interface Services {
  readonly accounts: AccountsApi;
  readonly jobs: JobServiceApi;
  /** Export Whole Report runs: batches chained and merged into one CSV. */
  readonly exports: ExportsApi;
  readonly logger: Logger;
  /** The extension's private storage folder (results are extracted below it). */
  readonly storageDir: string;
}

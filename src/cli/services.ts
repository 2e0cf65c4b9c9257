// The core, built over the state folder as src/extension.ts builds it over VS Code's global
// storage: the same shared stores, lease, job service and export runner, with no VS Code at all.
// Accounts come from the environment and live in memory only (nothing secret touches the disk).
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { AccountStore } from '../accounts/accountStore';
import { FileLease, POLLER_LEASE_FILE_NAME } from '../core/lease';
import { MemoryKeyValueStore, MemorySecretStore, systemClock, type Logger } from '../core/ports';
import { SharedJsonFile } from '../core/sharedJsonFile';
import { ExportRunner } from '../exports/exportRunner';
import { RunHistory } from '../exports/runHistory';
import { EXPORTS_FILE_NAME, ExportStore } from '../exports/exportStore';
import { JobService } from '../jobs/jobService';
import { JOBS_FILE_NAME, JobStore } from '../jobs/jobStore';
import type { PollSettings } from '../jobs/serviceApi';
import { ACCOUNT_HOLDS_FILE_NAME, SharedAccountHolds } from '../jobs/sharedAccountHolds';
import type { Account } from '../zoho/types';
import type { EnvAccount } from './environment';

export interface CliServices {
  readonly accounts: AccountStore;
  readonly jobs: JobService;
  readonly exports: ExportRunner;
  readonly stateDir: string;
  /** Creator API requests sent so far by this process (retries included; token requests not). */
  apiCalls(): number;
  /** Registers an account (in memory) and returns it. Sign in before start(). */
  signIn(account: EnvAccount): Promise<Account>;
  /**
   * Starts polling and driving exports (takes the lease when free). After signIn: a poll of a job
   * whose account is not signed in yet would hold that account as needing sign-in.
   */
  start(): Promise<void>;
  /** Writes what the stores hold, gives the lease back and stops every timer. */
  close(): Promise<void>;
}

/** A Creator request as src/zoho/http.ts logs it: `GET /creator/v2.1/... -> 200 (12 ms)`. */
const CREATOR_REQUEST = /^(?:GET|POST|PUT|PATCH|DELETE) \/(?!oauth\/)\S* -> /;

/**
 * The settings of the extension's defaults (package.json), except `initialSeconds`: a terminal
 * has no focus to follow, so there is no unfocused slow-down.
 */
export function cliPollSettings(initialSeconds: number, maxSeconds: number): PollSettings {
  return {
    initialIntervalMs: Math.round(initialSeconds * 1000),
    maxIntervalMs: Math.round(Math.max(initialSeconds, maxSeconds) * 1000),
    unfocusedMultiplier: 1,
    maxConcurrent: 3,
    maxChecksPerMinute: 20,
  };
}

export async function openServices(options: {
  stateDir: string;
  logger: Logger;
  pollSeconds: number;
  maxPollSeconds: number;
}): Promise<CliServices> {
  const { stateDir } = options;
  await fs.mkdir(stateDir, { recursive: true });
  let calls = 0;
  const logger: Logger = {
    ...options.logger,
    debug: (line) => {
      if (CREATOR_REQUEST.test(line)) {
        calls++;
      }
      options.logger.debug(line);
    },
  };
  const owned: Array<{ dispose(): void }> = [];
  const own = <T extends { dispose(): void }>(value: T): T => {
    owned.push(value);
    return value;
  };
  const shared = (name: string): SharedJsonFile => {
    const file = own(new SharedJsonFile(path.join(stateDir, name), systemClock, logger));
    file.watch();
    return file;
  };
  /** The accounts of this process's environment: the only ones it polls and drives. */
  const signedIn = new Set<string>();
  const accounts = own(
    new AccountStore({ storage: new MemoryKeyValueStore(), secrets: new MemorySecretStore(), logger }),
  );
  const jobStore = own(new JobStore(shared(JOBS_FILE_NAME), logger));
  const lease = own(new FileLease(shared(POLLER_LEASE_FILE_NAME), systemClock, logger));
  // One process at a time polls and drives the exports (another one's runs included); when it
  // ends, it gives the lease back and a second process carries on (src/core/lease.ts).
  const jobs = new JobService({
    store: jobStore,
    clients: (accountId) => accounts.clientFor(accountId),
    clock: systemClock,
    logger,
    resultsDir: path.join(stateDir, 'results'),
    settings: cliPollSettings(options.pollSeconds, options.maxPollSeconds),
    autoDownload: () => true,
    // Another process's account in the same state folder is left to that process (see `serves`).
    serves: (accountId) => signedIn.has(accountId),
    lease,
    accountHolds: own(new SharedAccountHolds(shared(ACCOUNT_HOLDS_FILE_NAME), logger)),
  });
  const exportStore = own(new ExportStore(shared(EXPORTS_FILE_NAME), logger));
  // Runs of saved exports are recorded in the state folder, as the extension records them.
  const history = own(new RunHistory(stateDir, systemClock, logger));
  const exports = new ExportRunner({
    jobs,
    store: exportStore,
    clock: systemClock,
    logger,
    lease,
    serves: (accountId) => signedIn.has(accountId),
    applications: async (accountId) => (await accounts.clientFor(accountId)).listApplications(),
    history,
  });
  let started: Promise<void> | undefined;
  let closing: Promise<void> | undefined;
  return {
    accounts,
    jobs,
    exports,
    stateDir,
    apiCalls: () => calls,
    signIn: async (account) => {
      const added = await accounts.addAccount(account.target, account.credentials, account.label);
      signedIn.add(added.id);
      return added;
    },
    start: () =>
      (started ??= (async () => {
        await lease.start();
        // Fresh credentials from the environment end a sign-in hold an earlier run left in the
        // shared holds file (as signing in again does in the editor).
        for (const id of signedIn) {
          await jobs.resumeAccount(id);
        }
      })()),
    close: () =>
      (closing ??= (async () => {
        await Promise.all([jobStore.flushed(), exportStore.flushed()]).catch(() => undefined);
        // The runner first (it listens to the service), then the lease is given back while its
        // file is still open, then the rest: as src/extension.ts and its deactivate do.
        exports.dispose();
        jobs.dispose();
        await lease.close();
        for (const value of owned.splice(0).reverse()) {
          value.dispose();
        }
      })()),
  };
}

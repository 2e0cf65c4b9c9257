// Every shared store of one window over a storage folder, wired as src/extension.ts wires them
// (the same files, the same clock for all, the same WhileInUse, the same watch() calls), without
// the services that poll: what the window keeps on disk and how it watches it.
import * as path from 'node:path';
import { FileLease, POLLER_LEASE_FILE_NAME } from '../../../src/core/lease';
import { DisposableStore, type IDisposable } from '../../../src/core/lifecycle';
import { silentLogger, type Clock } from '../../../src/core/ports';
import { SharedJsonFile } from '../../../src/core/sharedJsonFile';
import { WhileInUse } from '../../../src/core/whileInUse';
import { EXPORTS_FILE_NAME, ExportStore } from '../../../src/exports/exportStore';
import { RunHistory } from '../../../src/exports/runHistory';
import { JOBS_FILE_NAME, JobStore } from '../../../src/jobs/jobStore';
import { ACCOUNT_HOLDS_FILE_NAME, SharedAccountHolds } from '../../../src/jobs/sharedAccountHolds';

export interface WindowStores {
  /** What the window owns, disposed last-added first (extension.ts's `active`). */
  root: DisposableStore;
  jobs: JobStore;
  exports: ExportStore;
  holds: SharedAccountHolds;
  history: RunHistory;
  lease: FileLease;
  use: WhileInUse;
}

export function openWindowStores(storageDir: string, clock: Clock): WindowStores {
  const root = new DisposableStore();
  const own = <T extends IDisposable>(value: T): T => root.add(value);
  const file = (name: string): SharedJsonFile => own(new SharedJsonFile(path.join(storageDir, name), clock));
  const jobsFile = file(JOBS_FILE_NAME);
  const jobs = own(new JobStore(jobsFile));
  const lease = own(new FileLease(file(POLLER_LEASE_FILE_NAME), clock));
  const holdsFile = file(ACCOUNT_HOLDS_FILE_NAME);
  const holds = own(new SharedAccountHolds(holdsFile, silentLogger));
  const exportsFile = file(EXPORTS_FILE_NAME);
  const history = own(new RunHistory(storageDir, clock));
  const exports = own(new ExportStore(exportsFile));
  const use = own(
    new WhileInUse({
      inUse: () => jobs.all().length > 0 || exports.all().length > 0,
      changes: [jobs.onDidChange, exports.onDidChange],
      storageDir,
      clock,
      lease,
    }),
  );
  [jobsFile, holdsFile, exportsFile].forEach((each) => each.watch());
  return { root, jobs, exports, holds, history, lease, use };
}

// Activation: builds the services and wires them to the editor. No logic of its own.
// Nothing here touches the network or scans a folder, and the commands' code, downloads, axios,
// yauzl and zlib load on first use (docs/ARCHITECTURE.md, "What a window start loads"): a window
// with nothing to do pays about a fifth of a bare Node start (README, Performance).
import { codeStarted, mark, span } from './host/loadClock'; // first: it times the loading of everything below
import * as vscode from 'vscode';
import * as path from 'node:path';
import { AccountStore } from './accounts/accountStore';
import { accountIdOfSecretKey } from './accounts/credentials';
import { FileLease, POLLER_LEASE_FILE_NAME } from './core/lease';
import { closeWindow, DisposableStore, logUnexpectedErrorsTo, type IDisposable } from './core/lifecycle';
import { systemClock } from './core/ports';
import { SharedJsonFile } from './core/sharedJsonFile';
import { WhileInUse } from './core/whileInUse';
import { ACCOUNT_HOLDS_FILE_NAME, SharedAccountHolds } from './jobs/sharedAccountHolds';
import { channelLogger, createLogChannel, logFileOf } from './host/logChannel';
import {
  affectsPolling,
  readAutoDownload,
  readDownloadIdleTimeoutMs,
  readNotificationLevel,
  readPollSettings,
  readSimulatorEnabled,
  SECTION,
} from './host/settings';
import { ZohoAuthenticationProvider } from './host/authProvider';
import { ResultFileSystem } from './host/resultFileSystem';
import { probeWhileTracking } from './host/presenceRule';
import { UiPresence } from './host/uiPresence';
import { MementoStore, SecretStorageStore } from './host/storageAdapters';
import { registerCommands } from './commands/registerCommands';
import { watchExport } from './commands/exportProgress';
import { ExportRunner } from './exports/exportRunner';
import { EXPORTS_FILE_NAME, ExportStore } from './exports/exportStore';
import { RunHistory } from './exports/runHistory';
import { activationExports } from './host/testMode';
import { JobService } from './jobs/jobService';
import { JOBS_FILE_NAME, JobStore } from './jobs/jobStore';
import type { Services } from './services';
import { registerJobsTree, type JobsTree } from './views/jobsTreeView';
import { DefinitionsEditorSupport } from './views/definitionsEditor';
import { ExportNotifications } from './views/exportNotifications';
import { NoModifiedTimeWarning } from './views/noModifiedTimeWarning';
import { JobNotifications } from './views/notifications';
import { CommandContexts } from './views/commandContexts';
import { JobsStatusBar } from './views/statusBar';

/**
 * What activate() returns in test mode only (see host/testMode.ts): lets integration tests look at
 * persisted state, the log and the status bar. Never the SecretStorage itself.
 */
export interface TestApi {
  services: Services;
  accounts: AccountStore;
  globalState: vscode.Memento;
  /** Reads one stored secret (tests check what sign-in stored and sign-out removed). */
  readSecret(key: string): Thenable<string | undefined>;
  logFile(): vscode.Uri | undefined;
  statusBar: {
    readonly text: string;
    readonly tooltip: string;
    readonly ariaLabel: string;
    readonly visible: boolean;
  };
  jobsTree: JobsTree;
}

export const SIGNED_IN_CONTEXT = 'creatorBulkJobs.signedIn';
export const SIMULATOR_CONTEXT = 'creatorBulkJobs.simulatorEnabled';
/** Set once this window's extension has set the keys its welcome views read (package.json viewsWelcome). */
export const STARTED_CONTEXT = 'creatorBulkJobs.started';
/** The view's name in package.json (contributes.views). */
const JOBS_VIEW_NAME = 'Bulk Read Jobs';

let active: DisposableStore | undefined;
/** The poller lease: deactivate gives it back first (core/lifecycle.ts closeWindow). */
let activeLease: FileLease | undefined;
/** Every module above has run by now: the bundle's own loading time ends here. */
const codeLoaded = mark();

export async function activate(context: vscode.ExtensionContext): Promise<TestApi | undefined> {
  const activateStarted = mark();
  // Disposed in reverse: listeners first, the services they call last.
  const root = new DisposableStore();
  const own = <T extends IDisposable>(value: T): T => root.add(value);
  active = root;
  context.subscriptions.push(root);

  const channel = own(createLogChannel());
  const logger = channelLogger(channel);
  // A listener that throws, a dispose that fails: logged, never lost (core/lifecycle.ts).
  own(logUnexpectedErrorsTo(logger));
  const storage = new MementoStore(context.globalState);
  // Every window runs this over the same global storage folder: the job list lives in a file there
  // that all windows merge into, and one window at a time (the lease holder) polls. See README,
  // "Several windows". The windows also share one access token per account (accounts/tokenShare.ts).
  const storageDir = context.globalStorageUri.fsPath;
  const accounts = own(
    new AccountStore({
      storage,
      secrets: new SecretStorageStore(context.secrets),
      logger,
      lockDir: storageDir,
    }),
  );

  const jobsFile = own(new SharedJsonFile(path.join(storageDir, JOBS_FILE_NAME), systemClock, logger));
  const store = own(new JobStore(jobsFile, logger, storage));
  const leaseFile = own(
    new SharedJsonFile(path.join(storageDir, POLLER_LEASE_FILE_NAME), systemClock, logger),
  );
  const lease = own(new FileLease(leaseFile, systemClock, logger));
  activeLease = lease;
  // A 429, the daily limit or a rejected token met by one window holds the account in all of them.
  const holdsFile = own(
    new SharedJsonFile(path.join(storageDir, ACCOUNT_HOLDS_FILE_NAME), systemClock, logger),
  );
  const jobs = own(
    new JobService({
      store,
      clients: (accountId) => accounts.clientFor(accountId),
      clock: systemClock,
      logger,
      resultsDir: path.join(storageDir, 'results'),
      settings: readPollSettings(),
      autoDownload: readAutoDownload,
      downloadIdleTimeoutMs: readDownloadIdleTimeoutMs,
      lease,
      accountHolds: own(new SharedAccountHolds(holdsFile, logger)),
    }),
  );
  // Exports are shared by every window like the jobs; only the window holding the poller lease
  // creates batches and writes export files.
  const exportsFile = own(new SharedJsonFile(path.join(storageDir, EXPORTS_FILE_NAME), systemClock, logger));
  // The runs of saved exports, shared like the exports (exports/runHistory.ts).
  const history = own(new RunHistory(storageDir, systemClock, logger));
  const exports = own(
    new ExportRunner({
      jobs,
      store: own(new ExportStore(exportsFile, logger)),
      clock: systemClock,
      logger,
      lease,
      applications: async (accountId) => (await accounts.clientFor(accountId)).listApplications(),
      history,
    }),
  );
  const services: Services = { accounts, jobs, exports, history, logger, storageDir };
  // No account, job or export: no timer, no lease beat, one folder watch (core/whileInUse.ts).
  own(
    new WhileInUse({
      inUse: () => accounts.list().length > 0 || jobs.jobs().length > 0 || exports.exports().length > 0,
      changes: [accounts.onDidChange, jobs.onDidChangeJob, exports.onDidChangeExport],
      storageDir,
      clock: systemClock,
      lease,
    }),
  );
  [jobsFile, holdsFile, exportsFile].forEach((file) => file.watch());

  own(new ResultFileSystem(services));
  own(new ZohoAuthenticationProvider(services));
  const tree = own(registerJobsTree(context, services));
  registerCommands(context, services, tree, accounts, channel);

  const statusBar = own(new JobsStatusBar(services));
  own(
    new CommandContexts(services, (key, value) => vscode.commands.executeCommand('setContext', key, value)),
  );
  own(new JobNotifications(services, readNotificationLevel, readAutoDownload));
  own(new ExportNotifications(services, readNotificationLevel));
  own(new NoModifiedTimeWarning(services));
  own(new DefinitionsEditorSupport(services));

  const updateSignedIn = (): void => {
    void vscode.commands.executeCommand('setContext', SIGNED_IN_CONTEXT, accounts.list().length > 0);
    // The view's title says who you are signed in as (a view's description is not shown when it is
    // the only view of its container).
    const labels = accounts
      .list()
      .map((account) => account.label)
      .join(', ');
    tree.view.title = labels ? `${JOBS_VIEW_NAME} · ${labels}` : JOBS_VIEW_NAME;
  };
  updateSignedIn();
  // The simulator is not shipped: offer it only when asked to (setting, npm run demo) or in development.
  const updateSimulator = (): void => {
    const enabled = readSimulatorEnabled() || context.extensionMode !== vscode.ExtensionMode.Production;
    void vscode.commands.executeCommand('setContext', SIMULATOR_CONTEXT, enabled);
  };
  updateSimulator();
  // Last, after the keys the welcome views read (CommandContexts' hasJobs/hasExports, signed in):
  // before it, VS Code would show a welcome (sign in, or "no jobs yet") that is not true, e.g.
  // while a reloaded window starts with an export running; setContext calls arrive in order.
  void vscode.commands.executeCommand('setContext', STARTED_CONTEXT, true);
  own(accounts.onDidChange(updateSignedIn));
  // After a reload, an export still running shows its progress notification (with Cancel) again.
  for (const run of exports.exports().filter((each) => each.state === 'running')) {
    watchExport(services, run.id);
  }
  // An auth problem holds an account's polling (15 min); signing in again (here or in another
  // window) must end that hold, as the "paused until you sign in again" message promises. Only
  // that account's jobs are polled: other accounts keep their schedule and their holds.
  own(accounts.onDidChangeCredentials((accountId) => void jobs.resumeAccount(accountId)));

  // The window the user works in is focused and has a UI that answers (host/uiPresence.ts).
  // The lease follows the slow rule (several missed answers); where a toast goes, the quick one.
  const presence = own(
    new UiPresence(({ present }) => {
      lease.setPresent(present);
      applyFocus();
    }),
  );
  own(probeWhileTracking(presence, jobs, exports));
  const applyFocus = (): void => void jobs.setFocused(vscode.window.state.focused && presence.answering);
  applyFocus();
  own(vscode.window.onDidChangeWindowState(applyFocus));
  own(
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration(`${SECTION}.enableSimulator`)) {
        updateSimulator();
      }
      if (event.affectsConfiguration(SECTION) && affectsPolling(event)) {
        jobs.updateSettings(readPollSettings());
      }
    }),
  );
  // A sign-in or sign-out in another window changes the shared SecretStorage.
  own(
    context.secrets.onDidChange((event) => {
      const accountId = accountIdOfSecretKey(event.key);
      if (accountId !== undefined) {
        void accounts.credentialsChanged(accountId);
      }
    }),
  );

  // Between loading and activate() VS Code prepares the context (storage, secrets): not ours.
  const loading = span(codeStarted, codeLoaded);
  const activating = span(activateStarted, mark());
  const ms = (value: number): string => value.toFixed(1);
  logger.info(
    `Activated in ${ms(loading.ms + activating.ms)} ms (loading ${ms(loading.ms)} ms, activate ${ms(activating.ms)} ms; ` +
      `CPU ${ms(loading.cpuMs + activating.cpuMs)} ms); ` +
      `${accounts.list().length} account(s), ${jobs.jobs().length} tracked job(s).`,
  );
  return activationExports(context.extensionMode === vscode.ExtensionMode.Test, process.env, () => ({
    services,
    accounts,
    globalState: context.globalState,
    readSecret: (key: string) => context.secrets.get(key),
    logFile: () => logFileOf(context),
    statusBar,
    jobsTree: tree,
  }));
}

/**
 * VS Code waits (a few seconds) for the promise deactivate returns: the lease is given back first,
 * so another window takes over polling on its next beat (2 s), not after the lease lapses (up to
 * 8 s, core/lease.ts; README, "Several windows"), and the promise also waits for the stores'
 * pending writes (core/lifecycle.ts closeWindow).
 */
export function deactivate(): Promise<void> {
  const closed = closeWindow(active, activeLease);
  active = undefined;
  activeLease = undefined;
  return closed;
}

// Run Saved Export: runs a named definition of .vscode/zoho-exports.json (quick pick, or the
// "Run export" CodeLens above it). A definition whose account is not signed in offers to sign in.
import * as vscode from 'vscode';
import { LocalRefusal } from '../core/refusal';
import {
  definitionDestination,
  definitionRequest,
  type AccountSelector,
  type ExportDefinition,
} from '../exports/definitions';
import { NoModifiedTimeError } from '../exports/incremental';
import { readExportFile } from '../host/settings';
import type { Services } from '../services';
import type { JobsTree } from '../views/jobsTreeView';
import type { Account } from '../zoho/types';
import { loadDefinitionFiles, openDefinition, type DefinitionsFile } from '../host/definitionFiles';
import { mayWrite, resolveDestination, startExport } from './exportReport';
import { pickAccount } from './pickers';
import { isCancellation, showCommandError } from './showError';
import { errorMessage } from '../core/format';

/** What the CodeLens passes: the file and the definition's name (and `full` for Run Full Export). */
export interface RunSavedExportArgs {
  uri: string;
  name: string;
  /** An incremental definition runs full this time (the whole report; deleted records found). */
  full?: boolean;
}

function describe(selector: AccountSelector): string {
  return typeof selector === 'string'
    ? `the account "${selector}"`
    : `the account of ${selector.owner}${selector.dataCentre ? ` (${selector.dataCentre})` : ''}`;
}

function matches(account: Account, selector: AccountSelector): boolean {
  return typeof selector === 'string'
    ? account.label === selector
    : account.owner === selector.owner &&
        (!selector.dataCentre || account.dataCentre === selector.dataCentre);
}

/** The account a definition names; offers to sign in when it is not signed in. */
async function accountFor(services: Services, definition: ExportDefinition): Promise<Account | undefined> {
  const selector = definition.account;
  if (selector === undefined) {
    return pickAccount(services);
  }
  const account = services.accounts.list().find((candidate) => matches(candidate, selector));
  if (account) {
    return account;
  }
  const choice = await vscode.window.showWarningMessage(
    `The export "${definition.name}" runs as ${describe(selector)}, which is not signed in.`,
    'Sign In with Access Token',
    'Sign In with Refresh Token',
  );
  if (choice) {
    const command =
      choice === 'Sign In with Refresh Token'
        ? 'creatorBulkJobs.signInWithRefreshToken'
        : 'creatorBulkJobs.signInWithAccessToken';
    const owner = typeof selector === 'string' ? undefined : selector.owner;
    await vscode.commands.executeCommand(
      command,
      owner
        ? { owner, dataCentre: selector && typeof selector !== 'string' ? selector.dataCentre : undefined }
        : undefined,
    );
    return services.accounts.list().find((candidate) => matches(candidate, selector));
  }
  return undefined;
}

interface Found {
  file: DefinitionsFile;
  definition: ExportDefinition;
}

async function pickDefinition(files: DefinitionsFile[], arg: unknown): Promise<Found | undefined> {
  const wanted = arg as Partial<RunSavedExportArgs> | undefined;
  const all = files.flatMap((file) =>
    file.parsed.definitions.map(({ definition }) => ({ file, definition })),
  );
  if (typeof wanted?.name === 'string') {
    const found = all.find(
      (entry) =>
        entry.definition.name === wanted.name && (!wanted.uri || entry.file.uri.toString() === wanted.uri),
    );
    if (!found) {
      const file = files.find((entry) => entry.uri.toString() === wanted.uri);
      const problem = file?.parsed.problems[0]?.message;
      void vscode.window.showErrorMessage(
        `The export "${wanted.name}" cannot be run${problem ? `: ${problem}` : ': it is not in the definitions file.'}`,
      );
    }
    return found;
  }
  const broken = files.filter((file) => file.parsed.problems.length > 0);
  if (broken.length > 0) {
    const count = broken.reduce((n, file) => n + file.parsed.problems.length, 0);
    void vscode.window
      .showWarningMessage(
        `${vscode.workspace.asRelativePath(broken[0].uri)} has ${count} problem(s); definitions with problems are not listed.`,
        'Open File',
      )
      .then((choice) => (choice ? vscode.window.showTextDocument(broken[0].uri) : undefined));
  }
  if (all.length === 0) {
    if (broken.length === 0) {
      void vscode.window.showInformationMessage(
        'No saved exports yet. Run Export Whole Report and choose Save as Definition when it completes, or write .vscode/zoho-exports.json.',
      );
    }
    return undefined;
  }
  const multiRoot = files.length > 1;
  const picked = await vscode.window.showQuickPick(
    all.map((entry) => ({
      label: entry.definition.name,
      description: `${entry.definition.app} / ${entry.definition.report}${multiRoot ? ` · ${entry.file.folder.name}` : ''}`,
      detail: entry.definition.criteria,
      entry,
    })),
    { placeHolder: 'Run which saved export?', matchOnDescription: true },
  );
  return picked?.entry;
}

export async function runSavedExport(
  services: Services,
  tree: JobsTree | undefined,
  arg?: unknown,
): Promise<string | undefined> {
  let account: Account | undefined;
  let found: Found | undefined;
  try {
    found = await pickDefinition(await loadDefinitionFiles(), arg);
    if (!found) {
      return undefined;
    }
    const { file, definition } = found;
    account = await accountFor(services, definition);
    if (!account) {
      return undefined;
    }
    const ref = { owner: definition.owner ?? account.owner, app: definition.app, report: definition.report };
    const destination = resolveDestination(
      file.folder,
      definitionDestination(definition, readExportFile()),
      ref,
    );
    if (typeof destination === 'string') {
      throw new LocalRefusal(destination);
    }
    // An incremental definition's destination is its own snapshot: each run updates it.
    if (definition.mode !== 'incremental' && (await mayWrite(destination)) !== true) {
      return undefined;
    }
    const full = (arg as Partial<RunSavedExportArgs> | undefined)?.full === true;
    const run = await startExport(services, tree, {
      account,
      ref,
      destination,
      definition: definition.name,
      definitionsFile: file.uri.toString(),
      ...definitionRequest(definition, { full }),
    });
    return run.id;
  } catch (error) {
    if (error instanceof NoModifiedTimeError && found) {
      // Only a full run can keep this snapshot: offer one, and the definition to change.
      const { file, definition } = found;
      void vscode.window
        .showWarningMessage(error.message, 'Run Full Export', 'Open Definition')
        .then(async (choice): Promise<unknown> =>
          choice === 'Run Full Export'
            ? runSavedExport(services, tree, { uri: file.uri.toString(), name: definition.name, full: true })
            : choice === 'Open Definition'
              ? openDefinition(definition.name, file.uri.toString())
              : undefined,
        )
        .then(undefined, (problem) =>
          services.logger.error(`Notification action failed: ${String(problem)}`),
        );
      return undefined;
    }
    const definition = found?.definition.name;
    if (definition === undefined || account === undefined || isCancellation(error)) {
      showCommandError(services, 'Could not run the saved export', error, account?.id);
      return undefined;
    }
    // The definition is what to fix: offer its line.
    const message = `Could not run the saved export "${definition}": ${errorMessage(error)}`;
    services.logger.error(message);
    const uri = found?.file.uri.toString();
    void vscode.window
      .showErrorMessage(message, 'Open Definition', 'Show Log')
      .then((choice) =>
        choice === 'Open Definition'
          ? openDefinition(definition, uri)
          : choice === 'Show Log'
            ? vscode.commands.executeCommand('creatorBulkJobs.showLog')
            : undefined,
      )
      .then(undefined, (problem) => services.logger.error(`Notification action failed: ${String(problem)}`));
    return undefined;
  }
}

/** The handler of 'creatorBulkJobs.runSavedExport' (registered, and loaded on first use, by registerCommands.ts). */
export function runSavedExportCommand(services: Services, tree: JobsTree) {
  return (arg?: unknown) => runSavedExport(services, tree, arg);
}

// Export Whole Report: what Create Bulk Read Job asks (batch size defaulting to the maximum, to
// spend the fewest API calls) plus where to write the merged CSV; then every batch runs by itself.
import * as vscode from 'vscode';
import { LocalRefusal } from '../core/refusal';
import { pickWorkspaceFolder, uriExists } from '../host/workspaceFiles';
import { expandDestination, destinationProblem, relativeSegments } from '../exports/destination';
import type { ExportRun } from '../exports/model';
import type { StartExport } from '../exports/exportsApi';
import { readExportFile } from '../host/settings';
import type { Services } from '../services';
import type { JobsTree } from '../views/jobsTreeView';
import { reportGroupKey } from '../views/treeShape';
import { MAX_MAX_RECORDS } from '../zoho/createBody';
import type { FirstBatchQuery, ReportRef } from '../zoho/types';
import { isZohoError } from '../zoho/errors';
import {
  createSteps,
  isCreateJobOptions,
  newCreateState,
  planFromOptions,
  planOf,
  stepOfError,
  type CreateJobOptions,
  type CreateState,
  type Plan,
} from './createJob';
import { runGuided, runPlanned } from './guided';
import { quickInputUi } from './quickInputUi';
import type { Step } from './stepFlow';
import { reportStepCount } from './reportSteps';
import { watchExport } from './exportProgress';
import { promptSignIn, type ReportTarget } from './pickers';
import { commandRefusal, showCommandError } from './showError';

const TITLE = 'Export Whole Report';
const OVERWRITE = 'Overwrite';
const OTHER_NAME = 'Choose Another Name';

export interface ExportReportOptions extends CreateJobOptions {
  /** Workspace-relative path (placeholders allowed) or an absolute path. */
  destination?: string;
  /** Replace an existing file without asking (automation only). */
  overwrite?: boolean;
  /** Name of the saved definition being run. */
  definition?: string;
}

/** What an export needs once every question is answered. */
export interface ExportPlan extends Plan {
  destination: vscode.Uri;
  definition?: string;
  /** The definitions file it is saved in (a URI): see StartExport. */
  definitionsFile?: string;
  /** An incremental definition's run (destination: its snapshot). */
  incremental?: StartExport['incremental'];
}

/**
 * True when `uri` does not exist or the user agreed to replace it; otherwise the other choice
 * they made (e.g. "Choose Another Name"), or undefined when they dismissed the question.
 */
export async function mayWrite(uri: vscode.Uri, ...others: string[]): Promise<true | string | undefined> {
  if (!(await uriExists(uri))) {
    return true;
  }
  const choice = await vscode.window.showWarningMessage(
    `${vscode.workspace.asRelativePath(uri)} already exists. Overwrite it?`,
    { modal: true, detail: 'The existing file is replaced only once the whole export has completed.' },
    OVERWRITE,
    ...others,
  );
  return choice === OVERWRITE ? true : choice;
}

/** The template (relative, with placeholders) as a file in the workspace, or an error text. */
export function resolveDestination(
  folder: vscode.WorkspaceFolder,
  template: string,
  ref: ReportRef,
): vscode.Uri | string {
  const problem = destinationProblem(template);
  if (problem) {
    return problem;
  }
  const segments = relativeSegments(expandDestination(template, ref, new Date()));
  return typeof segments === 'string' ? segments : vscode.Uri.joinPath(folder.uri, ...segments);
}

/** The destination step's answers: the folder (several open) and the template as last typed. */
interface DestinationState {
  folder?: vscode.WorkspaceFolder;
  destination?: string;
  /** The file the answers name, once the user agreed to write it. */
  destinationUri?: vscode.Uri;
}

/**
 * The last steps of the guided export: which workspace folder (only when several are open), then
 * the file, starting from the template. Counted in the title and with Back like the others; the
 * step ends only on a file that does not exist or that the user agreed to replace.
 */
function destinationSteps<
  S extends DestinationState & { report?: string; app?: { owner: string; app: string } },
>(folders: readonly vscode.WorkspaceFolder[]): { first: Step<S> } {
  const file: Step<S> = async (flow) => {
    const { state } = flow;
    const folder = state.folder ?? folders[0];
    const ref = { owner: state.app?.owner ?? '', app: state.app?.app ?? '', report: state.report ?? '' };
    for (;;) {
      const typed = await flow.input({
        prompt: `CSV file in ${folder.name}. Placeholders: {report}, {app}, {date}, {time}.`,
        value: state.destination ?? readExportFile(),
        validate: (text) => destinationProblem(text),
      });
      state.destination = typed;
      const uri = resolveDestination(folder, typed, ref);
      if (typeof uri === 'string') {
        continue; // validate already refused it
      }
      if ((await mayWrite(uri, OTHER_NAME)) === true) {
        state.destinationUri = uri;
        return undefined;
      }
      // Another name, or the question dismissed: the box stays open with what was typed.
    }
  };
  const folder: Step<S> = async (flow) => {
    type FolderItem = vscode.QuickPickItem & { folder: vscode.WorkspaceFolder };
    const picked = await flow.pick<FolderItem>({
      placeholder: 'Export into which workspace folder?',
      items: folders.map((listed) => ({
        label: listed.name,
        description: listed.uri.fsPath,
        folder: listed,
      })),
      active: (item) => item.folder === flow.state.folder,
    });
    flow.state.folder = picked.folder;
    return file;
  };
  return { first: folders.length > 1 ? folder : file };
}

/** How many steps the destination takes: none without a folder (a save dialog follows the flow). */
function destinationStepCount(folders: readonly vscode.WorkspaceFolder[]): number {
  return folders.length === 0 ? 0 : folders.length === 1 ? 1 : 2;
}

/** A report row of the tree names account and report: only the query and file are asked. */
function targetOfReportRow(services: Services, arg: unknown): ReportTarget | undefined {
  const row = arg as { kind?: unknown; groupKey?: unknown } | undefined;
  if (row?.kind !== 'report' || typeof row.groupKey !== 'string') {
    return undefined;
  }
  const job = services.jobs.jobs().find((candidate) => reportGroupKey(candidate) === row.groupKey);
  const account = job && services.accounts.get(job.accountId);
  return account && job && { account, ref: job.ref };
}

/** The answers of the flow, plus the destination as last typed (kept for Try Again). */
interface ExportState extends CreateState, DestinationState {}

/**
 * The guided flow of Create Bulk Read Job (step count, Back keeping answers) with the largest batch
 * size offered, then where to write the merged CSV; then the export starts. From a report row,
 * account and report are known: the flow starts at the criteria. A refusal offers Try Again, which
 * reopens the step the server objected to with every answer (and the file) kept.
 */
function startGuidedExport(
  services: Services,
  tree: JobsTree | undefined,
  arg: unknown,
): Promise<string | undefined> {
  if (services.accounts.list().length === 0) {
    promptSignIn();
    return Promise.resolve(undefined);
  }
  const folders = vscode.workspace.workspaceFolders ?? [];
  const destination = destinationSteps<CreateState & DestinationState>(folders);
  const steps = createSteps(
    services,
    folders.length > 0 ? destination.first : undefined,
    'the export creates batches until every record is read',
  );
  const state: ExportState = newCreateState(MAX_MAX_RECORDS);
  const row = targetOfReportRow(services, arg);
  if (row) {
    state.account = row.account;
    state.app = { owner: row.ref.owner, app: row.ref.app };
    state.report = row.ref.report;
  }
  return runGuided(
    {
      title: TITLE,
      totalSteps: () => (row ? 0 : reportStepCount(services)) + 3 + destinationStepCount(folders),
      first: row ? steps.criteria : steps.start(state),
      ui: quickInputUi,
      plan: async (): Promise<ExportPlan | undefined> => {
        const plan = planOf(state);
        // Without a workspace folder there is nothing to type a path into: a save dialog asks.
        const uri =
          folders.length === 0
            ? await vscode.window.showSaveDialog({
                title: `${TITLE}: ${plan.ref.report} (destination)`,
                filters: { CSV: ['csv'] },
                saveLabel: 'Export Here',
              })
            : state.destinationUri;
        return uri && { ...plan, destination: uri };
      },
      submit: async (plan) => (await startExport(services, tree, plan)).id,
      refused: (error, plan) =>
        // A refusal of Zoho points at a step; anything else (say, the file is being written by
        // another export) reopens the last step, and the destination box shows what was typed.
        commandRefusal(
          services,
          `Could not start the export of ${plan.ref.report}`,
          error,
          plan.account.id,
          isZohoError(error) ? stepOfError(steps, error) : {},
        ),
    },
    state,
  );
}

async function planFromExportOptions(
  services: Services,
  options: ExportReportOptions,
): Promise<ExportPlan | undefined> {
  const plan = await planFromOptions(services, {
    ...options,
    maxRecords: options.maxRecords ?? MAX_MAX_RECORDS,
  });
  if (!plan) {
    return undefined;
  }
  const template = options.destination ?? readExportFile();
  let destination: vscode.Uri;
  if (/^([A-Za-z]:[\\/]|\/)/.test(template)) {
    destination = vscode.Uri.file(template);
  } else {
    const folder = await pickWorkspaceFolder('Export into which workspace folder?');
    if (!folder) {
      throw new LocalRefusal('Open a folder first: exports are written into the workspace.');
    }
    const resolved = resolveDestination(folder, template, plan.ref);
    if (typeof resolved === 'string') {
      throw new LocalRefusal(resolved);
    }
    destination = resolved;
  }
  if (!options.overwrite && (await mayWrite(destination)) !== true) {
    return undefined;
  }
  return { ...plan, destination, definition: options.definition };
}

/** Starts the export and shows its progress; resolves with the run once started. */
export async function startExport(
  services: Services,
  tree: JobsTree | undefined,
  plan: ExportPlan,
): Promise<ExportRun> {
  const { account, ref, query } = plan;
  const run = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: `Starting the export of ${ref.report}…` },
    () =>
      services.exports.start({
        accountId: account.id,
        ref,
        query: query satisfies FirstBatchQuery,
        destination: plan.destination.fsPath,
        definition: plan.definition,
        definitionsFile: plan.definitionsFile,
        incremental: plan.incremental,
      }),
  );
  void tree?.revealExport(run.id).catch(() => undefined);
  watchExport(services, run.id);
  return run;
}

/** Resolves the new export's id, or undefined when cancelled or refused (the error is shown). */
export async function exportReport(
  services: Services,
  tree: JobsTree | undefined,
  arg?: unknown,
): Promise<string | undefined> {
  if (!isCreateJobOptions(arg)) {
    return startGuidedExport(services, tree, arg).catch((error: unknown) => {
      showCommandError(services, 'Could not start the export', error);
      return undefined;
    });
  }
  return runPlanned(
    () => planFromExportOptions(services, arg as ExportReportOptions),
    async (plan) => (await startExport(services, tree, plan)).id,
    (error, plan) => showCommandError(services, 'Could not start the export', error, plan?.account.id),
  );
}

/** The handler of 'creatorBulkJobs.exportReport' (registered, and loaded on first use, by registerCommands.ts). */
export function exportReportCommand(services: Services, tree: JobsTree) {
  return (arg?: unknown) => exportReport(services, tree, arg);
}

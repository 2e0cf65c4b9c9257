// Create Bulk Read Job: one guided flow, account -> application -> report -> criteria -> fields ->
// batch size, or all of it at once from an options object (automation and tests). A refusal offers
// Try Again, which reopens the step the server objected to with every answer kept.
import * as vscode from 'vscode';
import { LocalRefusal } from '../core/refusal';
import { JobNotSavedError } from '../jobs/model';
import type { Services } from '../services';
import type { JobsTree } from '../views/jobsTreeView';
import type { FirstBatchQuery } from '../zoho/types';
import { isZohoError } from '../zoho/errors';
import { runGuided, runPlanned, textStep } from './guided';
import { quickInputUi } from './quickInputUi';
import type { Step } from './stepFlow';
import { promptSignIn, reportTargetFromOptions, type ReportOptions, type ReportTarget } from './pickers';
import { chosenRef, newReportState, reportStepCount, reportSteps, type ReportState } from './reportSteps';
import { revealQuietly } from './revealJob';
import { commandRefusal, showCommandError } from './showError';
import type { TrackJobOptions } from './trackJob';
import {
  MIN_MAX_RECORDS,
  parseFieldList,
  parseMaxRecords,
  validateCriteria,
  validateFieldList,
  validateMaxRecords,
  validateReportOptions,
} from './validation';

export interface CreateJobOptions extends ReportOptions {
  criteria?: string;
  fields?: string[];
  maxRecords?: number;
}

export function isCreateJobOptions(arg: unknown): arg is CreateJobOptions {
  const candidate = arg as Partial<CreateJobOptions> | undefined;
  return typeof candidate?.app === 'string' && typeof candidate.report === 'string';
}

/** The first problem with an options object, in the words the input boxes use. */
function optionsProblem(options: CreateJobOptions): string | undefined {
  return (
    validateReportOptions(options) ??
    validateCriteria(options.criteria ?? '') ??
    validateFieldList((options.fields ?? []).join(',')) ??
    (options.maxRecords !== undefined ? validateMaxRecords(String(options.maxRecords)) : undefined)
  );
}

function queryOf(
  criteria: string | undefined,
  fields: string[] | undefined,
  maxRecords?: number,
): FirstBatchQuery {
  const query: FirstBatchQuery = {};
  if (criteria && criteria.trim() !== '') {
    query.criteria = criteria.trim();
  }
  if (fields && fields.length > 0) {
    query.fields = fields;
  }
  if (maxRecords !== undefined) {
    query.max_records = maxRecords;
  }
  return query;
}

const TRACK_EXISTING = 'Track Existing Job';

export interface Plan extends ReportTarget {
  query: FirstBatchQuery;
}

const TITLE = 'Create Bulk Read Job';

export interface CreateState extends ReportState {
  criteria: string;
  fields: string;
  maxRecords: string;
}

/**
 * Report, criteria, fields and batch size, then `next` (e.g. Export Whole Report's destination).
 * Built once per command run so Try Again can reopen one of them.
 */
export function createSteps(
  services: Services,
  next?: Step<CreateState>,
  /** What happens to the records past one batch (a job leaves them to Fetch Next Batch). */
  rest = 'Fetch Next Batch reads the rest',
) {
  const batchSize = textStep<CreateState, 'maxRecords'>({
    key: 'maxRecords',
    prompt: `Records per batch, 100000 to 200000 in steps of 1000 (${rest}).`,
    validate: validateMaxRecords,
    next,
  });
  const fields = textStep<CreateState, 'fields'>({
    key: 'fields',
    prompt:
      "Which fields, as link names separated by commas (optional: leave empty for the report's columns).",
    placeholder: 'Email, Number, Address.City',
    validate: validateFieldList,
    next: batchSize,
  });
  const criteria = textStep<CreateState, 'criteria'>({
    key: 'criteria',
    prompt: 'Which records to read, as Deluge criteria (optional: leave empty for all records).',
    placeholder: 'Total >= 100.00 && Status == "Open"',
    validate: validateCriteria,
    next: fields,
  });
  return { ...reportSteps<CreateState>(services, criteria), criteria, fields, batchSize };
}

export type CreateSteps = ReturnType<typeof createSteps>;

/** Which step a refusal of the server points at. */
export function stepOfError(steps: CreateSteps, error: unknown): { step: Step<CreateState>; field: string } {
  if (isZohoError(error, 'unsupportedReport') || (isZohoError(error, 'notFound') && error.code === 2894)) {
    return { step: steps.report, field: 'report' };
  }
  if (isZohoError(error, 'notFound')) {
    return { step: steps.app, field: 'app' };
  }
  if (isZohoError(error, 'badRequest')) {
    return { step: steps.criteria, field: 'criteria' };
  }
  return { step: steps.batchSize, field: 'maxRecords' };
}

/** A fresh state; the batch size box starts at `maxRecords`. */
export function newCreateState(maxRecords: number): CreateState {
  return { ...newReportState(), criteria: '', fields: '', maxRecords: String(maxRecords) };
}

export function planOf(state: CreateState): Plan {
  return {
    ...chosenRef(state),
    query: queryOf(state.criteria, parseFieldList(state.fields), parseMaxRecords(state.maxRecords)),
  };
}

/** Runs the guided flow, then creates the job; a refusal reopens the step it points at. */
function guidedCreate(services: Services, tree: JobsTree | undefined): Promise<string | undefined> {
  const steps = createSteps(services);
  const state = newCreateState(MIN_MAX_RECORDS);
  return runGuided(
    {
      title: TITLE,
      totalSteps: () => reportStepCount(services) + 3,
      first: steps.start(state),
      ui: quickInputUi,
      plan: planOf,
      submit: (plan) => submit(services, tree, plan),
      refused: (error, plan) =>
        commandRefusal(
          services,
          `Could not create a job for ${plan.ref.report}`,
          error,
          plan.account.id,
          stepOfError(steps, error),
        ),
    },
    state,
  );
}

async function submit(services: Services, tree: JobsTree | undefined, plan: Plan): Promise<string> {
  const { account, ref, query } = plan;
  const job = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: `Creating a bulk read job for ${ref.report}…` },
    () => services.jobs.createJob(account.id, ref, query),
  );
  revealQuietly(services, tree, job.key);
  // The tree shows the new row already; a status bar message (hidden by its own timeout)
  // leaves no toast to dismiss while the job runs.
  vscode.window.setStatusBarMessage(
    `$(check) Created bulk read job ${job.jobId} for ${ref.app} / ${ref.report}`,
    10_000,
  );
  return job.key;
}

export async function planFromOptions(
  services: Services,
  options: CreateJobOptions,
): Promise<Plan | undefined> {
  const problem = optionsProblem(options);
  if (problem) {
    throw new LocalRefusal(problem);
  }
  const target = await reportTargetFromOptions(services, options);
  return target && { ...target, query: queryOf(options.criteria, options.fields, options.maxRecords) };
}

/** Resolves the new job's key, or undefined when cancelled or refused (the error is shown). */
export async function createJob(
  services: Services,
  tree: JobsTree | undefined,
  arg?: unknown,
): Promise<string | undefined> {
  if (!isCreateJobOptions(arg)) {
    if (services.accounts.list().length === 0) {
      promptSignIn();
      return undefined;
    }
    return guidedCreate(services, tree);
  }
  return runPlanned(
    () => planFromOptions(services, arg),
    (plan) => submit(services, tree, plan),
    (error, plan) => {
      if (error instanceof JobNotSavedError) {
        offerToTrack(services, error);
      } else {
        showCommandError(services, 'Could not create the bulk read job', error, plan?.account.id);
      }
    },
  );
}

/** The job runs at Zoho but is not in the list: one click tracks it by its id. */
function offerToTrack(services: Services, error: JobNotSavedError): void {
  services.logger.error(error.message);
  const options: TrackJobOptions = { accountId: error.accountId, ...error.ref, jobId: error.jobId };
  void vscode.window.showErrorMessage(error.message, TRACK_EXISTING).then((choice) => {
    if (choice === TRACK_EXISTING) {
      void vscode.commands.executeCommand('creatorBulkJobs.trackJob', options);
    }
  });
}

/** The handler of 'creatorBulkJobs.createJob' (registered, and loaded on first use, by registerCommands.ts). */
export function createJobCommand(services: Services, tree?: JobsTree) {
  return (arg?: unknown) => createJob(services, tree, arg);
}

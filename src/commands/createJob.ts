// Create Bulk Read Job: account -> application -> report -> criteria -> fields -> batch size,
// or all of it at once from an options object (automation and tests).
import * as vscode from 'vscode';
import type { Services } from '../services';
import type { JobsTree } from '../views/jobsTree';
import type { FirstBatchQuery } from '../zoho/types';
import { pickReportTarget, reportTargetFromOptions, type ReportOptions, type ReportTarget } from './pickers';
import { revealQuietly } from './revealJob';
import { showCommandError } from './showError';
import {
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

export interface Plan extends ReportTarget {
  query: FirstBatchQuery;
}

export interface QueryPrompts {
  /** Title of the flow, e.g. "Create Bulk Read Job". */
  title: string;
  defaultMaxRecords: number;
}

const CREATE_PROMPTS: QueryPrompts = { title: 'Create Bulk Read Job', defaultMaxRecords: 100_000 };

/** Criteria, fields and batch size, as Create Bulk Read Job and Export Whole Report ask them. */
export async function askQuery(
  report: string,
  prompts: QueryPrompts = CREATE_PROMPTS,
): Promise<FirstBatchQuery | undefined> {
  const criteria = await vscode.window.showInputBox({
    title: `${prompts.title}: ${report} (criteria)`,
    prompt: 'Optional: which records to read, as Deluge criteria. Leave empty for all records.',
    placeHolder: 'Total >= 100.00 && Status == "Open"',
    ignoreFocusOut: true,
    validateInput: validateCriteria,
  });
  if (criteria === undefined) {
    return undefined;
  }
  const fields = await vscode.window.showInputBox({
    title: `${prompts.title}: ${report} (fields)`,
    prompt: "Optional: field link names separated by commas. Leave empty for the report's visible columns.",
    placeHolder: 'Email, Number, Address.City',
    ignoreFocusOut: true,
    validateInput: validateFieldList,
  });
  if (fields === undefined) {
    return undefined;
  }
  const maxRecords = await vscode.window.showInputBox({
    title: `${prompts.title}: ${report} (batch size)`,
    prompt:
      'Records per batch (max_records): 100000 to 200000 in steps of 1000. Further batches follow the record cursor.',
    value: String(prompts.defaultMaxRecords),
    ignoreFocusOut: true,
    validateInput: validateMaxRecords,
  });
  if (maxRecords === undefined) {
    return undefined;
  }
  return queryOf(criteria, parseFieldList(fields), parseMaxRecords(maxRecords));
}

async function askPlan(services: Services): Promise<Plan | undefined> {
  const target = await pickReportTarget(services);
  if (!target) {
    return undefined;
  }
  const query = await askQuery(target.ref.report);
  return query && { ...target, query };
}

export async function planFromOptions(
  services: Services,
  options: CreateJobOptions,
): Promise<Plan | undefined> {
  const problem = optionsProblem(options);
  if (problem) {
    throw new Error(problem);
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
  let plan: Plan | undefined;
  try {
    plan = isCreateJobOptions(arg) ? await planFromOptions(services, arg) : await askPlan(services);
    if (!plan) {
      return undefined;
    }
    const { account, ref, query } = plan;
    const job = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: `Creating bulk read job for ${ref.report}…` },
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
  } catch (error) {
    showCommandError(services, 'Could not create the bulk read job', error, plan?.account.id);
    return undefined;
  }
}

export function registerCreateJob(
  context: vscode.ExtensionContext,
  services: Services,
  tree?: JobsTree,
): void {
  context.subscriptions.push(
    vscode.commands.registerCommand('creatorBulkJobs.createJob', (arg?: unknown) =>
      createJob(services, tree, arg),
    ),
  );
}

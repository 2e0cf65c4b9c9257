// Track Existing Job: follow a job created elsewhere (another tool, a colleague) by its id. One guided
// flow (account -> application -> report -> job id); an unknown id offers Try Again with all kept.
import * as vscode from 'vscode';
import { LocalRefusal } from '../core/refusal';
import type { Services } from '../services';
import type { JobsTree } from '../views/jobsTreeView';
import { errorMessage } from '../core/format';
import { isZohoError } from '../zoho/errors';
import { runGuided, runPlanned, textStep } from './guided';
import { quickInputUi } from './quickInputUi';
import type { Step } from './stepFlow';
import { promptSignIn, reportTargetFromOptions, type ReportOptions, type ReportTarget } from './pickers';
import { chosenRef, newReportState, reportStepCount, reportSteps, type ReportState } from './reportSteps';
import { revealQuietly } from './revealJob';
import { commandRefusal, showCommandError } from './showError';
import { validateJobId, validateReportOptions } from './validation';

export interface TrackJobOptions extends ReportOptions {
  jobId: string;
}

function isTrackJobOptions(arg: unknown): arg is TrackJobOptions {
  const candidate = arg as Partial<TrackJobOptions> | undefined;
  return (
    typeof candidate?.app === 'string' &&
    typeof candidate.report === 'string' &&
    typeof candidate.jobId === 'string'
  );
}

interface Plan extends ReportTarget {
  jobId: string;
}

const TITLE = 'Track Existing Job';

interface TrackState extends ReportState {
  jobId: string;
}

function trackSteps(services: Services) {
  const jobId = textStep<TrackState, 'jobId'>({
    key: 'jobId',
    prompt: (state) =>
      `The id of a bulk read job of ${state.report ?? 'this report'} (digits), as returned when it was created.`,
    placeholder: '2000000018003',
    validate: validateJobId,
  });
  return { ...reportSteps<TrackState>(services, jobId), jobId };
}

type TrackSteps = ReturnType<typeof trackSteps>;

function stepOfError(steps: TrackSteps, error: unknown): { step: Step<TrackState>; field: string } {
  if (isZohoError(error, 'notFound') && error.code === 2894) {
    return { step: steps.report, field: 'report' };
  }
  if (isZohoError(error, 'notFound') && (error.code === 2892 || error.code === 1040)) {
    return { step: steps.app, field: 'app' };
  }
  return { step: steps.jobId, field: 'jobId' };
}

/** Names the job id once: not again when the error's own message names it. */
function couldNotTrack(jobId: string, error: unknown): string {
  return errorMessage(error).includes(jobId.trim())
    ? 'Could not track the job'
    : `Could not track job ${jobId}`.trim();
}

/** Runs the guided flow, then tracks the job; an unknown id reopens the step it points at. */
function guidedTrack(services: Services, tree: JobsTree | undefined): Promise<string | undefined> {
  const steps = trackSteps(services);
  const state: TrackState = { ...newReportState(), jobId: '' };
  return runGuided(
    {
      title: TITLE,
      totalSteps: () => reportStepCount(services) + 1,
      first: steps.start(state),
      ui: quickInputUi,
      plan: (s): Plan => ({ ...chosenRef(s), jobId: s.jobId }),
      submit: (plan) => submit(services, tree, plan),
      refused: (error, plan) =>
        commandRefusal(
          services,
          couldNotTrack(plan.jobId, error),
          error,
          plan.account.id,
          stepOfError(steps, error),
        ),
    },
    state,
  );
}

async function submit(services: Services, tree: JobsTree | undefined, plan: Plan): Promise<string> {
  const { account, ref, jobId } = plan;
  // trackJob looks the job up first: an unknown id fails here and nothing is tracked.
  const job = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: `Looking up job ${jobId}…` },
    () => services.jobs.trackJob(account.id, ref, jobId),
  );
  revealQuietly(services, tree, job.key);
  return job.key;
}

async function planFromOptions(services: Services, options: TrackJobOptions): Promise<Plan | undefined> {
  const problem = validateReportOptions(options) ?? validateJobId(options.jobId);
  if (problem) {
    throw new LocalRefusal(problem);
  }
  const target = await reportTargetFromOptions(services, options);
  return target && { ...target, jobId: options.jobId.trim() };
}

/** Resolves the job key, or undefined when cancelled or when the job could not be found (shown). */
export async function trackJob(
  services: Services,
  tree: JobsTree | undefined,
  arg?: unknown,
): Promise<string | undefined> {
  if (!isTrackJobOptions(arg)) {
    if (services.accounts.list().length === 0) {
      promptSignIn();
      return undefined;
    }
    return guidedTrack(services, tree);
  }
  return runPlanned(
    () => planFromOptions(services, arg),
    (plan) => submit(services, tree, plan),
    (error, plan) => showCommandError(services, couldNotTrack(arg.jobId, error), error, plan?.account.id),
  );
}

/** The handler of 'creatorBulkJobs.trackJob' (registered, and loaded on first use, by registerCommands.ts). */
export function trackJobCommand(services: Services, tree?: JobsTree) {
  return (arg?: unknown) => trackJob(services, tree, arg);
}

// `status <job-id>` and `download <job-id>`: one bulk read job, tracked in the state folder like
// the batches of an export (so a download is resumed, verified and shared as in the editor).
import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { accountIdFor } from '../accounts/accountStore';
import type { TrackedJob } from '../jobs/model';
import { accountFromEnv, simulatorAccount } from './environment';
import { CliError, EXIT, type ExitCode } from './exitCodes';
import { codeOfKind } from './follow';
import type { Context } from './run';
import type { CliServices } from './services';

/**
 * The tracked job with this id, or a new tracking of it from --app/--report (one API call; `fresh`:
 * the command forgets it again when done, so the state folder keeps only what this tool started).
 */
async function jobFor(context: Context, services: CliServices): Promise<{ job: TrackedJob; fresh: boolean }> {
  const { names, options } = context.invocation;
  if (names.length !== 1 || !/^\d+$/.test(names[0])) {
    throw new CliError(EXIT.usage, `Name one job id (digits), e.g. 2000000018003.`);
  }
  const jobId = names[0];
  const known = services.jobs.jobs().filter((job) => job.jobId === jobId);
  const account = options.simulator
    ? simulatorAccount(options.simulator)
    : accountFromEnv(context.env, undefined, options.owner ?? known[0]?.ref.owner);
  const accountId = accountIdFor(account.target);
  const tracked = known.find((job) => job.accountId === accountId);
  await services.signIn(account);
  await services.start();
  if (tracked) {
    return { job: tracked, fresh: false };
  }
  if (!options.app || !options.report) {
    throw new CliError(
      EXIT.usage,
      `The job ${jobId} is not one this tool created or downloaded: name its report with --app and --report.`,
    );
  }
  const ref = { owner: options.owner ?? account.target.owner, app: options.app, report: options.report };
  return { job: await services.jobs.trackJob(accountId, ref, jobId), fresh: true };
}

function jobEvent(job: TrackedJob, file?: string) {
  return {
    type: 'job' as const,
    jobId: job.jobId,
    state: job.state,
    status: job.details?.status ?? job.state,
    ...(job.details?.result?.count !== undefined ? { records: job.details.result.count } : {}),
    report: `${job.ref.app}/${job.ref.report}`,
    ...(file ? { file } : {}),
  };
}

export async function statusCommand(context: Context): Promise<ExitCode> {
  const services = await context.services();
  const { job, fresh } = await jobFor(context, services);
  if (!fresh) {
    await services.jobs.refresh(job.key); // a fresh tracking asked Zoho just now
  }
  const now = services.jobs.get(job.key) ?? job;
  context.output.emit(jobEvent(now));
  if (fresh) {
    await services.jobs.stopTracking(job.key); // looked at, not kept (nor polled, nor downloaded)
  }
  if (now.lastError && now.lastError.at >= (job.lastPolledAt ?? 0)) {
    context.output.emit({
      type: 'error',
      exitCode: codeOfKind(now.lastError.kind),
      message: now.lastError.message,
    });
    return codeOfKind(now.lastError.kind);
  }
  return now.state === 'failed' ? EXIT.refused : EXIT.ok;
}

/** Resolves once the job is no longer running (or Ctrl+C). */
function settled(
  services: CliServices,
  key: string,
  interrupted: AbortSignal,
): Promise<TrackedJob | undefined> {
  return new Promise((resolve) => {
    const look = (): void => {
      const job = services.jobs.get(key);
      if (!job || job.state !== 'running') {
        subscription.dispose();
        resolve(job);
      }
    };
    const subscription = services.jobs.onDidChangeJob(({ job }) => job.key === key && look());
    interrupted.addEventListener('abort', () => {
      subscription.dispose();
      resolve(undefined);
    });
    look();
  });
}

export async function downloadCommand(context: Context): Promise<ExitCode> {
  context.pollSeconds();
  context.maxPollSeconds();
  const services = await context.services();
  const { job, fresh } = await jobFor(context, services);
  try {
    return await download(context, services, job);
  } finally {
    if (fresh) {
      await services.jobs.stopTracking(job.key); // nor its copy in the state folder: it is out
    }
  }
}

async function download(context: Context, services: CliServices, job: TrackedJob): Promise<ExitCode> {
  const { options } = context.invocation;
  const out = path.resolve(options.out ?? `${job.ref.report}_${job.jobId}.csv`);
  if (!options.overwrite && existsSync(out)) {
    throw new CliError(
      EXIT.usage,
      `${out} exists already. Pass --overwrite to replace it, or --out another file.`,
    );
  }
  if (job.state === 'running') {
    context.output.note(
      `Job ${job.jobId} is still running; waiting for Zoho to finish it (Ctrl+C stops waiting).`,
    );
  }
  const done = await settled(services, job.key, context.interrupted);
  if (!done) {
    context.output.note(`Stopped waiting. Run the same command again to carry on.`);
    return EXIT.interrupted;
  }
  if (done.state !== 'completed') {
    const message =
      done.lastError?.message ?? `Zoho reports the job as ${done.details?.status ?? done.state}.`;
    context.output.emit({ type: 'error', exitCode: EXIT.refused, message });
    return EXIT.refused;
  }
  const result = await services.jobs.ensureResult(done.key, { signal: context.interrupted });
  // Copied under a temporary name first: the final name only ever holds the whole, counted file.
  const temporary = `${out}.${randomUUID().slice(0, 8)}.part`;
  try {
    await fs.mkdir(path.dirname(out), { recursive: true });
    await fs.copyFile(result.path, temporary);
    await fs.rename(temporary, out);
  } finally {
    await fs.rm(temporary, { force: true });
  }
  context.output.emit(jobEvent(done, path.relative(process.cwd(), out) || out));
  return EXIT.ok;
}

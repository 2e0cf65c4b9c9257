// Follows one export run until it settles, printing its progress and one summary line, and says
// which exit code its outcome stands for. Shared by `export` and `resume`.
import * as path from 'node:path';
import { LocalRefusal } from '../core/refusal';
import { NoModifiedTimeError, noModifiedTimeAdvice, noModifiedTimeText } from '../exports/incremental';
import { batchesDone, type ExportRun } from '../exports/model';
import type { TrackedJob } from '../jobs/model';
import { isZohoError } from '../zoho/errors';
import { EXIT, type ExitCode } from './exitCodes';
import type { CliEvent, Output, Progress } from './output';
import type { CliServices } from './services';

type Done = Extract<CliEvent, { type: 'done' }>;

/** The exit code of a failure of this kind (src/zoho/errors.ts). */
export function codeOfKind(kind: string | undefined): ExitCode {
  switch (kind) {
    case 'authExpired':
    case 'authFailed':
    case 'missingScope':
      return EXIT.signIn;
    case 'dailyLimit':
      return EXIT.dailyLimit;
    case 'cancelled':
      return EXIT.interrupted;
    case 'diskFull':
      return EXIT.failure; // a disk error (./exitCodes.ts), not Zoho's refusal
    case undefined:
    case 'unknown':
      return EXIT.failure;
    default:
      return EXIT.refused;
  }
}

/** The exit code and message of anything thrown by the core. */
export function describeError(error: unknown): { code: ExitCode; message: string } {
  if (isZohoError(error)) {
    const codes = [
      error.code !== undefined ? `Zoho code ${error.code}` : '',
      error.httpStatus ? `HTTP ${error.httpStatus}` : '',
    ]
      .filter(Boolean)
      .join(', ');
    const code = codeOfKind(error.kind);
    const prefix = code === EXIT.refused ? 'Zoho refused: ' : '';
    return { code, message: `${prefix}${error.message}${codes ? ` (${codes})` : ''}` };
  }
  if (error instanceof NoModifiedTimeError) {
    // The definition asks for what the report cannot give: fixed in the file (or by --full), not a bug.
    return {
      code: EXIT.usage,
      message: `${error.problem} ${noModifiedTimeAdvice(error.fieldsLackIt, 'Run it with --full')}`,
    };
  }
  if (error instanceof LocalRefusal) {
    // Refused here before asking Zoho (a file another export writes, a job id that is not one):
    // what the user asked cannot be done as asked, which is not a bug of the tool.
    return { code: EXIT.usage, message: error.message };
  }
  return { code: EXIT.failure, message: error instanceof Error ? error.message : String(error) };
}

function lastJob(services: CliServices, run: ExportRun): TrackedJob | undefined {
  return services.jobs.get(run.batches[run.batches.length - 1].key);
}

export function progressOf(services: CliServices, name: string, run: ExportRun, now: number): Progress {
  const done = batchesDone(run);
  const newest = lastJob(services, run);
  const lastKnown = newest?.state === 'completed' && !newest.details?.result?.record_cursor;
  const seconds = Math.max(0.001, (now - run.startedAt) / 1000);
  const progress: Progress = {
    type: 'progress',
    name,
    exportId: run.id,
    batch: Math.min(run.batches.length, done + 1),
    batchesDone: done,
    records: run.records,
    bytes: run.bytesWritten,
    recordsPerSecond: run.records / seconds,
    seconds,
  };
  if (lastKnown) {
    progress.batches = run.batches.length;
  }
  if (done > 0 && done < run.batches.length) {
    // The batches so far took this long each on average: so will this one (Zoho gives no progress).
    progress.batchEtaSeconds = Math.max(0, (seconds / done) * (done + 1) - seconds);
  }
  return progress;
}

/** How to carry `run` on; `simulator` is the --simulator URL of this run (its account is the simulator's). */
export function resumeHint(run: ExportRun, simulator?: string): string {
  const also = simulator ? ` --simulator ${simulator}` : '';
  return `Resume with: creator-bulk-jobs resume ${run.id}${also}  (or: creator-bulk-jobs resume --most-recent${also})`;
}

/**
 * Waits until the run settles (or Ctrl+C, the daily limit, a sign-in problem ends the wait), with
 * its progress on the way; emits its summary and resolves with its exit code.
 */
export async function follow(
  services: CliServices,
  output: Output,
  runId: string,
  name: string,
  interrupted: AbortSignal,
  /** services.apiCalls() before the run's first request (its creation). */
  callsBefore = services.apiCalls(),
  /** The --simulator URL of this invocation, repeated in the resume hint. */
  simulator?: string,
): Promise<ExitCode> {
  const subscriptions: Array<{ dispose(): unknown }> = [];
  let ticker: ReturnType<typeof setInterval> | undefined;
  const ended = await new Promise<{
    why: 'settled' | 'interrupted' | 'dailyLimit' | 'signIn';
    message?: string;
  }>((resolve) => {
    const look = (): void => {
      const run = services.exports.get(runId);
      if (!run) {
        resolve({ why: 'settled' });
        return;
      }
      if (run.state !== 'running' && run.cancelRequest === undefined) {
        resolve({ why: 'settled' });
        return;
      }
      output.emit(progressOf(services, name, run, Date.now()));
    };
    const paused = (): void => {
      const run = services.exports.get(runId);
      const pause = services.jobs
        .pauses()
        .find(
          (each) =>
            each.accountId === run?.accountId && each.reason === 'dailyLimit' && each.until > Date.now(),
        );
      if (pause) {
        resolve({ why: 'dailyLimit', message: pause.message });
      }
    };
    subscriptions.push(
      services.exports.onDidChangeExport(({ run }) => run.id === runId && look()),
      services.jobs.onDidChangeJob(({ job }) => job.exportId === runId && look()),
      services.jobs.onDidChangePause(paused),
      services.jobs.onDidHitAccountProblem((problem) => {
        if (problem.accountId === services.exports.get(runId)?.accountId) {
          resolve({ why: 'signIn', message: problem.error.message });
        }
      }),
    );
    if (output.mode === 'tty') {
      ticker = setInterval(look, 1000); // the clock and rate move even while Zoho works
    }
    if (interrupted.aborted) {
      resolve({ why: 'interrupted' });
    }
    interrupted.addEventListener('abort', () => resolve({ why: 'interrupted' }), { once: true });
    paused();
    look();
  });
  clearInterval(ticker);
  for (const subscription of subscriptions) {
    subscription.dispose();
  }
  const run = services.exports.get(runId);
  if (!run) {
    output.emit({
      type: 'error',
      exitCode: EXIT.failure,
      message: `The export ${runId} is no longer listed.`,
    });
    return EXIT.failure;
  }
  const done: Done = {
    type: 'done',
    name,
    exportId: run.id,
    state: 'completed',
    exitCode: EXIT.ok,
    records: run.records,
    batches: run.batches.length,
    bytes: run.bytesWritten,
    apiCalls: services.apiCalls() - callsBefore,
    seconds: Math.max(0, ((run.finishedAt ?? Date.now()) - run.startedAt) / 1000),
  };
  const finalName = path.relative(process.cwd(), run.destination) || run.destination;
  if (ended.why === 'interrupted') {
    Object.assign(done, {
      batches: batchesDone(run), // the ones in the file, as the message says (not the one cut off)
      state: 'interrupted',
      exitCode: EXIT.interrupted,
      message: `Interrupted after ${batchesDone(run)} of its batches: nothing was written under ${finalName}. A resume within 15 minutes carries on where it stopped (Zoho keeps the record cursor that long); later, it starts again from the first batch`,
      resume: resumeHint(run, simulator),
    });
  } else if (ended.why === 'dailyLimit' || ended.why === 'signIn') {
    Object.assign(done, {
      batches: batchesDone(run),
      state: ended.why,
      exitCode: ended.why === 'dailyLimit' ? EXIT.dailyLimit : EXIT.signIn,
      message: `${ended.message ?? ''} Nothing was written under ${finalName}`,
      resume: resumeHint(run, simulator),
    });
  } else if (run.state === 'completed') {
    done.file = finalName;
    if (run.snapshot && run.mode && run.changes) {
      // An incremental definition: the file the user keeps is the snapshot it updated.
      done.file = path.relative(process.cwd(), run.snapshot) || run.snapshot;
      const { added, changed, removed, file } = run.changes;
      done.mode = run.mode;
      done.changes = { added, changed, removed, file: path.relative(process.cwd(), file) || file };
      if (run.noModifiedTime) {
        done.message = noModifiedTimeText(run);
      }
    }
  } else {
    const job = lastJob(services, run);
    let code: ExitCode = EXIT.integrity;
    if (run.state === 'interrupted' || run.state === 'cancelled') {
      // Resumable, unless what stopped it needs the user first: credentials, or tomorrow.
      const daily = services.jobs
        .pauses()
        .some((p) => p.accountId === run.accountId && p.reason === 'dailyLimit');
      const kind = codeOfKind(job?.lastError?.kind);
      code = daily
        ? EXIT.dailyLimit
        : kind === EXIT.signIn || kind === EXIT.dailyLimit
          ? kind
          : EXIT.interrupted;
    } else if (job?.state === 'failed') {
      code = EXIT.refused; // Zoho reported the batch failed
    }
    Object.assign(done, {
      state: run.state,
      exitCode: code,
      message: run.error ?? `The export ${run.state}.`,
      resume: run.state === 'failed' ? undefined : resumeHint(run, simulator),
    });
  }
  output.emit(done);
  return done.exitCode as ExitCode;
}

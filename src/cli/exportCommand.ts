// `export <name...> | --all` and `list`: saved definitions run headless, one after another (they
// share the account's allowance and its five job creations a minute, so running them side by side
// would gain little and make every progress line harder to read).
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { accountIdFor } from '../accounts/accountStore';
import { definitionDestination, definitionRequest, type ExportDefinition } from '../exports/definitions';
import { DEFAULT_EXPORT_FILE } from '../exports/destination';
import type { ExportRun } from '../exports/model';
import { isZohoError } from '../zoho/errors';
import { accountFromEnv, simulatorAccount, type EnvAccount } from './environment';
import { CliError, EXIT, worst, type ExitCode } from './exitCodes';
import { describeError, follow, resumeHint } from './follow';
import {
  destinationOf,
  hasErrors,
  loadDefinitions,
  problemEvent,
  type DefinitionsFile,
} from './definitionsFile';
import type { Context } from './run';

function accountText(definition: ExportDefinition): string | undefined {
  const selector = definition.account;
  if (selector === undefined) {
    return undefined;
  }
  return typeof selector === 'string'
    ? selector
    : `${selector.owner}${selector.dataCentre ? ` (${selector.dataCentre})` : ''}`;
}

export async function listCommand(context: Context): Promise<ExitCode> {
  const defs = await loadDefinitions(context.invocation.options.definitions);
  for (const { definition } of defs.parsed.definitions) {
    const destination = definitionDestination(definition, DEFAULT_EXPORT_FILE);
    context.output.emit({
      type: 'definition',
      name: definition.name,
      app: definition.app,
      report: definition.report,
      destination,
      ...(accountText(definition) ? { account: accountText(definition) } : {}),
    });
  }
  for (const problem of defs.parsed.problems) {
    context.output.emit(problemEvent(defs, problem));
  }
  if (defs.parsed.definitions.length === 0 && defs.parsed.problems.length === 0) {
    context.output.note(`${defs.file} has no definitions yet.`);
  }
  return hasErrors(defs) ? EXIT.usage : EXIT.ok;
}

/** The definitions asked for, after checking the file and the names (nothing sent to Zoho yet). */
function chosen(context: Context, defs: DefinitionsFile): ExportDefinition[] {
  const { names, options } = context.invocation;
  if (options.all && names.length > 0) {
    throw new CliError(EXIT.usage, 'Name the exports to run, or pass --all, not both.');
  }
  if (!options.all && names.length === 0) {
    throw new CliError(
      EXIT.usage,
      'Name the exports to run, or pass --all. "creator-bulk-jobs list" shows them.',
    );
  }
  for (const problem of defs.parsed.problems) {
    context.output.emit(problemEvent(defs, problem));
  }
  const valid = defs.parsed.definitions.map((each) => each.definition);
  if (options.all) {
    if (hasErrors(defs)) {
      // A nightly job that quietly skips a broken definition loses a backup nobody notices.
      throw new CliError(
        EXIT.usage,
        `${path.relative(process.cwd(), defs.file) || defs.file} has problems (above): fix them, or name the exports to run.`,
      );
    }
    if (valid.length === 0) {
      throw new CliError(EXIT.usage, `${defs.file} has no definitions.`);
    }
    return valid;
  }
  return names.map((name) => {
    const found = valid.find((definition) => definition.name === name);
    if (!found) {
      const known = valid.map((definition) => `"${definition.name}"`).join(', ') || 'none';
      throw new CliError(
        EXIT.usage,
        `No runnable definition is named "${name}" in ${defs.file}${hasErrors(defs) ? ' (see the problems above)' : ''}. Runnable: ${known}.`,
      );
    }
    return found;
  });
}

/**
 * The run that never finished (Ctrl+C, a killed process, the daily limit) and still writes this
 * file or snapshot. The core refuses a second run of it (src/exports/exportRunner.ts, start), but
 * only after this process signed in and began driving the old run: asked here first, nothing is spent.
 */
function unfinishedRunOf(runs: readonly ExportRun[], destination: string): ExportRun | undefined {
  return runs.find(
    (run) => run.state === 'running' && (run.destination === destination || run.snapshot === destination),
  );
}

function heldText(name: string, held: ExportRun): string {
  const file = path.relative(process.cwd(), held.snapshot ?? held.destination) || held.destination;
  return `${name}: an earlier run (export ${held.id}, started ${new Date(held.startedAt).toISOString()}) did not finish and still holds ${file}: it was interrupted (Ctrl+C, a killed process, the daily limit), or another creator-bulk-jobs process is running it. Nothing was sent to Zoho. Carry it on: resume finishes the file (from its next batch, or from the first once Zoho no longer keeps its cursor); or start again with: creator-bulk-jobs export "${name}" --restart`;
}

/** Creations Zoho throttled (5 a minute per account) are tried again after its wait, this often. */
const THROTTLED_TRIES = 5;

/**
 * Runs `create`, waiting out Zoho's creation throttle (429/2955: docs/zoho-bulk-read-api.md,
 * "Limits and throttles") as the export runner does between batches: `export --all` of several
 * definitions meets it by design.
 */
async function throttled<T>(context: Context, name: string, create: () => Promise<T>): Promise<T> {
  for (let tries = 1; ; tries++) {
    try {
      return await create();
    } catch (error) {
      if (!isZohoError(error, 'rateLimited') || tries >= THROTTLED_TRIES || context.interrupted.aborted) {
        throw error;
      }
      const ms = Math.max(1000, error.retryAfterMs ?? 60_000);
      context.output.note(
        `${name}: Zoho allows 5 new jobs a minute; trying again in ${Math.ceil(ms / 1000)} s.`,
      );
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        context.interrupted.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
      });
      if (context.interrupted.aborted) {
        // Stopped while waiting: no new call (it would be refused again and spend the allowance).
        throw new CliError(
          EXIT.interrupted,
          'interrupted while the limit on new jobs held it back: no job was created and nothing written. Run the export again.',
        );
      }
    }
  }
}

export async function exportCommand(context: Context): Promise<ExitCode> {
  const { options } = context.invocation;
  const defs = await loadDefinitions(options.definitions);
  const definitions = chosen(context, defs);
  context.pollSeconds(); // a bad value is a usage error before anything starts
  context.maxPollSeconds();
  // Every account and destination is checked before the first call to Zoho.
  const now = new Date();
  const plans = definitions.map((definition) => {
    const account: EnvAccount = options.simulator
      ? simulatorAccount(options.simulator)
      : accountFromEnv(context.env, definition.account, definition.owner);
    const ref = {
      owner: definition.owner ?? account.target.owner,
      app: definition.app,
      report: definition.report,
    };
    const destination = destinationOf(defs, definition, ref, now);
    // An incremental definition's destination is its snapshot: every run updates it.
    if (!options.overwrite && definition.mode !== 'incremental' && existsSync(destination)) {
      throw new CliError(
        EXIT.usage,
        `${path.relative(process.cwd(), destination)} exists already (export "${definition.name}"). Pass --overwrite to replace it, or use {date} or {time} in the definition's "destination".`,
      );
    }
    return { definition, account, ref, destination };
  });
  const services = await context.services();
  const codes: ExitCode[] = [];
  /** Earlier runs that did not finish, to discard first (--restart). */
  const discard: ExportRun[] = [];
  const runnable = plans.filter((plan) => {
    const held = unfinishedRunOf(services.exports.exports(), plan.destination);
    if (held && options.restart) {
      discard.push(held);
      return true;
    }
    if (held) {
      context.output.emit({
        type: 'error',
        exitCode: EXIT.interrupted,
        message: heldText(plan.definition.name, held),
        resume: resumeHint(held, context.invocation.options.simulator),
      });
      codes.push(EXIT.interrupted);
    }
    return !held;
  });
  if (runnable.length === 0) {
    return worst(codes); // nothing signed in, nothing sent
  }
  for (const plan of runnable) {
    await services.signIn(plan.account);
  }
  await services.start();
  for (const held of discard) {
    // As the editor's Cancel Export: stopped by the process that drives it (this one, or another
    // over the same state folder, which is asked), its working file deleted, then forgotten.
    await services.exports.remove(held.id);
    context.output.note(`Discarded the earlier run ${held.id} of "${held.definition ?? held.ref.report}".`);
  }
  for (const plan of runnable) {
    if (context.interrupted.aborted) {
      break;
    }
    const name = plan.definition.name;
    let runId: string;
    const callsBefore = services.apiCalls();
    try {
      const start = () =>
        services.exports.start({
          accountId: accountIdFor(plan.account.target),
          ref: plan.ref,
          destination: plan.destination,
          definition: name,
          definitionsFile: path.resolve(defs.file),
          ...definitionRequest(plan.definition, { full: options.full }),
        });
      runId = (await throttled(context, name, start)).id;
    } catch (error) {
      const { code, message } =
        error instanceof CliError ? { code: error.code, message: error.message } : describeError(error);
      context.output.emit({ type: 'error', exitCode: code, message: `${name}: ${message}` });
      codes.push(code);
      if (code === EXIT.signIn || code === EXIT.dailyLimit || code === EXIT.interrupted) {
        break; // the next exports would meet the same
      }
      continue;
    }
    context.output.emit({
      type: 'start',
      name,
      exportId: runId,
      report: `${plan.ref.app}/${plan.ref.report}`,
      destination: path.relative(process.cwd(), plan.destination) || plan.destination,
    });
    const code = await follow(
      services,
      context.output,
      runId,
      name,
      context.interrupted,
      callsBefore,
      context.invocation.options.simulator,
    );
    codes.push(code);
    if (code === EXIT.dailyLimit || code === EXIT.signIn) {
      break;
    }
  }
  return worst(codes);
}

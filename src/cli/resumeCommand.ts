// `resume [--most-recent | <export-id>]`: carries on an export that stopped before it completed.
// A run still marked running (Ctrl+C, a killed process, the daily limit) is driven again by the
// export runner as soon as this process holds the lease: it goes on from its next batch while
// Zoho keeps the record cursor. A run that stopped (its cursor expired, say) starts again from its
// first batch with the same query and destination (ExportRunner.restart): Zoho offers no other way.
import * as path from 'node:path';
import { accountIdFor } from '../accounts/accountStore';
import type { ExportRun } from '../exports/model';
import { accountFromEnv, simulatorAccount, type EnvAccount } from './environment';
import { CliError, EXIT, type ExitCode } from './exitCodes';
import { follow } from './follow';
import { loadDefinitions } from './definitionsFile';
import type { Context } from './run';
import type { CliServices } from './services';

function resumable(services: CliServices): ExportRun[] {
  return services.exports
    .exports()
    .filter((run) => run.state !== 'completed')
    .sort((a, b) => b.startedAt - a.startedAt);
}

/** The environment's account for the run (its definition's selector when the file has it). */
async function accountOf(context: Context, run: ExportRun): Promise<EnvAccount> {
  const { options } = context.invocation;
  if (options.simulator) {
    return simulatorAccount(options.simulator);
  }
  let selector;
  try {
    const defs = await loadDefinitions(options.definitions);
    selector = defs.parsed.definitions.find((each) => each.definition.name === run.definition)?.definition
      .account;
  } catch {
    // No definitions file here: the plain variables are the account.
  }
  return accountFromEnv(context.env, selector, run.ref.owner);
}

export async function resumeCommand(context: Context): Promise<ExitCode> {
  const { names, options } = context.invocation;
  if (names.length > 1 || (names.length === 1 && options['most-recent'])) {
    throw new CliError(EXIT.usage, 'Name one export id, or pass --most-recent.');
  }
  const services = await context.services();
  const candidates = resumable(services);
  if (names.length === 0 && !options['most-recent']) {
    for (const run of candidates) {
      context.output.emit({
        type: 'export',
        exportId: run.id,
        name: run.definition ?? run.ref.report,
        state: run.state,
        records: run.records,
        startedAt: new Date(run.startedAt).toISOString(),
        ...(run.keptPath ? { file: run.keptPath } : {}),
      });
    }
    // Listing is what a bare `resume` is for: it succeeds (docs/CLI.md).
    context.output.note(
      candidates.length > 0
        ? 'Name the export to resume (its id, or the start of it), or pass --most-recent.'
        : 'No export is waiting to be resumed.',
    );
    return EXIT.ok;
  }
  const run = options['most-recent']
    ? candidates[0]
    : (candidates.find((each) => each.id === names[0]) ??
      (() => {
        const matching = candidates.filter((each) => each.id.startsWith(names[0]));
        return matching.length === 1 ? matching[0] : undefined;
      })());
  if (!run) {
    throw new CliError(
      EXIT.usage,
      options['most-recent']
        ? 'No export is waiting to be resumed.'
        : `No unfinished export has the id "${names[0]}". "creator-bulk-jobs resume" lists them.`,
    );
  }
  const env = await accountOf(context, run);
  if (accountIdFor(env.target) !== run.accountId) {
    throw new CliError(
      EXIT.signIn,
      `The export ${run.id} ran as the account ${run.accountId}, but the environment signs in as ${accountIdFor(env.target)}. Set the variables of that account (see "creator-bulk-jobs --help").`,
    );
  }
  // Counted from here: once started, this process polls the run's batch and downloads its result
  // at once (before any line below), and those calls are this resume's.
  const callsBefore = services.apiCalls();
  await services.signIn(env);
  await services.start();
  const name = run.definition ?? run.ref.report;
  let id = run.id;
  if (run.state !== 'running') {
    context.output.note(
      `The export ${run.id} ${run.state}${run.error ? ` (${run.error})` : ''}; Zoho keeps no record cursor that long, so it starts again from the first batch.`,
    );
    id = (await services.exports.restart(run.id)).id;
  }
  context.output.emit({
    type: 'start',
    name,
    exportId: id,
    report: `${run.ref.app}/${run.ref.report}`,
    destination: path.relative(process.cwd(), run.destination) || run.destination,
    resumed: true,
  });
  return follow(
    services,
    context.output,
    id,
    name,
    context.interrupted,
    callsBefore,
    context.invocation.options.simulator,
  );
}

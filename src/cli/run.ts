// The tool's commands, loaded by ./main.ts once it knows one must run (a bundle of its own,
// dist/cli-run.js). Builds what every command shares: the output, the secrets to mask, Ctrl+C,
// and the core over the state folder (opened only by the commands that need it).
import { errorMessage } from '../core/format';
import type { Logger } from '../core/ports';
import { redactKnown } from '../zoho/redact';
import { secretValues, type Env } from './environment';
import { exportCommand, listCommand } from './exportCommand';
import { describeError } from './follow';
import { downloadCommand, statusCommand } from './jobCommands';
import { resumeCommand } from './resumeCommand';
import { CliError, EXIT, type ExitCode } from './exitCodes';
import type { Invocation } from './main';
import { Output } from './output';
import { openServices, type CliServices } from './services';
import { stateDir } from './stateDir';

/** CREATOR_BULK_JOBS_LOG=debug (or info) prints the core's log to stderr, masked. */
export const LOG_ENV = 'CREATOR_BULK_JOBS_LOG';

export interface Context {
  readonly invocation: Invocation;
  readonly output: Output;
  readonly env: Env;
  /** Aborted by Ctrl+C (SIGINT) or SIGTERM: commands stop waiting and say how to resume. */
  readonly interrupted: AbortSignal;
  /** The core over the state folder, opened on first use. */
  services(): Promise<CliServices>;
  pollSeconds(): number;
  maxPollSeconds(): number;
}

function seconds(raw: string | undefined, flag: string, fallback: number, min: number, max: number): number {
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isFinite(value) || value < min || value > max) {
    throw new CliError(
      EXIT.usage,
      `${flag} must be a number of seconds from ${min} to ${max} (got "${raw}").`,
    );
  }
  return value;
}

function stderrLogger(level: string | undefined, mask: (text: string) => string): Logger {
  const levels = ['error', 'warn', 'info', 'debug', 'trace'];
  const max = levels.indexOf(level ?? '');
  const at =
    (name: string) =>
    (line: string): void => {
      if (max >= 0 && levels.indexOf(name) <= max) {
        process.stderr.write(`[${name}] ${mask(line)}\n`);
      }
    };
  return { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug'), trace: at('trace') };
}

export async function run(invocation: Invocation, env: Env = process.env): Promise<ExitCode> {
  const secrets = secretValues(env);
  const output = new Output(invocation.options.json === true, secrets);
  const mask = (text: string): string => redactKnown(text, secrets);
  const controller = new AbortController();
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    signals++;
    if (signals > 1) {
      output.finish();
      process.stderr.write('Stopped at once: the export state may need a moment when resumed.\n');
      process.exit(EXIT.interrupted);
    }
    output.note(
      `\n${signal === 'SIGINT' ? 'Ctrl+C' : signal}: stopping cleanly (press it again to quit at once)…`,
    );
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let opened: Promise<CliServices> | undefined;
  const context: Context = {
    invocation,
    output,
    env,
    interrupted: controller.signal,
    services: () =>
      (opened ??= openServices({
        stateDir: stateDir(env),
        logger: stderrLogger(env[LOG_ENV], mask),
        pollSeconds: context.pollSeconds(),
        maxPollSeconds: context.maxPollSeconds(),
      })),
    pollSeconds: () => seconds(invocation.options['poll-seconds'], '--poll-seconds', 5, 0.1, 300),
    maxPollSeconds: () => seconds(invocation.options['max-poll-seconds'], '--max-poll-seconds', 600, 1, 3600),
  };
  try {
    switch (invocation.command) {
      case 'export':
        return await exportCommand(context);
      case 'list':
        return await listCommand(context);
      case 'resume':
        return await resumeCommand(context);
      case 'status':
        return await statusCommand(context);
      case 'download':
        return await downloadCommand(context);
      default:
        throw new CliError(EXIT.usage, `Unknown command.`);
    }
  } catch (error) {
    const known = error instanceof CliError;
    const described = known ? { code: error.code, message: error.message } : describeError(error);
    output.emit({
      type: 'error',
      exitCode: described.code,
      message: mask(described.message || errorMessage(error)),
    });
    return described.code;
  } finally {
    output.finish();
    if (opened) {
      await (await opened.catch(() => undefined))?.close();
    }
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

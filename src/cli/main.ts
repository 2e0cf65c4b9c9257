// Entry point of the command-line tool (bin creator-bulk-jobs, bundled to dist/cli.js by
// esbuild.js). It parses the command line with Node's own util.parseArgs and answers --help and
// --version by itself; everything else (the core, axios, the file system work) is in ./run, a
// separate file required only when a command runs, so that the first output comes fast.
// Never imports vscode, src/host, src/views or src/commands (eslint.config.mjs).
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CliError, EXIT, type ExitCode } from './exitCodes';
import { COMMANDS, HELP, MAIN_HELP, type CommandName } from './help';

/** Set by esbuild.js from package.json; "dev" when run from source. */
declare const CLI_VERSION: string | undefined;

export interface CliOptions {
  all?: boolean;
  overwrite?: boolean;
  restart?: boolean;
  full?: boolean;
  json?: boolean;
  definitions?: string;
  simulator?: string;
  'poll-seconds'?: string;
  'max-poll-seconds'?: string;
  'most-recent'?: boolean;
  app?: string;
  report?: string;
  owner?: string;
  out?: string;
  help?: boolean;
  version?: boolean;
}

export interface Invocation {
  command: CommandName;
  names: string[];
  options: CliOptions;
}

const OPTIONS: NonNullable<ParseArgsConfig['options']> = {
  all: { type: 'boolean' },
  overwrite: { type: 'boolean' },
  restart: { type: 'boolean' },
  full: { type: 'boolean' },
  json: { type: 'boolean' },
  definitions: { type: 'string' },
  simulator: { type: 'string' },
  'poll-seconds': { type: 'string' },
  'max-poll-seconds': { type: 'string' },
  'most-recent': { type: 'boolean' },
  app: { type: 'string' },
  report: { type: 'string' },
  owner: { type: 'string' },
  out: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'V' },
};

const COMMON = ['definitions', 'simulator', 'json', 'help'];
/** The options each command takes (any other is a usage error, not silently ignored). */
const ALLOWED: Record<CommandName, string[]> = {
  export: [...COMMON, 'all', 'overwrite', 'restart', 'full', 'poll-seconds', 'max-poll-seconds'],
  list: COMMON,
  status: [...COMMON, 'app', 'report', 'owner'],
  download: [...COMMON, 'app', 'report', 'owner', 'out', 'overwrite', 'poll-seconds', 'max-poll-seconds'],
  resume: [...COMMON, 'most-recent', 'poll-seconds', 'max-poll-seconds'],
};

function version(): string {
  return typeof CLI_VERSION === 'string' ? CLI_VERSION : 'dev';
}

/** The command line as an invocation, or the text to print and the code to exit with. */
export function parseCommandLine(argv: string[]): Invocation | { print: string; code: ExitCode } {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    const command = COMMANDS.find((name) => argv.includes(name));
    throw new CliError(
      EXIT.usage,
      `${(error as Error).message}\nRun "creator-bulk-jobs ${command ?? ''}${command ? ' ' : ''}--help" for the options.`,
    );
  }
  const options = parsed.values as CliOptions;
  const [first, ...names] = parsed.positionals;
  if (options.version) {
    return { print: version(), code: EXIT.ok };
  }
  if (first === undefined) {
    return { print: MAIN_HELP, code: options.help ? EXIT.ok : EXIT.usage };
  }
  if (first === 'help') {
    const topic = COMMANDS.find((name) => name === names[0]);
    return { print: topic ? HELP[topic] : MAIN_HELP, code: EXIT.ok };
  }
  const command = COMMANDS.find((name) => name === first);
  if (!command) {
    throw new CliError(
      EXIT.usage,
      `Unknown command "${first}". Commands: ${COMMANDS.join(', ')}.\n\n${MAIN_HELP}`,
    );
  }
  if (options.help) {
    return { print: HELP[command], code: EXIT.ok };
  }
  const wrong = Object.keys(options).filter((key) => !ALLOWED[command].includes(key));
  if (wrong.length > 0) {
    throw new CliError(
      EXIT.usage,
      `${command} does not take --${wrong.join(', --')}. Run "creator-bulk-jobs ${command} --help".`,
    );
  }
  return { command, names, options };
}

async function main(): Promise<void> {
  let code: ExitCode;
  try {
    const invocation = parseCommandLine(process.argv.slice(2));
    if ('print' in invocation) {
      (invocation.code === EXIT.ok ? process.stdout : process.stderr).write(`${invocation.print}\n`);
      code = invocation.code;
    } else {
      // The rest of the tool, loaded only now (a separate bundle: see the top of this file).
      const { run } = await import('./run.js');
      code = await run(invocation);
    }
  } catch (error) {
    const known = error instanceof CliError;
    process.stderr.write(`${known ? error.message : ((error as Error)?.stack ?? String(error))}\n`);
    code = known ? error.code : EXIT.failure;
  }
  process.exitCode = code;
  // Leaves time for stdout to drain into a pipe; a handle left open by mistake cannot hang CI.
  setTimeout(() => process.exit(code), 1000).unref();
}

if (require.main === module) {
  void main();
}

// Runs the simulator stand-alone (demo, benchmarks, manual testing):
//   node -r esbuild-register test/simulator/cli.ts --port 0 --job-seconds 5 --status-profile sample --no-throttles
//   [--no-retry-after] [--empty-result headerOnly|code3000|code9220] [--pivot-status 400|200]
//   [--changes added,edited,deleted [--change-seed N]]: each line typed on stdin (Enter) then
//   applies that change set to help-desk/All_Tickets (test/simulator/changes.ts) and prints the IDs.
import { createInterface } from 'node:readline';
import { startSimulator } from './index';
import type { EmptyResult, StatusProfile } from './api';

const PROFILES: readonly StatusProfile[] = ['sample', 'doc', 'prose'];
const EMPTY_RESULTS: readonly EmptyResult[] = ['headerOnly', 'code3000', 'code9220'];

function oneOf<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) {
    throw new Error(`${flag} must be one of ${allowed.join(', ')}`);
  }
  return value as T;
}

function parseArgs(argv: string[]): {
  port: number;
  jobSeconds: number;
  profile: StatusProfile;
  throttles: boolean;
  retryAfter: boolean;
  emptyResult: EmptyResult;
  pivotStatus: 400 | 200;
  changes?: { added: number; edited: number; deleted: number };
  changeSeed?: number;
} {
  const args = {
    port: 0,
    jobSeconds: 5,
    profile: 'sample' as StatusProfile,
    throttles: true,
    retryAfter: true,
    emptyResult: 'headerOnly' as EmptyResult,
    pivotStatus: 400 as 400 | 200,
    changes: undefined as { added: number; edited: number; deleted: number } | undefined,
    changeSeed: undefined as number | undefined,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (): string => {
      const next = argv[++i];
      if (next === undefined) {
        throw new Error(`${arg} needs a value`);
      }
      return next;
    };
    if (arg === '--port') {
      args.port = Number(value());
    } else if (arg === '--job-seconds') {
      args.jobSeconds = Number(value());
    } else if (arg === '--status-profile') {
      args.profile = oneOf(arg, value(), PROFILES);
    } else if (arg === '--no-throttles') {
      args.throttles = false;
    } else if (arg === '--no-retry-after') {
      args.retryAfter = false;
    } else if (arg === '--empty-result') {
      args.emptyResult = oneOf(arg, value(), EMPTY_RESULTS);
    } else if (arg === '--pivot-status') {
      args.pivotStatus = Number(oneOf(arg, value(), ['400', '200'])) as 400 | 200;
    } else if (arg === '--changes') {
      const [added, edited, deleted] = value().split(',').map(Number);
      if (![added, edited, deleted].every((n) => Number.isInteger(n) && n >= 0)) {
        throw new Error('--changes needs three counts: added,edited,deleted (e.g. 5,10,2)');
      }
      args.changes = { added, edited, deleted };
    } else if (arg === '--change-seed') {
      args.changeSeed = Number(value());
    } else {
      throw new Error(`Unknown argument ${arg}`);
    }
  }
  if (!Number.isInteger(args.port) || args.port < 0 || !(args.jobSeconds >= 0)) {
    throw new Error('--port must be an integer >= 0 and --job-seconds a number >= 0');
  }
  return args;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const sim = await startSimulator({
    port: args.port,
    jobDurationMs: args.jobSeconds * 1000,
    statusProfile: args.profile,
    throttles: args.throttles,
  });
  sim.switches.retryAfter = args.retryAfter;
  sim.switches.emptyResult = args.emptyResult;
  sim.switches.unsupportedReportHttpStatus = args.pivotStatus;
  console.log(`Zoho Creator simulator listening on ${sim.url}`);
  const changes = args.changes;
  if (changes) {
    console.log('Press Enter to change help-desk/All_Tickets.');
    let seed = args.changeSeed ?? 1;
    createInterface({ input: process.stdin }).on('line', () => {
      const applied = sim.changeReport('help-desk', 'All_Tickets', { seed: seed++, ...changes });
      console.log(
        `Changed All_Tickets: added ${applied.added.join(' ') || '-'}; edited ${applied.edited.join(' ') || '-'}; deleted ${applied.deleted.join(' ') || '-'}`,
      );
    });
  }
  const stop = (): void => {
    sim.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(2);
});

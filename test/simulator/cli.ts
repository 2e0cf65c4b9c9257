// Runs the simulator stand-alone (demo, benchmarks, manual testing):
//   node -r esbuild-register test/simulator/cli.ts --port 0 --job-seconds 5 --status-profile sample --no-throttles
//   [--no-retry-after] [--empty-result headerOnly|code3000|code9220] [--pivot-status 400|200]
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
} {
  const args = {
    port: 0,
    jobSeconds: 5,
    profile: 'sample' as StatusProfile,
    throttles: true,
    retryAfter: true,
    emptyResult: 'headerOnly' as EmptyResult,
    pivotStatus: 400 as 400 | 200,
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

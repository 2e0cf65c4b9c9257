// Runs the simulator stand-alone (demo, benchmarks, manual testing):
//   node -r esbuild-register test/simulator/cli.ts --port 0 --job-seconds 5 --status-profile sample --no-throttles
import { startSimulator } from './index';
import type { StatusProfile } from './api';

function parseArgs(argv: string[]): {
  port: number;
  jobSeconds: number;
  profile: StatusProfile;
  throttles: boolean;
} {
  const args = { port: 0, jobSeconds: 5, profile: 'sample' as StatusProfile, throttles: true };
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
      const profile = value();
      if (profile !== 'sample' && profile !== 'doc') {
        throw new Error('--status-profile must be sample or doc');
      }
      args.profile = profile;
    } else if (arg === '--no-throttles') {
      args.throttles = false;
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

// The start of a build cut by esbuild.js (buildSplit), for laterSplit.test.ts: it uses ./shared.ts
// itself and loads ./later.ts and ./laterSync.ts on first use, as src/commands/registerCommands.ts
// and src/jobs/resultDownloads.ts load theirs.
import { bump, SharedError } from './shared';
import type * as LaterSync from './laterSync';

/** Never called: a library meant for first use stays out of both files until it is used. */
export async function unzipLater(): Promise<unknown> {
  return import('yauzl');
}

export async function run(): Promise<{ sameClass: boolean; message: string; calls: number }> {
  bump();
  const later = await import('./later.js');
  try {
    later.fail();
  } catch (error) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { count } = require('./laterSync') as typeof LaterSync;
    return { sameClass: error instanceof SharedError, message: (error as Error).message, calls: count() };
  }
  throw new Error('later.fail() did not throw');
}

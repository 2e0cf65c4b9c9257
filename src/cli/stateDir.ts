// Where the tool keeps its state (the jobs and exports it runs, their downloaded batches, the lock
// and lease files): one folder per user, never in the repository (docs/CLI.md, "State folder").
// Several processes share it safely: the stores merge every change under a file lock
// (src/core/sharedJsonFile.ts) and one process at a time drives the exports (src/core/lease.ts).
import * as os from 'node:os';
import * as path from 'node:path';

/** Overrides the folder (tests, or two independent setups on one machine). */
export const STATE_DIR_ENV = 'CREATOR_BULK_JOBS_STATE_DIR';
const NAME = 'creator-bulk-jobs';

export function stateDir(
  env: Readonly<Record<string, string | undefined>> = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = os.homedir(),
): string {
  const override = env[STATE_DIR_ENV]?.trim();
  if (override) {
    return path.resolve(override);
  }
  if (platform === 'win32') {
    return path.join(env.LOCALAPPDATA || path.join(home, 'AppData', 'Local'), NAME, 'State');
  }
  if (platform === 'darwin') {
    return path.join(home, 'Library', 'Application Support', NAME);
  }
  // XDG Base Directory: state that should persist between runs but is not worth a backup.
  const xdg = env.XDG_STATE_HOME?.trim();
  return path.join(xdg && path.isAbsolute(xdg) ? xdg : path.join(home, '.local', 'state'), NAME);
}

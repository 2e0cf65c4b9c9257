// Bounds a folder of generated files (e.g. Compare with Previous Run's summaries and difference
// lists, src/commands/compareRuns.ts): all but the newest few are removed, oldest by modification time.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

/**
 * Removes all but the `keep` newest files of `folder` whose names `matches` (other files and
 * folders, e.g. a compare under way, are left alone). A file that cannot be removed is left for next time.
 */
export async function keepNewestFiles(
  folder: string,
  keep: number,
  matches: (name: string) => boolean,
): Promise<void> {
  const entries = await fs.readdir(folder, { withFileTypes: true }).catch(() => []);
  const dated = await Promise.all(
    entries
      .filter((entry) => entry.isFile() && matches(entry.name))
      .map(async ({ name }) => ({
        name,
        at: (await fs.stat(path.join(folder, name)).catch(() => undefined))?.mtimeMs,
      })),
  );
  const old = dated
    .filter((entry) => entry.at !== undefined)
    .sort((a, b) => (b.at ?? 0) - (a.at ?? 0))
    .slice(keep);
  await Promise.all(
    old.map(({ name }) => fs.rm(path.join(folder, name), { force: true }).catch(() => undefined)),
  );
}

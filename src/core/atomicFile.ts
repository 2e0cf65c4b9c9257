// The two file moves every shared document relies on: a crash-safe replacement (write a temp file,
// then rename it over the old one: a reader sees the old or the new file, never half of one) and
// setting aside a file this version cannot use (kept for the user, with a warning).
import { randomUUID } from './nodeCrypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Clock, Logger } from './ports';

/** The file holds something this version cannot use (not JSON, or not the expected shape). */
export class UnusableContentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnusableContentError';
  }
}

/** A temp file name next to `file`: it does not end in .json, so no watcher reports it. */
export function tempPath(file: string): string {
  return `${file}.${randomUUID()}.tmp`;
}

/**
 * Replaces `file` with `text` by rename. `beforeRename` may refuse at the last moment (e.g. a
 * writer that lost its lock while paused): it throws, and nothing is replaced.
 */
export async function replaceFile(
  file: string,
  text: string,
  beforeRename?: () => Promise<void>,
): Promise<void> {
  const temp = tempPath(file);
  try {
    // Flushed to disk before the rename: after a power loss the file is the old or the new one,
    // never empty (a rename can reach the disk before the data it names). Node 20.10+ honours it.
    await fs.writeFile(temp, text, { flush: true });
    await beforeRename?.();
    await fs.rename(temp, file);
  } finally {
    await fs.rm(temp, { force: true });
  }
}

/** A temp file this old was left by a writer that crashed (a write takes milliseconds). */
export const ABANDONED_TEMP_MS = 10 * 60_000;

/**
 * Removes the temp files in `folder` that crashed writers left behind (best effort). `listing`: the
 * folder's names as just read, if the caller has them (a window start then lists it only once).
 */
export async function removeAbandonedTemps(folder: string, listing?: string[]): Promise<void> {
  const names = listing ?? (await fs.readdir(folder).catch(() => [] as string[]));
  for (const name of names.filter((each) => each.endsWith('.tmp'))) {
    const file = path.join(folder, name);
    const stat = await fs.stat(file).catch(() => undefined);
    if (stat && Date.now() - stat.mtimeMs > ABANDONED_TEMP_MS) {
      await fs.rm(file, { force: true }).catch(() => undefined);
    }
  }
}

/** Moves an unusable file aside. The name sorts by time; the suffix keeps two in one millisecond apart. */
export async function moveAside(
  file: string,
  reason: UnusableContentError,
  clock: Clock,
  logger: Logger,
): Promise<void> {
  const time = new Date(clock.now()).toISOString().replace(/[:.]/g, '-');
  const aside = `${file}.bad-${time}-${randomUUID().slice(0, 8)}`;
  await fs.rename(file, aside);
  logger.warn(
    `${path.basename(file)} could not be used (${reason.message}): it was moved to ` +
      `${path.basename(aside)} in the same folder, and a new one was started.`,
  );
}

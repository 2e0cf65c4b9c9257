// One start at a time per destination file, across every window: the check that no running export
// writes the file, and the adding of the new run, happen under a lock file beside the destination
// (../core/fileLock.ts). Without it two windows (or a double click) could both pass the check and
// both write one file or snapshot, each spending a job on it. The lock is touched while the start
// waits on Zoho; a window that paused past STALE_LOCK_MS finds, before adding its run, that it no
// longer holds the lock, and gives its start up. Part of ./exportRunner.ts.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { STALE_LOCK_MS, tryLock } from '../core/fileLock';
import { LocalRefusal } from '../core/refusal';

/** Whether this start still holds its claim (ask just before the run is added). */
export type StillClaimed = () => Promise<boolean>;

export async function withStartClaim<T>(
  destination: string,
  start: (claimed: StillClaimed) => Promise<T>,
): Promise<T> {
  await fs.mkdir(path.dirname(destination), { recursive: true });
  const lock = await tryLock(`${destination}.start.lock`);
  if (!lock) {
    throw new LocalRefusal(
      `An export into ${path.basename(destination)} is being started (in this or another window). Look for it in the jobs view, or choose another file.`,
    );
  }
  const beat = setInterval(() => void lock.touch().catch(() => undefined), STALE_LOCK_MS / 3);
  try {
    return await start(() => lock.stillHeld());
  } finally {
    clearInterval(beat);
    await lock.release();
  }
}

// A lock shared by every window of the editor (each runs its own extension host): a file created
// with O_EXCL ('wx'), which exactly one process can create. Its holder refreshes its time while it
// works; a lock whose file was not touched for STALE_LOCK_MS belongs to a window that crashed or
// hangs, and may be broken. Times here are real file times, not the injectable Clock: they are
// about other processes, which do not share a fake clock.
import { randomUUID } from './nodeCrypto';
import { promises as fs } from 'node:fs';

/** A lock untouched this long is abandoned (holders touch it every STALE_LOCK_MS / 3 while working). */
export const STALE_LOCK_MS = 10_000;

export interface HeldLock {
  /** Marks the lock as still in use (call it while a long task runs). */
  touch(): Promise<void>;
  /** Whether the lock file still holds this holder's id (a holder that hung may have lost it). */
  stillHeld(): Promise<boolean>;
  release(): Promise<void>;
}

/** Tries once: the lock if it was free (or abandoned), undefined while another holder keeps it. */
export async function tryLock(lockPath: string): Promise<HeldLock | undefined> {
  const token = randomUUID();
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await fs.writeFile(lockPath, token, { flag: 'wx' });
      return heldLock(lockPath, token);
    } catch (error) {
      if (!isCode(error, 'EEXIST')) {
        throw error;
      }
    }
    if (!(await breakIfStale(lockPath))) {
      return undefined;
    }
  }
  return undefined;
}

/** Waits for the lock (short critical sections), polling every few ms; throws after `timeoutMs`. */
export async function acquireLock(lockPath: string, timeoutMs = 2 * STALE_LOCK_MS): Promise<HeldLock> {
  const deadline = Date.now() + timeoutMs;
  for (let wait = 5; ; wait = Math.min(wait * 2, 100)) {
    const lock = await tryLock(lockPath);
    if (lock) {
      return lock;
    }
    if (Date.now() > deadline) {
      throw new Error(`Timed out waiting for the lock ${lockPath}.`);
    }
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

/** Runs `task` while holding the lock. */
export async function withLock<T>(lockPath: string, task: () => Promise<T>): Promise<T> {
  const lock = await acquireLock(lockPath);
  try {
    return await task();
  } finally {
    await lock.release();
  }
}

/** Whether someone holds the lock now (a stale file does not count). */
export async function isLocked(lockPath: string): Promise<boolean> {
  try {
    const { mtimeMs } = await fs.stat(lockPath);
    return Date.now() - mtimeMs < STALE_LOCK_MS;
  } catch {
    return false;
  }
}

function heldLock(lockPath: string, token: string): HeldLock {
  return {
    touch: async () => {
      const now = new Date();
      await fs.utimes(lockPath, now, now).catch(() => undefined);
    },
    stillHeld: async () => (await fs.readFile(lockPath, 'utf8').catch(() => undefined)) === token,
    release: async () => {
      // Only our own file: after a long hang another window may have broken and retaken the lock.
      const content = await fs.readFile(lockPath, 'utf8').catch(() => undefined);
      if (content === token) {
        await fs.unlink(lockPath).catch(() => undefined);
      }
    },
  };
}

/** Removes an abandoned lock file; true if the lock may be free now. */
async function breakIfStale(lockPath: string): Promise<boolean> {
  try {
    const { mtimeMs } = await fs.stat(lockPath);
    if (Date.now() - mtimeMs < STALE_LOCK_MS) {
      return false;
    }
    // Rename, then delete: of two windows breaking the same stale lock at the same moment, only one
    // rename finds the file. (Both could still win if the second stat and rename straddle the first
    // window's whole break-and-retake; that needs a crashed holder and two racing windows within
    // microseconds, and costs at most one overwritten write.)
    const aside = `${lockPath}.${randomUUID()}.stale`;
    await fs.rename(lockPath, aside);
    await fs.unlink(aside).catch(() => undefined);
    return true;
  } catch (error) {
    return isCode(error, 'ENOENT'); // released meanwhile: try again
  }
}

function isCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}

// The files of a running export, fenced against a window that wakes up late. A window paused
// (SIGSTOP, a laptop lid, a debugger) longer than its lease keeps its open append handle, and
// resumes writing wherever that handle points. So a window only ever appends to a file of its own
// (workingPath in ./model.ts, named by its fencing token); a window taking the run over copies the
// recorded bytes into a new file of its own instead of reusing the old one, and the final name is
// given with link(), which never replaces a file (the late window's file, or the user's).
import type { Hash } from 'node:crypto';
import { constants, createReadStream, promises as fs } from 'node:fs';
import { CsvRecordCounter } from '../results/csvRecordCounter';

/**
 * Copies the first `bytes` bytes of `from` into `to`, a new file (never an existing one). Bytes a
 * late writer appends to `from` after them are not copied; fewer than `bytes` is an error.
 */
export async function copyPrefix(from: string, to: string, bytes: number): Promise<void> {
  await fs.copyFile(from, to, constants.COPYFILE_EXCL);
  const handle = await fs.open(to, 'r+');
  try {
    const size = (await handle.stat()).size;
    if (size < bytes) {
      throw new Error(
        `it holds ${size.toLocaleString('en-US')} bytes where ${bytes.toLocaleString('en-US')} were written`,
      );
    }
    await handle.truncate(bytes);
  } catch (error) {
    await handle.close();
    await fs.rm(to, { force: true });
    throw error;
  }
  await handle.close();
}

/**
 * What a file holds, compared with what the run recorded: undefined when it matches. `digest` is fed
 * the bytes in the same pass that counts the records (the run history's checksum: no second read).
 */
export async function mismatch(
  filePath: string,
  /** `bytes` undefined: the size is not known (only the records are checked). */
  expected: { bytes?: number; records: number },
  digest?: Hash,
): Promise<string | undefined> {
  const size = (await fs.stat(filePath)).size;
  if (expected.bytes !== undefined && size !== expected.bytes) {
    return `${size.toLocaleString('en-US')} bytes where ${expected.bytes.toLocaleString('en-US')} were written`;
  }
  const records = size === 0 ? 0 : await countRecords(filePath, digest);
  if (records !== expected.records) {
    return `${records.toLocaleString('en-US')} records where ${expected.records.toLocaleString('en-US')} were written`;
  }
  return undefined;
}

/** Counts data records (header excluded, see CsvRecordCounter), hashing the bytes on the way. */
async function countRecords(filePath: string, digest?: Hash): Promise<number> {
  const counter = new CsvRecordCounter();
  for await (const chunk of createReadStream(filePath)) {
    counter.push(chunk as Buffer);
    digest?.update(chunk as Buffer);
  }
  return counter.count;
}

/**
 * Gives `from` the name `to` unless a file has that name already ('exists'): link() fails
 * rather than replace. On a file system without hard links, a rename after a check.
 */
export async function publish(from: string, to: string): Promise<'done' | 'exists'> {
  try {
    await fs.link(from, to);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      if (!(await sameFile(from, to))) {
        return 'exists';
      }
      // Linked before a reload: only the working name is left to remove.
    } else if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS') {
      throw error;
    } else {
      if (await exists(to)) {
        return 'exists';
      }
      await fs.rename(from, to);
      return 'done';
    }
  }
  await fs.rm(from, { force: true });
  return 'done';
}

async function sameFile(a: string, b: string): Promise<boolean> {
  const [x, y] = await Promise.all([fs.stat(a).catch(() => undefined), fs.stat(b)]);
  return x !== undefined && x.ino === y.ino && x.dev === y.dev;
}

export async function exists(filePath: string): Promise<boolean> {
  return fs.access(filePath).then(
    () => true,
    () => false,
  );
}

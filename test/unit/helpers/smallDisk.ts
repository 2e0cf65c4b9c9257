// A 1 MB file system mounted on a folder: a real, deterministic ENOSPC without filling the real
// disk. Mounting needs root with CAP_SYS_ADMIN (a container's root may lack it); without it a case
// that needs a full disk cannot be honest, and its caller skips it.
import { execFileSync } from 'node:child_process';

/** Mounts a 1 MB tmpfs on `folder` (which exists); the unmount, or undefined when not allowed. */
export function mountSmallDisk(folder: string): (() => void) | undefined {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', folder], { stdio: 'ignore' });
  } catch {
    return undefined;
  }
  return () => execFileSync('umount', ['-l', folder]);
}

// A full disk is the user's to fix, not the server's: it is told apart from a dropped connection
// (which is tried again) so that a message can say so, where, and how much room is needed.

/** Whether a file-system error means there is no room left (ENOSPC), or no quota (EDQUOT). */
export function isDiskFull(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}

/** "12" for 11.2 MB: whole megabytes, rounded up, at least 1, for "free at least N MB". */
export function megabytesToFree(bytes: number): string {
  return Math.max(1, Math.ceil(bytes / 1_000_000)).toLocaleString('en-US');
}

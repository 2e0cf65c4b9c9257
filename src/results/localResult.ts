// A job's result as it sits on this machine (shared by results/, jobs/ and the views).

export interface LocalResult {
  /** Absolute path of the extracted CSV in the extension's storage folder. */
  path: string;
  bytes: number;
  downloadedAt: number;
  /** Data records in the file (header excluded), counted while it was written: equals result.count. */
  records?: number;
}

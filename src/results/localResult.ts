// What the results pipeline leaves on disk for a job; the job model keeps it per tracked job.
import type { NoRecords } from './noRecords';

export interface LocalResult {
  /** Absolute path of the extracted CSV in the extension's storage folder. */
  path: string;
  bytes: number;
  downloadedAt: number;
  /** Set when the result holds no records (a completed job with 0 records, contract section 6). */
  noRecords?: NoRecords;
}

// The contracts between the Zoho client and its users (job service, results pipeline, UI).
import type {
  Application,
  CreateJobQuery,
  DownloadOutcome,
  DownloadProgress,
  JobDetails,
  Report,
  ReportRef,
} from './types';

/** Supplies access tokens; shared by every request of one account. */
export interface TokenProvider {
  /** A valid access token, refreshing first when the cached one is (nearly) expired. */
  getAccessToken(): Promise<string>;
  /** Marks `token` as rejected (1030) so the next getAccessToken refreshes. */
  invalidate(token: string): void;
  /** False for a static access token: a 1030 then means "sign in again". */
  readonly canRefresh: boolean;
  /**
   * The secret values in use (access token, refresh token, client secret), masked verbatim in
   * every server text before it is logged, stored or shown: a server may echo them bare.
   */
  secrets(): string[];
}

export interface DownloadOptions {
  /** The job's relative `download_url`; only its path is used, always on the account's own host. */
  downloadUrl?: string;
  signal?: AbortSignal;
  onProgress?: (progress: DownloadProgress) => void;
  /** Fail once the body passes this many bytes (the caller derives it from result.count and disk). */
  maxBytes?: number;
  /** No byte for this long aborts the attempt (then retried); default 60 s. */
  idleTimeoutMs?: number;
  /** Slower than this over an idle-timeout window counts as a stall; default 1 KiB/s. */
  minBytesPerSecond?: number;
  /** Sees every byte of a raw CSV body as it is written, to count records in the same pass. */
  csvTap?: (chunk: Buffer) => void;
  /**
   * Sees every byte of a ZIP body as it arrives, to extract it in the same pass; a promise holds
   * the download until it resolves (so memory stays bounded when extracting is the slower side).
   */
  zipTap?: (chunk: Buffer) => Promise<void> | undefined;
  /** Called before a retry: whatever csvTap or zipTap saw so far is void. */
  onRetry?: () => void;
  /**
   * Requests at most (1: no retry here), instead of the client's retry policy: for a caller that
   * bounds the tries itself (an export's batch, src/exports), so the two do not multiply.
   */
  attempts?: number;
}

/** Zoho Creator Bulk Read API, bound to one account's host. Every failure is a ZohoError. */
export interface BulkReadApi {
  createJob(ref: ReportRef, query: CreateJobQuery): Promise<JobDetails>;
  getJob(ref: ReportRef, jobId: string): Promise<JobDetails>;
  /** Streams the result body to `destinationPath` (never held in memory). */
  downloadResult(
    ref: ReportRef,
    jobId: string,
    destinationPath: string,
    options?: DownloadOptions,
  ): Promise<DownloadOutcome>;
  listApplications(): Promise<Application[]>;
  listReports(owner: string, app: string): Promise<Report[]>;
}

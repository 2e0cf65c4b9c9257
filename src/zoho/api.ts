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
}

export interface DownloadOptions {
  /** The job's relative `download_url`; only its path is used, always on the account's own host. */
  downloadUrl?: string;
  signal?: AbortSignal;
  onProgress?: (progress: DownloadProgress) => void;
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

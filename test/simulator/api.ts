// The public surface of the Zoho Creator simulator, shared by unit tests, integration tests,
// benchmarks and the demo. Implementation: ./index.ts (startSimulator).
import type { AppliedChanges, ChangeSet } from './changes';

export type { AppliedChanges, ChangeSet } from './changes';

/**
 * 'sample': 'In-progress'/'Completed'/'Failed'; 'doc': 'IN PROGRESS'/'COMPLETED'/'FAILED';
 * 'prose': the doc spelling, and a `download_url` on family A ending in `/result/` whatever the
 * family of the status request (the status page's prose sample).
 */
export type StatusProfile = 'sample' | 'doc' | 'prose';
/**
 * The answer to the result request of a batch that matched no records: 'headerOnly' a ZIP whose
 * CSV holds only the header row; 'code3000' HTTP 200 `{"code":3000,...}` and no ZIP; 'code9220'
 * HTTP 400 `{"code":9220,"message":"No records exist"}`.
 */
export type EmptyResult = 'headerOnly' | 'code3000' | 'code9220';
/** How the daily developer-API limit is answered: HTTP 200 code 4000, or 429/2955 with Retry-After > 300 s. */
export type DailyLimitStyle = 'code4000' | 'http429';
export type DownloadFormat = 'zip' | 'csv' | 'jsonError';
export type DownloadBehaviour = 'normal' | 'slow' | 'truncate' | 'reset';
export type Route = 'create' | 'status' | 'download' | 'applications' | 'reports' | 'token' | 'any';

export interface SimulatorOptions {
  /** 0 (default) picks a free port. Always binds 127.0.0.1. */
  port?: number;
  /** Simulated milliseconds from create to Completed. Default 3000. 0 = completed at once. */
  jobDurationMs?: number;
  statusProfile?: StatusProfile;
  /** Enforce the documented create (5/min) and download (10/min) throttles. Default true. */
  throttles?: boolean;
  /** Developer API calls allowed per simulated day before 200/4000. Default: unlimited. */
  dailyLimit?: number;
  /** Seed of the generated rows. Default 42. */
  seed?: number;
  /** Rows of All_Orders (default 250000) and All_Customers (default 1000). */
  ordersRows?: number;
  customersRows?: number;
  /** Records of help-desk/All_Tickets before any change (default 300). */
  ticketsRows?: number;
  /** Access token lifetime in simulated seconds. Default 3600. */
  tokenLifetimeSeconds?: number;
}

/** Switches tests may flip at any time (docs/zoho-bulk-read-api.md, "What the simulator reproduces"). */
export interface SimulatorSwitches {
  statusProfile: StatusProfile;
  jobDurationMs: number;
  /** Jobs created from now on fail instead of completing. */
  failJobs: boolean;
  downloadFormat: DownloadFormat;
  recordCursorHeader: boolean;
  /** When set, `download_url` names this absolute origin (e.g. http://127.0.0.2:9) instead of being relative. */
  downloadUrlOrigin?: string;
  downloadBehaviour: DownloadBehaviour;
  /** Bytes per second for 'slow' downloads. */
  slowBytesPerSecond: number;
  throttles: boolean;
  dailyLimit?: number;
  dailyLimitStyle: DailyLimitStyle;
  /** 429 answers carry `Retry-After` (seconds). Default true. */
  retryAfter: boolean;
  /** HTTP status of the 7150 answer for pivot reports: 400 (default) or 200. */
  unsupportedReportHttpStatus: 400 | 200;
  emptyResult: EmptyResult;
}

/** A one-shot (or n-shot) fault answered instead of the real response. */
export interface InjectedFault {
  route: Route;
  httpStatus: number;
  code?: number;
  /** Put the text under `description` (as live 401s do) instead of `message`. */
  textField?: 'message' | 'description';
  text?: string;
  /** Sent as a Retry-After header (seconds) when given. */
  retryAfterSeconds?: number;
  /** How many matching requests get this fault. Default 1. */
  times?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  /** The Authorization header as received, or undefined. */
  authorization?: string;
  body?: string;
  at: number;
}

export interface SimulatorClock {
  now(): number;
  /** Moves simulated time forward: jobs complete, cursors and tokens expire, throttles reset. */
  advance(ms: number): void;
}

export interface Simulator {
  /** e.g. http://127.0.0.1:43125 (no trailing slash). Serves both URL families and /oauth/v2/token. */
  readonly url: string;
  readonly clock: SimulatorClock;
  readonly switches: SimulatorSwitches;
  /** Every request received, oldest first. */
  readonly requests: RecordedRequest[];
  inject(fault: InjectedFault): void;
  /** Registers an access token with the given scopes (default: all four). */
  addAccessToken(token: string, scopes?: string[], lifetimeSeconds?: number): void;
  /** Makes a token answer 401/1030 from now on. */
  expireAccessToken(token: string): void;
  /** Issues a Self Client grant code for demo-client (valid 3 simulated minutes). */
  issueGrantCode(): string;
  /**
   * Applies a seeded change set to a report that changes (help-desk/All_Tickets): records added,
   * edited and deleted now, Modified_Time moving with them (./changes.ts). Jobs created before
   * keep reading the report as it was.
   */
  changeReport(app: string, report: string, change: ChangeSet): AppliedChanges;
  /** Count of successful token refreshes (to assert one refresh for concurrent callers). */
  readonly refreshCount: number;
  close(): Promise<void>;
}

export const ALL_SCOPES = [
  'ZohoCreator.bulk.CREATE',
  'ZohoCreator.bulk.READ',
  'ZohoCreator.dashboard.READ',
  'ZohoCreator.meta.application.READ',
];

export const DEMO = {
  owner: 'demo',
  app: 'zylker-store',
  accessToken: 'demo-token',
  clientId: 'demo-client',
  clientSecret: 'demo-secret',
  refreshToken: 'demo-refresh',
} as const;

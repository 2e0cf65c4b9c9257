// Plain data types shared by the Zoho client, the job model and the VS Code layer.

/** URL family: A = creator.zoho.{tld}/api/bulk/v2.1/…, B = www.zohoapis.{tld}/creator/v2.1/bulk/… */
export type UrlFamily = 'A' | 'B';

export type DataCentreId = 'US' | 'EU' | 'IN' | 'AU' | 'JP' | 'CN' | 'CA' | 'SA' | 'UK';

/** Where an account's requests go. Never holds a secret. */
export interface AccountTarget {
  /** A Zoho data centre, or 'custom' for Creator On-premise and the local simulator. */
  dataCentre: DataCentreId | 'custom';
  /** For 'custom': base URL of the API host, e.g. `http://127.0.0.1:8780` (no trailing slash). */
  customHost?: string;
  /** For 'custom': base URL of the accounts (OAuth) server; defaults to customHost. */
  customAccountsHost?: string;
  family: UrlFamily;
  /** Account owner name (workspace) used in bulk paths. */
  owner: string;
}

export type CredentialKind = 'accessToken' | 'refreshToken';

/** A signed-in account as persisted (globalState). Secrets live in SecretStorage under `secretKey(id)`. */
export interface Account extends AccountTarget {
  id: string;
  label: string;
  credentialKind: CredentialKind;
}

/** Identifies a report in bulk paths. `owner` may differ from the account owner (category-2 apps). */
export interface ReportRef {
  owner: string;
  app: string;
  report: string;
}

/** Body of a first-batch create request (all optional). */
export interface FirstBatchQuery {
  fields?: string[];
  criteria?: string;
  max_records?: number;
}

/** Body of a follow-up request: the cursor and nothing else (docs/zoho-bulk-read-api.md, "Creating a job"). */
export interface NextBatchQuery {
  record_cursor: string;
}

export type CreateJobQuery = FirstBatchQuery | NextBatchQuery;

/**
 * The states a UI cares about; raw spellings are normalised to these. 'unknown' is a status that
 * is none of the others (e.g. "Cancelled", or none at all): shown with its raw text, not polled.
 */
export type JobState = 'running' | 'completed' | 'failed' | 'unknown';

export interface JobResultInfo {
  count?: number;
  download_url?: string;
  record_cursor?: string;
}

/** A job as the status API describes it, with `state` normalised from `status`. */
export interface JobDetails {
  id: string;
  operation?: string;
  created_by?: string;
  created_time?: string;
  /** The raw status string as the server spelled it. */
  status: string;
  state: JobState;
  result?: JobResultInfo;
}

export interface Application {
  application_name: string;
  link_name: string;
  workspace_name: string;
  category?: number;
  date_format?: string;
  time_zone?: string;
  created_by?: string;
  creation_date?: string;
}

export interface Report {
  display_name: string;
  link_name: string;
  type?: string;
}

export interface DownloadProgress {
  bytes: number;
  /** From Content-Length when the server sends one. */
  total?: number;
}

export interface DownloadOutcome {
  bytes: number;
  /**
   * 'zip': detected by its PK\x03\x04 magic. 'csv': a raw body declared `text/csv`. 'noRecords':
   * the JSON answer (code 3000, or 9220) Zoho gives for a batch with no records; no file was written.
   * Anything else is an error (docs/zoho-bulk-read-api.md, "Downloading the result").
   */
  format: 'zip' | 'csv' | 'noRecords';
  /** The `recordCursor` response header, when present. */
  recordCursor?: string;
}

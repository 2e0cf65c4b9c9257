// Errors the UI can act on. Every failure of the Zoho client is one of these kinds.
import { megabytesToFree } from '../core/diskFull';

export type ZohoErrorKind =
  | 'authExpired' // 401/1030: token invalid or expired; refresh or sign in again
  | 'authFailed' // refresh token / client rejected (invalid_code, invalid_client, Access Denied)
  | 'missingScope' // 2945: the token lacks a scope; never refresh
  | 'notFound' // owner (1040), app (2892), report (2894), URL (404/1000), job (7120/7130)
  | 'forbidden' // 2933/1060/1080/1130: no permission, app disabled, API access disabled
  | 'unsupportedReport' // 7150: pivot and third-party reports
  | 'badRequest' // 400/3020, and this client's own checks of a request (others refuse with LocalRefusal)
  | 'rateLimited' // 429/2955: retry after `retryAfterMs`
  | 'dailyLimit' // HTTP 200 with code 4000
  | 'network' // connection refused/reset, timeout, truncated body
  | 'server' // 5xx or an unexpected answer
  | 'diskFull' // this computer's disk had no room for a result (ENOSPC, EDQUOT): never tried again
  | 'cancelled'; // the caller aborted

export interface ZohoErrorInit {
  kind: ZohoErrorKind;
  /** User-facing text: the server's message plus what to do. Never contains a token. */
  message: string;
  httpStatus?: number;
  code?: number;
  /** The server's own text, verbatim (from `message` or `description`). */
  serverMessage?: string;
  /** For rateLimited: how long to wait before retrying. */
  retryAfterMs?: number;
  /** For missingScope: the scope the operation needs, when known. */
  scope?: string;
  /** For a result stopped for its size: the byte limit it passed (which a full disk may have set). */
  limitBytes?: number;
}

export class ZohoError extends Error {
  readonly kind: ZohoErrorKind;
  readonly httpStatus?: number;
  readonly code?: number;
  readonly serverMessage?: string;
  readonly retryAfterMs?: number;
  readonly scope?: string;
  readonly limitBytes?: number;

  constructor(init: ZohoErrorInit) {
    super(init.message);
    this.name = 'ZohoError';
    this.kind = init.kind;
    this.httpStatus = init.httpStatus;
    this.code = init.code;
    this.serverMessage = init.serverMessage;
    this.retryAfterMs = init.retryAfterMs;
    this.scope = init.scope;
    this.limitBytes = init.limitBytes;
  }
}

/** The one error for work the user (or shutdown) cancelled: shown nowhere, logged as such. */
export function cancelledError(message = 'The download was cancelled.'): ZohoError {
  return new ZohoError({ kind: 'cancelled', message });
}

export function isZohoError(error: unknown, kind?: ZohoErrorKind): error is ZohoError {
  return error instanceof ZohoError && (kind === undefined || error.kind === kind);
}

/**
 * The local disk filled while a result was being saved in `folder` (see ../core/diskFull.ts).
 * `needed`: the least room that would have done, when known; `written`: bytes saved before it filled.
 */
export function resultDiskFull(folder: string, jobId: string, needed: number, detail: string): ZohoError {
  return new ZohoError({
    kind: 'diskFull',
    message: `The disk is full: the result of job ${jobId} could not be saved in ${folder} (${detail}); nothing of it was kept. Free at least ${megabytesToFree(needed)} MB there, then try again.`,
  });
}

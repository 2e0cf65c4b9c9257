// Turns Zoho answers and transport failures into ZohoErrors the UI can act on (docs/zoho-bulk-read-api.md,
// "Signing in and access tokens", "Limits and throttles" and "Error codes"). Every message is the server's own text plus what the user can do.
import { clockTime } from '../core/format';
import { ZohoError, cancelledError, type ZohoErrorKind } from './errors';
import { redact, redactKnown, serverText } from './redact';
import type { ReportRef } from './types';

/** What the client was doing: decides the scope named in a 2945 and the wording of a 404. */
export type Operation = 'create' | 'status' | 'download' | 'applications' | 'reports';

export const SCOPE_FOR_OPERATION: Readonly<Record<Operation, string>> = {
  create: 'ZohoCreator.bulk.CREATE',
  status: 'ZohoCreator.bulk.READ',
  download: 'ZohoCreator.bulk.READ',
  applications: 'ZohoCreator.dashboard.READ',
  reports: 'ZohoCreator.meta.application.READ',
};

export interface ErrorContext {
  operation: Operation;
  ref?: Partial<ReportRef>;
  jobId?: string;
  /** Milliseconds since the epoch; for "Try again after HH:MM". */
  now?: number;
  /** The secret values in use: masked wherever they appear in the server's text. */
  secrets?: readonly string[];
}

export interface HttpAnswer {
  status: number;
  headers?: Record<string, unknown>;
  data?: unknown;
}

/** Without a Retry-After header, wait at least this long (docs/zoho-bulk-read-api.md, "Limits and throttles"). */
export const DEFAULT_RETRY_AFTER_MS = 60_000;
/** Retry-After is clamped to this range (docs/zoho-bulk-read-api.md, "Limits and throttles": at most 24 hours). */
export const MIN_RETRY_AFTER_MS = 1000;
export const MAX_RETRY_AFTER_MS = 24 * 60 * 60 * 1000;

const SUCCESS_CODE = 3000;
const NOT_FOUND_CODES = new Set([1040, 2892, 2894, 7120, 7130]);
const FORBIDDEN_CODES = new Set([2933, 1060, 1080, 1130]);

/** The `code` and human text of a Zoho JSON envelope, wherever the server put them. */
export function readEnvelope(data: unknown): { code?: number; text?: string } {
  let body = data;
  if (typeof body === 'string' || Buffer.isBuffer(body)) {
    try {
      body = JSON.parse(body.toString());
    } catch {
      return {};
    }
  }
  if (!body || typeof body !== 'object') {
    return {};
  }
  const record = body as Record<string, unknown>;
  const rawCode = record.code;
  const code = typeof rawCode === 'number' ? rawCode : typeof rawCode === 'string' ? Number(rawCode) : NaN;
  let text: string | undefined;
  for (const key of ['message', 'description', 'error_description', 'error']) {
    const value = record[key];
    if (typeof value === 'string' && value.trim()) {
      text = value.trim();
      break;
    }
  }
  return { code: Number.isFinite(code) ? code : undefined, text };
}

/** A response header whatever the case of its name; the first value when it is repeated. */
export function headerValue(headers: unknown, name: string): string | undefined {
  const record = (headers && typeof headers === 'object' ? headers : {}) as Record<string, unknown>;
  const wanted = name.toLowerCase();
  const key = Object.keys(record).find((candidate) => candidate.toLowerCase() === wanted);
  const value = key === undefined ? undefined : record[key];
  if (Array.isArray(value)) {
    return value.length ? String(value[0]) : undefined;
  }
  return value === undefined || value === null ? undefined : String(value);
}

/**
 * Retry-After as seconds or an HTTP date, clamped to 1 s .. 24 h (a huge value must not overflow
 * a timer into a tight loop, nor 0 into a hammering one); undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined || value.trim() === '') {
    return undefined;
  }
  const trimmed = value.trim();
  let ms: number;
  if (/^\d+(\.\d+)?$/.test(trimmed)) {
    ms = Number(trimmed) * 1000;
  } else {
    const date = Date.parse(trimmed);
    if (Number.isNaN(date)) {
      return undefined;
    }
    ms = date - now;
  }
  return Math.round(Math.min(MAX_RETRY_AFTER_MS, Math.max(MIN_RETRY_AFTER_MS, ms)));
}

function describeRef(ref: Partial<ReportRef> | undefined): string {
  if (!ref) {
    return '';
  }
  return [ref.owner, ref.app, ref.report].filter(Boolean).join('/');
}

function notFoundAdvice(code: number | undefined, context: ErrorContext): string {
  const ref = context.ref ?? {};
  switch (code) {
    case 1040:
      return `No account owner named "${ref.owner ?? '?'}". Check the owner (workspace) name of the account.`;
    case 2892:
      return `No application "${ref.app ?? '?'}" under "${ref.owner ?? '?'}". Check the application link name.`;
    case 2894:
      return `No report "${ref.report ?? '?'}" in "${ref.app ?? '?'}". Check the report link name.`;
    case 7120:
    case 7130:
      return 'This job id is not valid for this account, or the job has expired: check the id, or create a new job.';
    default:
      return `Nothing was found at this address (${describeRef(ref) || context.operation}). Check the data centre, URL family and names.`;
  }
}

function build(
  kind: ZohoErrorKind,
  advice: string,
  answer: { status?: number; code?: number; text?: string; secrets?: readonly string[] },
  extra: { retryAfterMs?: number; scope?: string } = {},
): ZohoError {
  const serverMessage = answer.text ? serverText(answer.text, answer.secrets) : undefined;
  const prefix = serverMessage ? `${serverMessage.replace(/[.\s]+$/, '')}. ` : '';
  return new ZohoError({
    kind,
    message: redactKnown(`${prefix}${advice}`, answer.secrets ?? []),
    httpStatus: answer.status,
    code: answer.code,
    serverMessage,
    ...extra,
  });
}

/**
 * Classifies an HTTP answer. Returns undefined for a success (2xx with code 3000 or no code);
 * otherwise the ZohoError to throw.
 */
export function classifyResponse(answer: HttpAnswer, context: ErrorContext): ZohoError | undefined {
  const { status } = answer;
  const { code, text } = readEnvelope(answer.data);
  const info = { status, code, text, secrets: context.secrets };
  const now = context.now ?? Date.now();

  // The daily Developer API limit arrives as HTTP 200 (docs/zoho-bulk-read-api.md, "Limits and throttles").
  if (code === 4000) {
    return build(
      'dailyLimit',
      'The daily limit of Zoho API calls is used up. Try again tomorrow, or ask your Zoho admin about a higher plan limit.',
      info,
    );
  }
  if (status === 429 || code === 2955) {
    const retryAfterMs =
      parseRetryAfter(headerValue(answer.headers, 'Retry-After'), now) ?? DEFAULT_RETRY_AFTER_MS;
    return build(
      'rateLimited',
      `Too many requests. Try again after ${clockTime(now + retryAfterMs)}.`,
      info,
      {
        retryAfterMs,
      },
    );
  }
  if (code === 2945) {
    const scope = SCOPE_FOR_OPERATION[context.operation];
    return build(
      'missingScope',
      `Add the scope ${scope} to your token (generate a new token or grant code that includes it), then sign in again.`,
      info,
      { scope },
    );
  }
  const otherKnownCode = code !== undefined && (NOT_FOUND_CODES.has(code) || FORBIDDEN_CODES.has(code));
  if (code === 1030 || (status === 401 && !otherKnownCode)) {
    return build('authExpired', 'The access token is invalid or expired. Sign in again.', info);
  }
  if (code === 7150) {
    return build(
      'unsupportedReport',
      'Bulk read does not support pivot or third-party reports. Choose a list report instead.',
      info,
    );
  }
  if ((code !== undefined && NOT_FOUND_CODES.has(code)) || status === 404) {
    return build('notFound', notFoundAdvice(code, context), info);
  }
  if ((code !== undefined && FORBIDDEN_CODES.has(code)) || status === 403) {
    const advice =
      code === 1080
        ? 'The application is disabled. Ask its owner to enable it.'
        : code === 1130
          ? "API access is disabled for your permission set. Ask the application's admin to enable it."
          : 'You have no permission for this application. Ask its owner for access.';
    return build('forbidden', advice, info);
  }
  if (status === 400 || code === 3020) {
    return build('badRequest', 'Zoho rejected the request. Check the fields, criteria and batch size.', info);
  }
  if (status >= 500) {
    return build('server', `Zoho answered HTTP ${status}. Try again in a few minutes.`, info);
  }
  if (status >= 200 && status < 300 && (code === undefined || code === SUCCESS_CODE)) {
    return undefined;
  }
  return build(
    'server',
    `Unexpected answer from Zoho (HTTP ${status}${code === undefined ? '' : `, code ${code}`}). Try again later.`,
    info,
  );
}

const NETWORK_CODES: Record<string, string> = {
  ECONNREFUSED: 'the connection was refused',
  ECONNRESET: 'the connection was reset',
  ETIMEDOUT: 'the connection timed out',
  ECONNABORTED: 'the request timed out',
  ERR_SOCKET_CONNECTION_TIMEOUT: 'the connection timed out',
  EPIPE: 'the connection was closed',
  ENOTFOUND: 'the host name could not be resolved',
  EAI_AGAIN: 'the host name could not be resolved',
  EHOSTUNREACH: 'the host is unreachable',
  ENETUNREACH: 'the network is unreachable',
};

/** Classifies a transport failure (no HTTP answer). `aborted` means the caller's signal fired. */
export function classifyTransportError(error: unknown, host: string, aborted = false): ZohoError {
  const record = (error && typeof error === 'object' ? error : {}) as {
    code?: unknown;
    message?: unknown;
    name?: unknown;
  };
  const code = typeof record.code === 'string' ? record.code : undefined;
  if (aborted || code === 'ERR_CANCELED' || record.name === 'CanceledError' || record.name === 'AbortError') {
    return cancelledError('The request was cancelled.');
  }
  const what =
    (code && NETWORK_CODES[code]) ||
    (typeof record.message === 'string' ? record.message : 'the connection failed');
  return new ZohoError({
    kind: 'network',
    message: redact(
      `Could not complete the request to ${host}: ${what}. Check your connection and try again.`,
    ),
  });
}

/** A request that met its total deadline (the answer never completed). */
export function deadlineExceeded(host: string, deadlineMs: number): ZohoError {
  return new ZohoError({
    kind: 'network',
    message: `${host} did not answer within ${Math.max(1, Math.round(deadlineMs / 1000))} s. Check your connection and try again.`,
  });
}

/** True when the request certainly never reached the server (safe to retry a POST). */
export function isConnectionRefused(error: unknown): boolean {
  return !!error && typeof error === 'object' && (error as { code?: unknown }).code === 'ECONNREFUSED';
}

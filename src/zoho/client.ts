// BulkReadClient: the Bulk Read API of one account over axios (contract sections 3 to 9).
// Over the guide's ~400 lines: the Bulk Read calls and the request transport (deadlines, refresh,
// backoff, downloads) live together; issue 18 separates the transport.
import type { Http, HttpResponse } from './http';
import type { Readable } from 'node:stream';
import { silentLogger, systemClock, type Clock, type Logger } from '../core/ports';
import type { BulkReadApi, DownloadOptions, TokenProvider } from './api';
import { resolveEndpoints } from './dataCentres';
import {
  decodeBody,
  describeBody,
  MAX_JSON_BYTES,
  removeQuietly,
  streamToFile,
  undecodableBody,
} from './download';
import { ZohoError, isZohoError } from './errors';
import {
  classifyResponse,
  classifyTransportError,
  deadlineExceeded,
  headerValue,
  isConnectionRefused,
  readEnvelope,
  type ErrorContext,
} from './errorMapping';
import { createHttp, DEFAULT_TIMEOUT_MS, logRequest } from './http';
import { applicationsPath, bulkReadPath, jobResultPath, jobStatusPath, reportsPath } from './paths';
import { maskingLogger, redactKnown, serverText } from './redact';
import { parseJobDetails } from './status';
import type {
  AccountTarget,
  Application,
  CreateJobQuery,
  DownloadOutcome,
  JobDetails,
  Report,
  ReportRef,
  UrlFamily,
} from './types';

export interface RetryPolicy {
  /** Total tries including the first (1 = no retry). */
  attempts: number;
  /** First backoff delay; doubles each retry, with jitter. */
  baseDelayMs: number;
}

export interface BulkReadClientOptions {
  target: AccountTarget;
  tokens: TokenProvider;
  logger?: Logger;
  clock?: Clock;
  /**
   * Total deadline of a JSON request, and of a download until its headers arrive (the body is
   * then watched for stalls instead); default 30 s.
   */
  timeoutMs?: number;
  retry?: RetryPolicy;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 3, baseDelayMs: 500 };
const SUCCESS_CODE = 3000;
/** "No records exist" (contract section 6): a batch with no records, not an error. */
const NO_RECORDS_CODE = 9220;
export const MIN_MAX_RECORDS = 100_000;
export const MAX_MAX_RECORDS = 200_000;
export const MAX_RECORDS_STEP = 1_000;

/** Builds the create body: `{"query":{}}` at least; a cursor goes alone (contract section 4). */
export function buildCreateBody(query: CreateJobQuery | undefined): { query: Record<string, unknown> } {
  const source = (query ?? {}) as Record<string, unknown>;
  if (source.record_cursor !== undefined) {
    if (typeof source.record_cursor !== 'string' || source.record_cursor.trim() === '') {
      throw badRequest('The record cursor is empty. Fetch the next batch from a completed job.');
    }
    return { query: { record_cursor: source.record_cursor } };
  }
  const out: Record<string, unknown> = {};
  if (source.fields !== undefined) {
    const fields = source.fields;
    if (!Array.isArray(fields) || fields.some((field) => typeof field !== 'string' || field.trim() === '')) {
      throw badRequest('Fields must be a list of field link names.');
    }
    if (fields.length > 0) {
      out.fields = fields.map((field: string) => field.trim());
    }
  }
  if (source.criteria !== undefined) {
    if (typeof source.criteria !== 'string') {
      throw badRequest('Criteria must be text, e.g. Status == "Open".');
    }
    if (source.criteria.trim() !== '') {
      out.criteria = source.criteria.trim();
    }
  }
  if (source.max_records !== undefined) {
    const max = source.max_records;
    if (
      typeof max !== 'number' ||
      !Number.isInteger(max) ||
      max < MIN_MAX_RECORDS ||
      max > MAX_MAX_RECORDS ||
      max % MAX_RECORDS_STEP !== 0
    ) {
      throw badRequest(
        `Records per batch must be a multiple of 1000 between 100000 and 200000 (got ${String(max)}).`,
      );
    }
    out.max_records = max;
  }
  return { query: out };
}

function badRequest(message: string): ZohoError {
  return new ZohoError({ kind: 'badRequest', message });
}

interface RequestSpec {
  method: 'GET' | 'POST';
  path: string;
  context: ErrorContext;
  body?: unknown;
}

export class BulkReadClient implements BulkReadApi {
  readonly apiBase: string;
  private readonly family: UrlFamily;
  private readonly tokens: TokenProvider;
  private readonly logger: Logger;
  private readonly clock: Clock;
  private readonly retry: RetryPolicy;
  private readonly http: Http;
  private readonly deadlineMs: number;

  constructor(private readonly options: BulkReadClientOptions) {
    this.apiBase = resolveEndpoints(options.target).apiBase;
    this.family = options.target.family ?? 'B';
    this.tokens = options.tokens;
    this.logger = maskingLogger(options.logger ?? silentLogger, () => this.tokens.secrets());
    this.clock = options.clock ?? systemClock;
    this.retry = {
      attempts: Math.max(1, Math.floor(options.retry?.attempts ?? DEFAULT_RETRY.attempts)),
      baseDelayMs: Math.max(0, options.retry?.baseDelayMs ?? DEFAULT_RETRY.baseDelayMs),
    };
    this.deadlineMs = Math.max(1, options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    this.http = createHttp(this.deadlineMs);
  }

  async createJob(ref: ReportRef, query: CreateJobQuery): Promise<JobDetails> {
    const body = buildCreateBody(query);
    const data = await this.requestJson({
      method: 'POST',
      path: bulkReadPath(this.family, ref),
      context: { operation: 'create', ref },
      body,
    });
    return this.details(data);
  }

  async getJob(ref: ReportRef, jobId: string): Promise<JobDetails> {
    const data = await this.requestJson({
      method: 'GET',
      path: jobStatusPath(this.family, ref, jobId),
      context: { operation: 'status', ref, jobId },
    });
    const details = this.details(data);
    if (details.id !== jobId) {
      throw new ZohoError({
        kind: 'server',
        message: `Zoho answered about job ${details.id} when asked about job ${jobId}. Try again later.`,
      });
    }
    return details;
  }

  private details(data: unknown): JobDetails {
    try {
      return parseJobDetails(data, this.tokens.secrets());
    } catch (error) {
      throw isZohoError(error) ? this.masked(error) : error;
    }
  }

  async listApplications(): Promise<Application[]> {
    const data = await this.requestJson({
      method: 'GET',
      path: applicationsPath(this.family, this.options.target.owner),
      context: { operation: 'applications', ref: { owner: this.options.target.owner } },
    });
    return listOf<Application>(data, 'applications');
  }

  async listReports(owner: string, app: string): Promise<Report[]> {
    const data = await this.requestJson({
      method: 'GET',
      path: reportsPath(this.family, owner, app),
      context: { operation: 'reports', ref: { owner, app } },
    });
    return listOf<Report>(data, 'reports');
  }

  async downloadResult(
    ref: ReportRef,
    jobId: string,
    destinationPath: string,
    options: DownloadOptions = {},
  ): Promise<DownloadOutcome> {
    // A body that stalls, crawls or is cut off is tried again with back-off; anything the server
    // said (an error answer, a web page, a body too large) is final.
    const attempts = this.attemptsOf(options.attempts);
    for (let attempt = 1; ; attempt++) {
      const phase = { body: false };
      try {
        return await this.downloadOnce(ref, jobId, destinationPath, options, phase);
      } catch (error) {
        await removeQuietly(destinationPath);
        const classified = isZohoError(error)
          ? error
          : classifyTransportError(error, this.host, options.signal?.aborted ?? false);
        const retry = phase.body && classified.kind === 'network' && attempt < attempts;
        if (!retry || options.signal?.aborted) {
          throw this.masked(classified);
        }
        this.logger.warn(`Download of job ${jobId} failed (${classified.message}); trying again.`);
        options.onRetry?.();
        await this.backoff(attempt, options.signal);
      }
    }
  }

  private async downloadOnce(
    ref: ReportRef,
    jobId: string,
    destinationPath: string,
    options: DownloadOptions,
    phase: { body: boolean },
  ): Promise<DownloadOutcome> {
    const path = this.resultPath(ref, jobId, options.downloadUrl);
    const context: ErrorContext = { operation: 'download', ref, jobId };
    const { signal } = options;
    let response: HttpResponse<Readable> | undefined;
    try {
      response = await this.send<Readable>(
        { method: 'GET', path, context },
        { stream: true, signal, attempts: this.attemptsOf(options.attempts) },
      );
      // Downloads are not decoded by axios (see send): decodeBody bounds the inflate ratio.
      const encoding = headerValue(response.headers, 'content-encoding');
      const decoded = await decodeBody(response.data, encoding);
      const contentType = headerValue(response.headers, 'content-type') ?? '';
      if (response.status < 200 || response.status >= 300) {
        const text = await readSmall(decoded?.stream ?? response.data, this.deadlineMs);
        if (readEnvelope(text).code === NO_RECORDS_CODE) {
          return { bytes: 0, format: 'noRecords' }; // 9220 may come with an error status
        }
        throw this.errorFrom(response.status, response.headers, text, context);
      }
      if (!decoded) {
        throw new ZohoError({
          kind: 'server',
          message: `Zoho sent the result in an encoding this extension cannot read (${serverText(encoding ?? '', [], 60)}); nothing was kept. Download again later; if it keeps happening, check the data centre and custom host of the account.`,
        });
      }
      const lengthHeader = headerValue(response.headers, 'content-length');
      // With a Content-Encoding the length counts encoded bytes: the byte cap and the inflate
      // ratio bound what the decoding may produce.
      const total =
        lengthHeader !== undefined && /^\d+$/.test(lengthHeader) && !decoded.encoded
          ? Number(lengthHeader)
          : undefined;
      if (total !== undefined && options.maxBytes !== undefined && total > options.maxBytes) {
        throw new ZohoError({
          kind: 'server',
          message: `The result is ${total} bytes, more than the ${options.maxBytes} bytes this job can hold or the disk can take; it was not downloaded. Check the free disk space and the job.`,
        });
      }
      const declaredCsv = /^\s*text\/csv\b/i.test(contentType);
      phase.body = true;
      let outcome;
      try {
        outcome = await streamToFile(decoded, destinationPath, {
          signal,
          total,
          jsonHint: /json/i.test(contentType),
          onProgress: options.onProgress,
          maxBytes: options.maxBytes,
          idleTimeoutMs: options.idleTimeoutMs,
          minBytesPerSecond: options.minBytesPerSecond,
          textTap: options.csvTap,
          accept: (format, head) => {
            if (format === 'text' && !declaredCsv) {
              throw new ZohoError({
                kind: 'server',
                message: `Zoho sent ${describeBody(head)} instead of the result ZIP${contentType ? ` (${serverText(contentType, [], 60)})` : ''}; nothing was kept. Download again later; if it keeps happening, check the data centre and custom host of the account.`,
              });
            }
          },
        });
      } catch (error) {
        if (signal?.aborted) {
          throw classifyTransportError(error, this.host, true);
        }
        if (isZohoError(error)) {
          throw error;
        }
        const undecodable = decoded?.encoded && undecodableBody(decoded.encoded.name, error);
        if (undecodable) {
          throw undecodable;
        }
        throw new ZohoError({
          kind: 'network',
          message: 'The download was cut off before the end. Try downloading again.',
        });
      }
      if (outcome.jsonBody !== undefined) {
        // The answer for a batch with no records is JSON with code 3000 (or 9220) instead of a
        // ZIP (contract section 6); any other JSON is an error envelope.
        const { code } = readEnvelope(outcome.jsonBody);
        if (code === SUCCESS_CODE || code === NO_RECORDS_CODE) {
          return { bytes: 0, format: 'noRecords' };
        }
        throw this.errorFrom(response.status, response.headers, outcome.jsonBody, context, true);
      }
      if (total !== undefined && outcome.bytes !== total) {
        throw new ZohoError({
          kind: 'network',
          message: `The download was cut off (${outcome.bytes} of ${total} bytes). Try downloading again.`,
        });
      }
      const recordCursor = headerValue(response.headers, 'recordcursor');
      return {
        bytes: outcome.bytes,
        format: outcome.format === 'zip' ? 'zip' : 'csv',
        ...(recordCursor ? { recordCursor: redactKnown(recordCursor, this.tokens.secrets()) } : {}),
      };
    } catch (error) {
      response?.data?.destroy?.();
      throw error;
    }
  }

  /** Masks the secrets in use in an error's texts (the server may echo a token anywhere). */
  private masked(error: ZohoError): ZohoError {
    const secrets = this.tokens.secrets();
    const message = serverText(error.message, secrets, 2000);
    const serverMessage =
      error.serverMessage === undefined ? undefined : serverText(error.serverMessage, secrets);
    if (message === error.message && serverMessage === error.serverMessage) {
      return error;
    }
    return new ZohoError({
      kind: error.kind,
      message,
      httpStatus: error.httpStatus,
      code: error.code,
      serverMessage,
      retryAfterMs: error.retryAfterMs,
      scope: error.scope,
    });
  }

  private get host(): string {
    return new URL(this.apiBase).host;
  }

  /**
   * The job's own download_url is used only as a path on the account's host, and only when it
   * has the expected shape; anything else could send the token somewhere else.
   */
  private resultPath(ref: ReportRef, jobId: string, downloadUrl: string | undefined): string {
    const built = jobResultPath(this.family, ref, jobId);
    if (!downloadUrl) {
      return built;
    }
    const relative =
      downloadUrl.startsWith('/') && !downloadUrl.startsWith('//') && !downloadUrl.includes('\\');
    if (relative) {
      const pathname = new URL(downloadUrl, 'http://placeholder.invalid').pathname;
      const shape = new RegExp(`/read/${jobId}/result/?$`);
      if (
        /^(\/[A-Za-z0-9_.~%-]+)+\/?$/.test(pathname) &&
        shape.test(pathname) &&
        !pathname.includes('/../')
      ) {
        return pathname;
      }
    }
    this.logger.warn(
      `Job ${jobId}: ignoring its download_url (${relative ? 'unexpected path' : 'absolute URL'}); downloading from the account's own host instead.`,
    );
    return built;
  }

  private errorFrom(
    status: number,
    headers: unknown,
    data: unknown,
    context: ErrorContext,
    wasJsonInsteadOfFile = false,
  ): ZohoError {
    const classified = classifyResponse(
      { status, headers: headers as Record<string, unknown>, data },
      this.withSecrets(context),
    );
    if (classified) {
      return classified;
    }
    return new ZohoError({
      kind: 'server',
      httpStatus: status,
      message: wasJsonInsteadOfFile
        ? 'Zoho answered with a message instead of the result file. Try downloading again later.'
        : `Unexpected answer from Zoho (HTTP ${status}). Try again later.`,
    });
  }

  private withSecrets(context: ErrorContext): ErrorContext {
    return { ...context, now: this.clock.now(), secrets: this.tokens.secrets() };
  }

  /** JSON request with one refresh on 1030 and backoff retries where they are safe. */
  private async requestJson(spec: RequestSpec): Promise<unknown> {
    const response = await this.send<unknown>(spec, { stream: false });
    const error = classifyResponse(
      { status: response.status, headers: response.headers as Record<string, unknown>, data: response.data },
      this.withSecrets(spec.context),
    );
    if (error) {
      throw error;
    }
    if (!response.data || typeof response.data !== 'object') {
      throw new ZohoError({
        kind: 'server',
        httpStatus: response.status,
        message: 'Zoho answered with something other than JSON. Check the data centre and custom host.',
      });
    }
    return response.data;
  }

  /**
   * Sends one logical request. Handles token refresh (once, on 1030) and retries; returns the
   * final response for the caller to classify (a streamed body is left unread).
   */
  private async send<T>(
    spec: RequestSpec,
    mode: { stream: boolean; signal?: AbortSignal; attempts?: number },
  ): Promise<HttpResponse<T>> {
    const attempts = mode.attempts ?? this.retry.attempts;
    const url = `${this.apiBase}${spec.path}`;
    // The Authorization header is only ever attached to a URL on the account's own base.
    if (!url.startsWith(`${this.apiBase}/`)) {
      throw badRequest('Refusing to send the token outside the account host.');
    }
    const idempotent = spec.method === 'GET';
    let refreshed = false;
    for (let attempt = 1; ; attempt++) {
      if (mode.signal?.aborted) {
        throw classifyTransportError(undefined, this.host, true);
      }
      const token = await this.tokens.getAccessToken();
      const startedAt = this.clock.now();
      // A total deadline (axios' own timeout only watches the socket for silence, which a server
      // dribbling bytes defeats): the whole JSON answer, or a download's headers, within it.
      const deadline = new AbortController();
      const deadlineTimer = this.clock.setTimeout(() => deadline.abort(), this.deadlineMs);
      const signal = mode.signal ? AbortSignal.any([mode.signal, deadline.signal]) : deadline.signal;
      let response: HttpResponse<T>;
      try {
        response = await this.http.request<T>({
          method: spec.method,
          url,
          data: spec.body,
          signal,
          responseType: mode.stream ? 'stream' : 'json',
          // A download's body is watched by streamToFile (idle time, minimum rate, byte cap) and
          // decoded by decodeBody, which bounds the inflate ratio (src/zoho/download.ts).
          ...(mode.stream ? { timeout: 0, maxContentLength: -1, decompress: false } : {}),
          headers: {
            Authorization: `Zoho-oauthtoken ${token}`,
            Accept: mode.stream ? '*/*' : 'application/json',
            ...(spec.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
          },
        });
      } catch (error) {
        const code = (error as { code?: string }).code ?? 'failed';
        logRequest(this.logger, spec.method, url, code, startedAt, this.clock.now());
        const classified =
          deadline.signal.aborted && !mode.signal?.aborted
            ? deadlineExceeded(this.host, this.deadlineMs)
            : (tooLargeAnswer(error) ??
              classifyTransportError(error, this.host, mode.signal?.aborted ?? false));
        // A POST is repeated only when nothing reached the server: a second job would be created.
        const retryable = classified.kind === 'network' && (idempotent || isConnectionRefused(error));
        if (retryable && attempt < attempts) {
          await this.backoff(attempt, mode.signal);
          continue;
        }
        throw classified;
      } finally {
        this.clock.clearTimeout(deadlineTimer);
      }
      logRequest(this.logger, spec.method, url, response.status, startedAt, this.clock.now());

      if (response.status === 401 && this.tokens.canRefresh && !refreshed) {
        const data = mode.stream
          ? await readSmall(response.data as Readable, this.deadlineMs)
          : response.data;
        const error = classifyResponse({ status: response.status, data }, this.withSecrets(spec.context));
        if (error?.kind === 'authExpired') {
          // Refresh once and retry; a 2945 (missing scope) never reaches here.
          refreshed = true;
          this.tokens.invalidate(token);
          attempt--;
          continue;
        }
        if (mode.stream) {
          throw error ?? this.errorFrom(response.status, response.headers, data, spec.context);
        }
      }
      if (idempotent && response.status >= 500 && attempt < attempts) {
        if (mode.stream) {
          (response.data as Readable).destroy();
        }
        await this.backoff(attempt, mode.signal);
        continue;
      }
      return response;
    }
  }

  /** The tries a download may make: the caller's bound (at least 1), else the retry policy's. */
  private attemptsOf(requested: number | undefined): number {
    return requested === undefined ? this.retry.attempts : Math.max(1, Math.floor(requested));
  }

  private backoff(attempt: number, signal?: AbortSignal): Promise<void> {
    const base = this.retry.baseDelayMs * 2 ** (attempt - 1);
    // Jitter spreads the retries of many jobs that failed together.
    const delay = Math.round(base / 2 + Math.random() * (base / 2));
    return new Promise((resolve, reject) => {
      const handle = this.clock.setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, delay);
      const onAbort = () => {
        this.clock.clearTimeout(handle);
        reject(classifyTransportError(undefined, this.host, true));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}

/** axios' maxContentLength (a JSON answer over MAX_JSON_BYTES, after inflation) as a ZohoError. */
function tooLargeAnswer(error: unknown): ZohoError | undefined {
  const message = (error as { message?: unknown })?.message;
  if (typeof message === 'string' && /maxContentLength/.test(message)) {
    return new ZohoError({
      kind: 'server',
      message:
        'Zoho answered with more than 1 MB where a short answer was expected; it was not read. Try again later.',
    });
  }
  return undefined;
}

function listOf<T>(data: unknown, key: string): T[] {
  const value = (data as Record<string, unknown>)[key];
  return Array.isArray(value) ? (value as T[]) : [];
}

/**
 * Reads a small (error) body of a streamed request; gives up quietly past MAX_JSON_BYTES or after
 * `deadlineMs` (the stream has no socket timeout: a dribbling error body must not hang us).
 */
async function readSmall(stream: Readable, deadlineMs: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  const timer = setTimeout(() => stream.destroy(), deadlineMs);
  try {
    for await (const chunk of stream) {
      const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
      size += buffer.length;
      if (size > MAX_JSON_BYTES) {
        stream.destroy();
        break;
      }
      chunks.push(buffer);
    }
  } catch {
    // A broken error body still gets classified by its status.
  } finally {
    clearTimeout(timer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

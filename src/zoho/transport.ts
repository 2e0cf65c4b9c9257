// The request transport of one account: every Zoho request goes through `send`, which puts a total
// deadline on it, refreshes the access token once on a 1030, backs off and tries again where that is
// safe, and never attaches the token to a URL off the account's host. The Bulk Read calls
// (./client.ts) and the result download (./resultDownload.ts) are built on it.
import type { Readable } from 'node:stream';
import { silentLogger, systemClock, type Clock, type Logger } from '../core/ports';
import type { TokenProvider } from './api';
import { resolveEndpoints } from './dataCentres';
import { MAX_JSON_BYTES } from './limits';
import { ZohoError } from './errors';
import {
  classifyResponse,
  classifyTransportError,
  deadlineExceeded,
  isConnectionRefused,
  type ErrorContext,
} from './errorMapping';
import { createHttp, DEFAULT_TIMEOUT_MS, logRequest, type Http, type HttpResponse } from './http';
import { maskingLogger, serverText } from './redact';
import type { AccountTarget, UrlFamily } from './types';

export interface RetryPolicy {
  /** Total tries including the first (1 = no retry). */
  attempts: number;
  /** First backoff delay; doubles each retry, with jitter. */
  baseDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 3, baseDelayMs: 500 };

export interface TransportOptions {
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

export interface RequestSpec {
  method: 'GET' | 'POST';
  path: string;
  context: ErrorContext;
  body?: unknown;
}

export class Transport {
  readonly apiBase: string;
  readonly family: UrlFamily;
  readonly tokens: TokenProvider;
  /** Masks the secrets in use in every line. */
  readonly logger: Logger;
  readonly deadlineMs: number;
  private readonly clock: Clock;
  private readonly retry: RetryPolicy;
  private readonly http: Http;

  constructor(options: TransportOptions) {
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

  get host(): string {
    return new URL(this.apiBase).host;
  }

  /** JSON request with one refresh on 1030 and backoff retries where they are safe. */
  async requestJson(spec: RequestSpec): Promise<unknown> {
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
  async send<T>(
    spec: RequestSpec,
    mode: { stream: boolean; signal?: AbortSignal; attempts?: number },
  ): Promise<HttpResponse<T>> {
    const attempts = mode.attempts ?? this.retry.attempts;
    const url = `${this.apiBase}${spec.path}`;
    // The Authorization header is only ever attached to a URL on the account's own base.
    if (!url.startsWith(`${this.apiBase}/`)) {
      throw new ZohoError({
        kind: 'badRequest',
        message: 'Refusing to send the token outside the account host.',
      });
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
        const data = mode.stream ? await this.readSmall(response.data as Readable) : response.data;
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
  attemptsOf(requested: number | undefined): number {
    return requested === undefined ? this.retry.attempts : Math.max(1, Math.floor(requested));
  }

  backoff(attempt: number, signal?: AbortSignal): Promise<void> {
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

  /** The error an answer stands for: its classification, else a generic server error. */
  errorFrom(
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

  /** Masks the secrets in use in an error's texts (the server may echo a token anywhere). */
  masked(error: ZohoError): ZohoError {
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

  /**
   * Reads a small (error) body of a streamed request; gives up quietly past MAX_JSON_BYTES or after
   * the deadline (the stream has no socket timeout: a dribbling error body must not hang us).
   */
  async readSmall(stream: Readable): Promise<string> {
    const chunks: Buffer[] = [];
    let size = 0;
    const timer = setTimeout(() => stream.destroy(), this.deadlineMs);
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

  private withSecrets(context: ErrorContext): ErrorContext {
    return { ...context, now: this.clock.now(), secrets: this.tokens.secrets() };
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

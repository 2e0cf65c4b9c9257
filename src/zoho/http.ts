// The one axios configuration every Zoho request uses, and the request log line.
import axios, { type AxiosInstance } from 'axios';
import type { Logger } from '../core/ports';
import { MAX_JSON_BYTES } from './download';
import { redact } from './redact';

export const DEFAULT_TIMEOUT_MS = 30_000;

export function createHttp(timeoutMs: number = DEFAULT_TIMEOUT_MS): AxiosInstance {
  return axios.create({
    timeout: timeoutMs,
    // A redirect could carry the Authorization header to another host: never follow one.
    maxRedirects: 0,
    // Every status is classified by errorMapping, so axios must not throw on 4xx/5xx.
    validateStatus: () => true,
    // Environment proxy variables are not honoured here: VS Code patches Node's http module
    // with its own proxy support, and tests must reach 127.0.0.1 directly.
    proxy: false,
    // Zoho answers are small JSON or a ZIP we stream; never let axios guess a transform.
    transitional: { silentJSONParsing: true, forcedJSONParsing: true, clarifyTimeoutError: true },
    // A JSON answer is small: a bigger one (after any Content-Encoding is inflated) is refused
    // rather than held in memory. Streamed downloads set their own cap per request.
    maxContentLength: MAX_JSON_BYTES,
  });
}

/** `GET /creator/v2.1/... -> 200 (123 ms)`: path only (no host, no query), redacted. */
export function logRequest(
  logger: Logger,
  method: string,
  url: string,
  outcome: number | string,
  startedAt: number,
  now: number,
): void {
  let path = url;
  try {
    path = new URL(url).pathname;
  } catch {
    // Keep the raw text; redact below still masks anything secret-looking.
  }
  logger.debug(redact(`${method} ${path} -> ${outcome} (${Math.max(0, Math.round(now - startedAt))} ms)`));
}

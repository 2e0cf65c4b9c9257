// The one axios configuration every Zoho request uses, and the request log line.
// The types of the module that import() loads (axios ships separate typings for require and import).
import type { AxiosInstance, AxiosRequestConfig, AxiosResponse, AxiosStatic } from 'axios' with {
  'resolution-mode': 'import',
};
import { errorMessage } from '../core/format';
import type { Logger } from '../core/ports';
import { MAX_JSON_BYTES } from './limits';
import { redact } from './redact';

export const DEFAULT_TIMEOUT_MS = 30_000;

export type HttpResponse<T> = AxiosResponse<T>;

/** The part of an axios instance the client uses, under axios's own names. */
export interface Http {
  readonly defaults: { readonly timeout: number };
  request<T>(config: AxiosRequestConfig): Promise<HttpResponse<T>>;
  post<T>(url: string, data?: unknown, config?: AxiosRequestConfig): Promise<HttpResponse<T>>;
}

let axiosModule: Promise<AxiosStatic> | undefined;

/** axios is loaded on the first request, not at activation: a window with nothing to poll never pays for it. */
function loadAxios(): Promise<AxiosStatic> {
  axiosModule ??= import('axios').then(
    (module) => module.default,
    (error: unknown) => {
      axiosModule = undefined; // a file briefly locked or missing: the next request tries again
      throw new Error(
        `Could not load the extension's HTTP library (${errorMessage(error)}). Reload the window; if it persists, reinstall the extension.`,
      );
    },
  );
  return axiosModule;
}

export function createHttp(timeoutMs: number = DEFAULT_TIMEOUT_MS): Http {
  let instance: AxiosInstance | undefined;
  const request = async <T>(config: AxiosRequestConfig): Promise<HttpResponse<T>> => {
    instance ??= configure(await loadAxios(), timeoutMs);
    return instance.request<T>(config);
  };
  return {
    defaults: { timeout: timeoutMs },
    request,
    post: (url, data, config) => request({ ...config, method: 'POST', url, data }),
  };
}

function configure(axios: AxiosStatic, timeoutMs: number): AxiosInstance {
  return axios.create({
    timeout: timeoutMs,
    // A redirect could carry the Authorization header to another host: never follow one. (The
    // bundle leaves axios's redirect support, follow-redirects, out: see esbuild.js.)
    maxRedirects: 0,
    // Node's http adapter, by name: the bundle leaves axios's browser adapters out (esbuild.js).
    adapter: 'http',
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

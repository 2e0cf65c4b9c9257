// Limits on server answers that settings and the small-request path need without the download code
// (./download.ts, loaded with the first result: esbuild.js, buildSplit).

/** A JSON answer larger than this is not an answer: stop collecting (also caps status bodies). */
export const MAX_JSON_BYTES = 1024 * 1024;
/** Default: no byte for this long and the download is given up (then retried). */
export const DEFAULT_IDLE_TIMEOUT_MS = 60_000;

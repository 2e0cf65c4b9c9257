// Masks secrets in any text bound for a log line or an error message. Defensive: callers
// should never pass secrets, but server echoes and URLs sometimes carry them.
import { mappedLogger, type Logger } from '../core/ports';

const MASK = '***';

const PATTERNS: Array<[RegExp, string]> = [
  // Authorization header values: "Zoho-oauthtoken 1000.abc…", "Bearer abc…".
  [/(Zoho-oauthtoken|Bearer)(\s+|%20|\+)[^\s"',;&]+/gi, `$1$2${MASK}`],
  // Query-string / form / JSON style key=value or "key":"value".
  [/(\b(?:access_token|refresh_token|client_secret|password)"?\s*[=:]\s*"?)[^\s"',;&]+/gi, `$1${MASK}`],
  // Grant codes and generic tokens only in query/form style (`"code":3000` is not a secret).
  [/((?:^|[?&\s])(?:code|token)=)[^\s"',;&]+/gi, `$1${MASK}`],
  // A bare "Authorization: …" line.
  [/(authorization"?\s*[:=]\s*"?)(?!Zoho-oauthtoken|Bearer)[^\s"',;&]+/gi, `$1${MASK}`],
];

export function redact(text: string): string {
  let out = String(text);
  for (const [pattern, replacement] of PATTERNS) {
    out = out.replace(pattern, replacement);
  }
  return out;
}

/** Masks each known secret verbatim as well (tokens can appear without a recognisable key). */
export function redactKnown(text: string, secrets: ReadonlyArray<string | undefined>): string {
  let out = redact(text);
  for (const secret of secrets) {
    if (secret && secret.length >= 4) {
      out = out.split(secret).join(MASK);
    }
  }
  return out;
}

/** Server text we store or show is cut to this many characters (a server may send megabytes). */
export const MAX_SERVER_TEXT_CHARS = 500;

/** Truncates to `max` characters, marking the cut. */
export function truncateText(text: string, max: number = MAX_SERVER_TEXT_CHARS): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/**
 * Server text made fit to log, store or show: the secrets in use masked (before the cut, so no
 * prefix of a secret survives), then truncated.
 */
export function serverText(
  text: string,
  secrets: ReadonlyArray<string | undefined> = [],
  max: number = MAX_SERVER_TEXT_CHARS,
): string {
  return truncateText(redactKnown(text, secrets), max);
}

/** A logger that masks the secrets in use (read at each call: tokens change) in every line. */
export function maskingLogger(logger: Logger, secrets: () => ReadonlyArray<string | undefined>): Logger {
  return mappedLogger(logger, (line) => redactKnown(line, secrets()));
}

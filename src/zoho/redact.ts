// Masks secrets in any text bound for a log line or an error message. Defensive: callers
// should never pass secrets, but server echoes and URLs sometimes carry them.

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

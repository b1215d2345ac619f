/**
 * The last line of defence for secrets in log lines: every line is scrubbed as text just before it
 * is written, whatever object it came from (an error's nested request metadata, a backend's
 * answer echoing a header). Three passes: values of secret-named JSON keys at any depth,
 * credentials in URLs, and every secret value the process knows (from the configuration and
 * secret files), also JSON-escaped.
 */

export const REDACTED = '<redacted>';

/** Header and config key names whose values are secrets, compared case-insensitively. */
export const SECRET_KEYS = [
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'password',
  'passphrase',
  'apiKey',
  'api_key',
  'api-key',
  'appKey',
  'dd-api-key',
  'dd-application-key',
  'x-elastic-app-auth',
  'hashKey',
] as const;

/** Values shorter than this are not scrubbed by value (they would mangle unrelated text), only by key. */
export const MIN_SCRUBBED_LENGTH = 4;

const keyPattern = SECRET_KEYS.map((k) => k.replace(/[-_]/g, '[-_]?')).join('|');
/** `"authorization":"Basic …"` (a string value) anywhere in a JSON line. */
const secretKeyValue = new RegExp(`("(?:${keyPattern})"\\s*:\\s*)"(?:[^"\\\\]|\\\\.)*"`, 'gi');
/** `https://user:password@host`: the password part. */
const urlCredentials = /(\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@"]*:)[^\s/@"]+@/gi;

const known = new Set<string>();

/**
 * Adds values that must never appear in a log line (process-wide: every logger made by
 * `createLogger` scrubs them). Empty and very short values are ignored.
 */
export function rememberSecrets(values: Iterable<string>): void {
  for (const value of values) {
    if (value.length < MIN_SCRUBBED_LENGTH) continue;
    known.add(value);
    const escaped = JSON.stringify(value).slice(1, -1);
    if (escaped !== value) known.add(escaped);
  }
}

/** `text` with secret-keyed values, URL passwords and every remembered secret value replaced. */
export function scrub(text: string): string {
  let out = text.replace(secretKeyValue, `$1"${REDACTED}"`).replace(urlCredentials, `$1${REDACTED}@`);
  for (const value of known) if (out.includes(value)) out = out.replaceAll(value, REDACTED);
  return out;
}

/** `https://user:pw@host/` → `https://user:<redacted>@host/`, for URLs shown outside the log. */
export function redactUrlCredentials(text: string): string {
  return text.replace(urlCredentials, `$1${REDACTED}@`);
}

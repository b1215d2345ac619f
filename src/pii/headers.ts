/**
 * PII rules for the published request and response headers (`properties.requestHeaders`,
 * `properties.responseHeaders`, WSO2 4.5+): credentials and cookies, named per plugin in
 * `pii.headerNames` (case-insensitive; `*` names every header), dropped, hashed or masked.
 */
import type { PiiAction } from './schema.js';

/** The headers that carry credentials or session state, the default of `pii.headerNames`. */
export const CREDENTIAL_HEADERS = [
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'apikey',
  'x-api-key',
  'internal-key',
  'x-jwt-assertion',
  'x-amzn-oidc-data',
] as const;

/** The header objects the rules cover, keys of `properties`. */
export const HEADER_KEYS = ['requestHeaders', 'responseHeaders'] as const;

/** `Bearer eyJ…` → `Bearer ***` (the scheme says how, not who); anything else → `***`. */
export function maskHeader(value: string): string {
  const scheme = /^(Basic|Bearer|Digest|Negotiate|NTLM|AWS4-HMAC-SHA256|HOBA|Mutual|DPoP)\s/i.exec(value);
  return scheme === null ? '***' : `${scheme[1]} ***`;
}

/**
 * The rewrite of one header object: a copy with each named header dropped or rewritten (string
 * values, each of a list of strings; other values dropped), or the object itself when no header
 * matched, so events without credentials are not copied.
 */
export function headerRewrite(
  action: Exclude<PiiAction, 'keep'>,
  names: readonly string[],
  rewrite: (value: string) => string,
): (headers: Record<string, unknown>) => Record<string, unknown> {
  const all = names.includes('*');
  const wanted = new Set(names.map((n) => n.toLowerCase()));
  const matches = (name: string) => all || wanted.has(name.toLowerCase());
  const change = (value: unknown): unknown => {
    if (typeof value === 'string') return value === '' ? value : rewrite(value);
    if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.map(change);
    return undefined;
  };
  return (headers) => {
    if (!Object.keys(headers).some(matches)) return headers;
    const out: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(headers)) {
      if (!matches(name)) out[name] = value;
      else if (action !== 'drop') {
        const changed = change(value);
        if (changed !== undefined) out[name] = changed;
      }
    }
    return out;
  };
}

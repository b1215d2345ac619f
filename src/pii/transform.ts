import { createHmac } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import type { CanonicalEvent } from '../schema/event.js';
import { HEADER_KEYS, headerRewrite, maskHeader } from './headers.js';
import type { PiiAction, PiiConfig, PiiField } from './schema.js';

/** Hex digits of HMAC-SHA256 kept: 128 bits, no collision in any realistic number of users. */
export const HASH_HEX_DIGITS = 32;

/** Values that say "not known" rather than who: kept as they are by `hash` and `mask`. */
const NOT_PERSONAL = new Set(['', 'UNKNOWN']);

/** The event keys each PII field covers: root keys, and keys inside `properties`. */
const KEYS: Record<PiiField, { root: readonly string[]; properties: readonly string[] }> = {
  userIp: { root: ['userIp'], properties: [] },
  userName: { root: ['userName'], properties: ['userName'] },
  userAgent: { root: ['userAgent', 'userAgentHeader'], properties: [] },
};

type Rewrite = (value: string) => string;

/** Keyed HMAC-SHA256 of `value`, first 32 hex digits: the same value and key give the same hash. */
export function hashValue(key: string, value: string): string {
  return createHmac('sha256', key).update(value, 'utf8').digest('hex').slice(0, HASH_HEX_DIGITS);
}

/** IPv4 → /24 (`192.0.2.0`), IPv6 → /48 (`2001:db8:1::`), a list → each; anything else → `***`. */
export function maskIp(value: string): string {
  if (value.includes(','))
    return value
      .split(',')
      .map((part) => maskIp(part.trim()))
      .join(', ');
  if (isIPv4(value)) return value.replace(/\.\d+$/, '.0');
  const address = value.replace(/%.*$/, ''); // zone id: fe80::1%eth0
  if (!isIPv6(address)) return '***';
  const groups = ipv6Groups(address);
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    const [hi = 0, lo = 0] = groups.slice(6);
    return `::ffff:${hi >> 8}.${hi & 0xff}.${lo >> 8}.0`; // an IPv4 client seen by a dual-stack gateway
  }
  const network = groups.slice(0, 3);
  while (network.at(-1) === 0) network.pop(); // canonical: 2001:db8:0:: is 2001:db8::
  return `${network.map((g) => g.toString(16)).join(':')}::`;
}

/** The eight 16-bit groups of a valid IPv6 address (`::` expanded, an embedded IPv4 converted). */
function ipv6Groups(address: string): number[] {
  const hex = address.replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (_, a, b, c, d) => {
    const group = (x: string, y: string) => ((Number(x) << 8) | Number(y)).toString(16);
    return `${group(a, b)}:${group(c, d)}`;
  });
  const [head = '', tail] = hex.split('::');
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((g) => Number.parseInt(g, 16)));
  if (tail === undefined) return parse(head);
  const left = parse(head);
  const right = parse(tail);
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}

/** `alice@example.com@tenant.org` → `***@tenant.org`; a name without a tenant → `***`. */
export function maskUserName(value: string): string {
  const at = value.lastIndexOf('@');
  return at === -1 ? '***' : `***${value.slice(at)}`;
}

/** The product token: `Mozilla/5.0 (X11; Linux)` → `Mozilla`, `curl/8.5.0` → `curl`. */
export function maskUserAgent(value: string): string {
  return value.trimStart().split(/[/\s]/, 1)[0] ?? '';
}

const MASKS: Record<PiiField, Rewrite> = { userIp: maskIp, userName: maskUserName, userAgent: maskUserAgent };

/**
 * The rewrite of a PII config: a function returning a copy of an event with each covered key
 * dropped, hashed or masked (the input is never changed), or undefined when every field is kept.
 * Non-string values of a covered key are dropped: they cannot be masked reliably.
 */
export function piiTransform(
  config: PiiConfig | undefined,
): ((event: CanonicalEvent) => CanonicalEvent) | undefined {
  if (config === undefined) return undefined;
  const rules: [PiiField, PiiAction][] = [
    ['userIp', config.userIp],
    ['userName', config.userName],
    ['userAgent', config.userAgent],
  ];
  const active = rules.filter(([, action]) => action !== 'keep');
  const headers = config.headers ?? 'keep';
  if (active.length === 0 && headers === 'keep') return undefined;
  const { hashKey } = config;
  const headerPlan =
    headers === 'keep'
      ? undefined
      : headerRewrite(
          headers,
          config.headerNames ?? [],
          headers === 'hash' ? (v) => hashValue(hashKey, v) : maskHeader,
        );
  const plans = active.map(([field, action]) => {
    const rewrite: Rewrite | undefined =
      action === 'drop' ? undefined : action === 'hash' ? (v) => hashValue(hashKey, v) : MASKS[field];
    return { ...KEYS[field], rewrite };
  });
  return (event) => {
    const out: Record<string, unknown> = { ...event };
    const properties: Record<string, unknown> | undefined =
      typeof event.properties === 'object' && event.properties !== null ? { ...event.properties } : undefined;
    for (const plan of plans) {
      for (const key of plan.root) apply(out, key, plan.rewrite);
      if (properties !== undefined) for (const key of plan.properties) apply(properties, key, plan.rewrite);
    }
    if (headerPlan !== undefined && properties !== undefined) {
      for (const key of HEADER_KEYS) {
        const value = properties[key];
        if (typeof value === 'object' && value !== null && !Array.isArray(value))
          properties[key] = headerPlan(value as Record<string, unknown>);
      }
    }
    if (properties !== undefined) out.properties = properties;
    return out as CanonicalEvent;
  };
}

function apply(target: Record<string, unknown>, key: string, rewrite: Rewrite | undefined): void {
  if (!Object.hasOwn(target, key)) return;
  const value = target[key];
  if (rewrite === undefined || typeof value !== 'string') {
    delete target[key];
    return;
  }
  if (!NOT_PERSONAL.has(value)) target[key] = rewrite(value);
}

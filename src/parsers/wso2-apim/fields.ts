import { coerceBoolean, coerceNumber, coerceString, type FieldKind } from './coerce.js';

/**
 * Type checks and coercion for the known fields of a WSO2 record and its `properties`, in place.
 * Each function returns `<field>: <problem>` for the first field that cannot be coerced, else
 * `undefined`.
 *
 * Performance notes (the parser must stay within 80 % of a bare JSON.parse; docs/events.md):
 * fields are read by name (`r.apiName`), never through a loop over a table of key names (a keyed
 * lookup per field cost a quarter of the parse); the common record is only checked, and coercion
 * runs for a value whose type is wrong.
 */

export type Json = Record<string, unknown>;

/**
 * Deepest nesting of objects and arrays an event may have, the record itself being level 1 (WSO2's
 * records use a few: root, `properties`, `aiTokenUsage` or `mcpAnalytics`, …). `JSON.parse` accepts
 * any depth, but `JSON.stringify` and every other recursive consumer overflow the stack at a few
 * thousand levels: a record nested deeper is rejected, so that every event can be written.
 */
export const MAX_DEPTH = 64;

/**
 * True when every known root field already has its canonical type. Checks the few non-string
 * fields by name, then counts non-string values in one `for…in` pass: if they are exactly those
 * fields (plus `properties`), every other value, including each known string field, is a string.
 * That is far cheaper than 25 named string checks once V8's caches go megamorphic (a log mixes
 * key orders: response, faulty, older builds).
 */
export function rootIsCanonical(r: Json): boolean {
  const proxyCode = r.proxyResponseCode;
  const targetCode = r.targetResponseCode;
  const errorCode = r.errorCode;
  const latency = r.responseLatency;
  const backend = r.backendLatency;
  const requestMediation = r.requestMediationLatency;
  const responseMediation = r.responseMediationLatency;
  const cacheHit = r.responseCacheHit;
  if (!(isInt(proxyCode) && isInt(targetCode) && isInt(errorCode) && isBool(cacheHit))) return false;
  if (!(isNum(latency) && isNum(backend) && isNum(requestMediation) && isNum(responseMediation)))
    return false;
  const expected =
    1 + // properties, an object by now
    present(proxyCode) +
    present(targetCode) +
    present(errorCode) +
    present(latency) +
    present(backend) +
    present(requestMediation) +
    present(responseMediation) +
    present(cacheHit);
  return countNonStrings(r) === expected;
}

/**
 * The slow path for a root that is not {@link rootIsCanonical}: coerces in place and returns
 * `<field>: <problem>` for the first root field that cannot be coerced or nests deeper than
 * {@link MAX_DEPTH}, else `undefined`.
 */
export function coerceRoot(r: Json): string | undefined {
  return (
    str(r, 'keyType', r.keyType) ??
    str(r, 'apiId', r.apiId) ??
    str(r, 'apiType', r.apiType) ??
    str(r, 'apiName', r.apiName) ??
    str(r, 'apiVersion', r.apiVersion) ??
    str(r, 'apiCreator', r.apiCreator) ??
    str(r, 'apiCreatorTenantDomain', r.apiCreatorTenantDomain) ??
    str(r, 'apiMethod', r.apiMethod) ??
    str(r, 'apiContext', r.apiContext) ??
    str(r, 'apiResourceTemplate', r.apiResourceTemplate) ??
    str(r, 'destination', r.destination) ??
    str(r, 'applicationId', r.applicationId) ??
    str(r, 'applicationName', r.applicationName) ??
    str(r, 'applicationOwner', r.applicationOwner) ??
    str(r, 'regionId', r.regionId) ??
    str(r, 'gatewayType', r.gatewayType) ??
    str(r, 'userName', r.userName) ??
    str(r, 'userIp', r.userIp) ??
    str(r, 'userAgent', r.userAgent) ??
    str(r, 'platform', r.platform) ??
    str(r, 'errorType', r.errorType) ??
    str(r, 'errorMessage', r.errorMessage) ??
    str(r, 'organizationId', r.organizationId) ??
    str(r, 'environmentId', r.environmentId) ??
    str(r, 'userAgentHeader', r.userAgentHeader) ??
    int(r, 'proxyResponseCode', r.proxyResponseCode) ??
    int(r, 'targetResponseCode', r.targetResponseCode) ??
    int(r, 'errorCode', r.errorCode) ??
    num(r, 'responseLatency', r.responseLatency) ??
    num(r, 'backendLatency', r.backendLatency) ??
    num(r, 'requestMediationLatency', r.requestMediationLatency) ??
    num(r, 'responseMediationLatency', r.responseMediationLatency) ??
    bool(r, 'responseCacheHit', r.responseCacheHit) ??
    nestedTooDeep(r, 1, 'properties')
  );
}

/** Same idea as {@link rootIsCanonical}; AI metadata always takes the slow path (respelling, quotes). */
export function propertiesAreCanonical(p: Json): boolean {
  if (p.aiMetadata !== undefined || p.aiTokenUsage !== undefined) return false;
  const size = p.responseSize;
  const egress = p.isEgress;
  const requestHeaders = p.requestHeaders;
  const responseHeaders = p.responseHeaders;
  const mcp = p.mcpAnalytics;
  if (!(isInt(size) && isBool(egress) && isMap(requestHeaders) && isMap(responseHeaders) && isMap(mcp)))
    return false;
  const expected =
    present(size) + present(egress) + present(requestHeaders) + present(responseHeaders) + present(mcp);
  return countNonStrings(p) === expected;
}

function countNonStrings(target: Json): number {
  let count = 0;
  for (const key in target) {
    if (typeof target[key] !== 'string') count++;
  }
  return count;
}

function present(value: unknown): number {
  return value === undefined ? 0 : 1;
}

/** `<field>: <problem>` (path relative to `properties`) for the first bad field, else `undefined`. */
export function normaliseProperties(p: Json): string | undefined {
  const failure =
    str(p, 'userName', p.userName) ??
    str(p, 'apiContext', p.apiContext) ??
    int(p, 'responseSize', p.responseSize) ??
    str(p, 'responseContentType', p.responseContentType) ??
    str(p, 'commonName', p.commonName) ??
    bool(p, 'isEgress', p.isEgress) ??
    str(p, 'subtype', p.subtype) ??
    obj(p, 'aiMetadata', p.aiMetadata) ??
    obj(p, 'aiTokenUsage', p.aiTokenUsage) ??
    obj(p, 'requestHeaders', p.requestHeaders) ??
    obj(p, 'responseHeaders', p.responseHeaders) ??
    obj(p, 'mcpAnalytics', p.mcpAnalytics);
  if (failure !== undefined) return failure;
  if (p.aiMetadata !== undefined) {
    const failure = normaliseAiMetadata(p.aiMetadata as Json);
    if (failure !== undefined) return `aiMetadata.${failure}`;
  }
  if (p.aiTokenUsage !== undefined) {
    const u = p.aiTokenUsage as Json;
    const failure =
      int(u, 'promptTokens', u.promptTokens) ??
      int(u, 'completionTokens', u.completionTokens) ??
      int(u, 'totalTokens', u.totalTokens) ??
      int(u, 'hour', u.hour);
    if (failure !== undefined) return `aiTokenUsage.${failure}`;
  }
  return nestedTooDeep(p, 2);
}

function normaliseAiMetadata(m: Json): string | undefined {
  if (m.vendor_name !== undefined) respell(m, 'vendor_name', 'vendorName');
  if (m.vendor_version !== undefined) respell(m, 'vendor_version', 'vendorVersion');
  const failure =
    str(m, 'vendorName', m.vendorName) ??
    str(m, 'vendorVersion', m.vendorVersion) ??
    str(m, 'model', m.model);
  if (failure !== undefined) return failure;
  if (typeof m.model === 'string') m.model = unquote(m.model);
  return undefined;
}

// Tiny predicates, small enough for V8 to inline into the long `&&` chains above.
function isInt(value: unknown): boolean {
  return value === undefined || Number.isInteger(value);
}

function isNum(value: unknown): boolean {
  return value === undefined || Number.isFinite(value);
}

function isBool(value: unknown): boolean {
  return value === undefined || typeof value === 'boolean';
}

/** No value, or an object as a member of `properties` (level 3) nested no deeper than allowed. */
function isMap(value: unknown): boolean {
  return value === undefined || (isObject(value) && withinDepth(value, 3));
}

/**
 * `<key>: nested deeper than …` for the first member of `target` (itself at `depth`) whose value
 * nests too deep, else `undefined`; `skip` names a member already checked.
 */
function nestedTooDeep(target: Json, depth: number, skip?: string): string | undefined {
  for (const key in target) {
    const value = target[key];
    if (key !== skip && typeof value === 'object' && value !== null && !withinDepth(value, depth + 1))
      return `${key}: nested deeper than ${MAX_DEPTH} levels`;
  }
  return undefined;
}

/** True when `value` (an object or array at `depth`) and everything in it stay within MAX_DEPTH. */
function withinDepth(value: object, depth: number): boolean {
  if (depth > MAX_DEPTH) return false;
  if (Array.isArray(value)) {
    for (const item of value) {
      if (typeof item === 'object' && item !== null && !withinDepth(item, depth + 1)) return false;
    }
    return true;
  }
  for (const key in value) {
    const item = (value as Json)[key];
    if (typeof item === 'object' && item !== null && !withinDepth(item, depth + 1)) return false;
  }
  return true;
}

// Each checker returns `undefined` straight away for a value of the right type (or no value), and
// otherwise fixes the field in place or describes why it cannot.

function str(target: Json, key: string, value: unknown): string | undefined {
  return typeof value === 'string' || value === undefined ? undefined : fix(target, key, value, 'string');
}

function int(target: Json, key: string, value: unknown): string | undefined {
  return Number.isInteger(value) || value === undefined ? undefined : fix(target, key, value, 'integer');
}

function num(target: Json, key: string, value: unknown): string | undefined {
  return Number.isFinite(value) || value === undefined ? undefined : fix(target, key, value, 'number');
}

function bool(target: Json, key: string, value: unknown): string | undefined {
  return typeof value === 'boolean' || value === undefined ? undefined : fix(target, key, value, 'boolean');
}

function obj(target: Json, key: string, value: unknown): string | undefined {
  return isObject(value) || value === undefined ? undefined : fix(target, key, value, 'object');
}

/** Slow path: drops a `null`, stores the coerced value, or describes the problem. */
function fix(target: Json, key: string, value: unknown, kind: FieldKind): string | undefined {
  if (value === null) {
    delete target[key];
    return undefined;
  }
  const coerced = coerce(value, kind);
  if (coerced === undefined) return `${key}: expected ${article(kind)}, got ${show(value)}`;
  target[key] = coerced;
  return undefined;
}

function coerce(value: unknown, kind: FieldKind): unknown {
  switch (kind) {
    case 'string':
      return coerceString(value);
    case 'integer':
      return coerceNumber(value, true);
    case 'number':
      return coerceNumber(value, false);
    case 'boolean':
      return coerceBoolean(value);
    case 'object':
      return undefined;
    default: {
      const unreachable: never = kind;
      return unreachable;
    }
  }
}

/** Moves `from` to `to` unless `to` is already set (then both stay, `from` as an unknown key). */
export function respell(target: Json, from: string, to: string): void {
  if (target[from] === undefined || target[to] !== undefined) return;
  target[to] = target[from];
  delete target[from];
}

/** `"\"gpt-4o-mini\""` arrives as `"gpt-4o-mini"` with the quotes; WSO2's own data has it (§2.4). */
function unquote(model: string): string {
  const last = model.length - 1;
  return last > 0 && model.charCodeAt(0) === 34 && model.charCodeAt(last) === 34
    ? model.slice(1, last)
    : model;
}

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function article(kind: FieldKind): string {
  return kind === 'integer' || kind === 'object' ? `an ${kind}` : `a ${kind}`;
}

export function show(value: unknown): string {
  if (isObject(value)) return 'an object';
  if (Array.isArray(value)) return 'an array';
  const text = typeof value === 'number' ? String(value) : (JSON.stringify(value) ?? String(value));
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

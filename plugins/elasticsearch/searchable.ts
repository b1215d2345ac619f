/**
 * The shapes no opted-in mapping can take (searchable-fields.ts), moved aside before sending so
 * that they never fail a document. Checked on a real 8.19 and 9.2 node:
 *
 * - a `long`, `double`, `boolean` or `date` field with `ignore_malformed` takes any scalar (one
 *   that does not parse is kept in `_source`, not indexed, and named in `_ignored`), but refuses
 *   an object, or a list holding one; so does a `keyword` or `text` field;
 * - a `flattened` field refuses anything but an object, nesting deeper than its `depth_limit`, a
 *   key holding `\0`, and a key path too long for one Lucene term (32766 bytes with the value);
 * - a dotted key (`"retries.max"` in `properties`, or `"properties.retries"` at the root) is read
 *   by Elasticsearch as a path into the opted-in field, which a leaf cannot take.
 *
 * Such a value is moved, whole and unchanged, under the root key `gaxUnindexed` (its original
 * path as the key): still in `_source`, not indexed (the root mapping is `dynamic: false`), and
 * the document is indexed with everything else.
 */
import type { CanonicalEvent } from '../../src/schema/event.js';
import type { SearchablePlan } from './searchable-fields.js';

/** Root key of the values moved aside; unmapped, so it takes any shape. */
export const UNINDEXED_KEY = 'gaxUnindexed';

/**
 * Longest key path (bytes) inside a flattened field: with a value of at most `ignore_above`
 * (1024 UTF-16 units, at most 3072 bytes) it stays far below Lucene's 32766-byte term limit.
 */
export const MAX_FLATTENED_KEY_PATH_BYTES = 8192;

type Json = Record<string, unknown>;

/**
 * The event as it goes to Elasticsearch: the same object when every opted-in value fits its
 * mapping (the usual case: no copy), else a shallow copy with the misfits under `gaxUnindexed`.
 */
export function fitForMappings(event: CanonicalEvent, plan: SearchablePlan): CanonicalEvent {
  const moved: Json = {};
  let count = 0;
  const properties = event.properties as Json | undefined;
  let keptProperties: Json | undefined;
  if (isObject(properties)) {
    for (const key in properties) {
      if (fits(plan, key, properties[key])) continue;
      moved[`properties.${key}`] = properties[key];
      count++;
      keptProperties ??= { ...properties };
      delete keptProperties[key];
    }
  }
  const root = event as unknown as Json;
  let keptRoot: Json | undefined;
  for (const key in root) {
    if (!key.startsWith('properties.')) continue;
    if (!opted(plan, key.slice('properties.'.length).split('.')[0] as string)) continue;
    moved[key] = root[key];
    count++;
    keptRoot ??= { ...root };
    delete keptRoot[key];
  }
  if (count === 0) return event;
  const out: Json = keptRoot ?? { ...root };
  if (keptProperties !== undefined) out.properties = keptProperties;
  const earlier = out[UNINDEXED_KEY];
  out[UNINDEXED_KEY] = {
    ...(isObject(earlier) ? earlier : earlier === undefined ? {} : { [UNINDEXED_KEY]: earlier }),
    ...moved,
  };
  return out as unknown as CanonicalEvent;
}

function opted(plan: SearchablePlan, key: string): boolean {
  return plan.scalars.has(key) || plan.flattened.has(key);
}

/** Whether `properties[key]` can be indexed as mapped (a key not opted in always can: unmapped). */
function fits(plan: SearchablePlan, key: string, value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (plan.scalars.has(key)) return isScalarOrList(value);
  const depth = plan.flattened.get(key);
  if (depth !== undefined) return isObject(value) && flattenedFits(value, 1, depth, 0);
  const dot = key.indexOf('.');
  return dot < 0 || !opted(plan, key.slice(0, dot));
}

/** A scalar, or a list (of lists) of scalars. */
function isScalarOrList(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return true;
  return Array.isArray(value) && value.every(isScalarOrList);
}

/** Whether an object at `depth` (the field's own object is 1) fits a flattened field. */
function flattenedFits(object: Json, depth: number, limit: number, pathBytes: number): boolean {
  if (depth > limit) return false;
  for (const key in object) {
    if (key.includes('\0')) return false;
    const bytes = pathBytes + (pathBytes === 0 ? 0 : 1) + Buffer.byteLength(key);
    if (bytes > MAX_FLATTENED_KEY_PATH_BYTES) return false;
    if (!flattenedValueFits(object[key], depth, limit, bytes)) return false;
  }
  return true;
}

function flattenedValueFits(value: unknown, depth: number, limit: number, pathBytes: number): boolean {
  if (typeof value !== 'object' || value === null) return true;
  if (Array.isArray(value)) return value.every((v) => flattenedValueFits(v, depth, limit, pathBytes));
  return flattenedFits(value as Json, depth + 1, limit, pathBytes);
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The Kibana saved-object envelope shared by every builder: types, migration versions and the
 * canonical JSON the bundle is written with (sorted keys, so the file is byte-stable).
 */

/** Saved-object types this bundle emits. */
export type SavedObjectType = 'index-pattern' | 'visualization' | 'lens' | 'search' | 'dashboard';

/** One entry of a saved object's `references`. */
export interface Reference {
  readonly name: string;
  readonly type: SavedObjectType;
  readonly id: string;
}

/** A saved object as it appears on one line of a Kibana 8.8+ export. */
export interface SavedObject {
  readonly id: string;
  readonly type: SavedObjectType;
  readonly attributes: Readonly<Record<string, unknown>>;
  readonly references: readonly Reference[];
  readonly coreMigrationVersion: string;
  readonly typeMigrationVersion: string;
}

/** Every 8.8+ export carries `coreMigrationVersion: "8.8.0"` (the envelope format's version). */
export const CORE_MIGRATION_VERSION = '8.8.0';

/**
 * `typeMigrationVersion` per type: the version whose shape the builders emit, so Kibana runs no
 * migration written for older shapes. Lens `8.9.0` (its last legacy migration) and dashboard
 * `8.9.0` (its attribute schema version) make Kibana 8.9 the oldest one that accepts the bundle.
 */
export const TYPE_MIGRATION_VERSION = {
  'index-pattern': '8.0.0',
  visualization: '8.5.0',
  lens: '8.9.0',
  search: '8.0.0',
  dashboard: '8.9.0',
} as const satisfies Record<SavedObjectType, string>;

/** A saved object of `type` with the bundle's migration versions. */
export function savedObject(
  type: SavedObjectType,
  id: string,
  attributes: Record<string, unknown>,
  references: readonly Reference[] = [],
): SavedObject {
  return {
    id,
    type,
    attributes,
    references,
    coreMigrationVersion: CORE_MIGRATION_VERSION,
    typeMigrationVersion: TYPE_MIGRATION_VERSION[type],
  };
}

/** `value` with the keys of every nested object sorted (arrays keep their order). */
export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(entries.map(([k, v]) => [k, sortKeys(v)]));
}

/** Compact JSON with sorted keys: the form of nested JSON strings (`panelsJSON`, `visState`, …). */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

/** The export text: one canonical JSON object per line, newline-terminated. */
export function toNdjson(objects: readonly object[]): string {
  return objects.map((o) => `${canonicalJson(o)}\n`).join('');
}

/**
 * The OpenSearch Dashboards saved-object envelope of the bundle: types, the `migrationVersion` of
 * each type, and the canonical JSON the file is written with (shared with the Kibana bundle, so
 * the file is byte-stable).
 */
import { canonicalJson } from '../kibana/saved-object.js';

export { canonicalJson, toNdjson } from '../kibana/saved-object.js';

/** Saved-object types this bundle emits. */
export type OsdObjectType = 'index-pattern' | 'visualization' | 'dashboard';

/** One entry of a saved object's `references`. */
export interface OsdReference {
  readonly name: string;
  readonly type: OsdObjectType;
  readonly id: string;
}

/** A saved object as one line of an OpenSearch Dashboards 2.x export. */
export interface OsdSavedObject {
  readonly id: string;
  readonly type: OsdObjectType;
  readonly attributes: Readonly<Record<string, unknown>>;
  readonly references: readonly OsdReference[];
  readonly migrationVersion: Readonly<Record<string, string>>;
}

/**
 * The newest migration OpenSearch Dashboards 2.x has for each type (the versions its 2.x exports
 * carry): it runs the migrations newer than an object's version on import and refuses an object
 * whose version is newer than every migration it knows. The builders emit these shapes, so no
 * migration runs.
 */
export const MIGRATION_VERSION = {
  'index-pattern': '7.6.0',
  visualization: '7.10.0',
  dashboard: '7.9.3',
} as const satisfies Record<OsdObjectType, string>;

/** A saved object of `type` with the bundle's migration version. */
export function osdObject(
  type: OsdObjectType,
  id: string,
  attributes: Record<string, unknown>,
  references: readonly OsdReference[] = [],
): OsdSavedObject {
  return { id, type, attributes, references, migrationVersion: { [type]: MIGRATION_VERSION[type] } };
}

/** `searchSourceJSON` of a visualization on an index pattern, with a KQL query. */
export function searchSource(query: string, withIndex: boolean): string {
  return canonicalJson({
    query: { query, language: 'kuery' },
    filter: [],
    ...(withIndex ? { indexRefName: 'kibanaSavedObjectMeta.searchSourceJSON.index' } : {}),
  });
}

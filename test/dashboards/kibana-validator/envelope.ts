/** The export-line envelope: top-level keys and migration-version ranges. */

import type { Entry } from './common.js';

/** Every 8.8+ export has this envelope version. */
const CORE_MIGRATION_VERSION = '8.8.0';

/**
 * Allowed `typeMigrationVersion` per type, inclusive. `min`: the shape the bundle emits, so no
 * migration written for an older shape runs on it. `max`: the newest migration the oldest
 * targeted Kibana (8.9) knows for the type, so 8.9 does not answer "belongs to a more recent
 * version of Kibana". Model versions (`10.N.0`, dashboards in 8.1x+) are above every max.
 */
const TYPE_MIGRATION_RANGE: Readonly<Record<string, { min: string; max: string }>> = {
  // 7.11.0 added allowNoIndex; 8.0.0 (multi-namespace conversion) is the data view's last 8.x migration.
  'index-pattern': { min: '7.11.0', max: '8.0.0' },
  // formBased (not `indexpattern`) datasource since 8.6.0; 8.9.0 is Lens's last legacy migration.
  lens: { min: '8.6.0', max: '8.9.0' },
  // visState with `params`/`aggs` as 8.x writes it; 8.5.0 is the newest version known to exist in 8.9.
  visualization: { min: '8.0.0', max: '8.5.0' },
  // Kibana's sample data ships 7.9.3; 8.0.0 is the multi-namespace conversion.
  search: { min: '7.9.3', max: '8.0.0' },
  // The dashboard attribute schema is registered at 8.9.0; later versions are model versions (10.x).
  dashboard: { min: '8.9.0', max: '8.9.0' },
  tag: { min: '8.0.0', max: '8.0.0' },
};
const TARGET_KIBANA = '8.9';

/** Top-level keys of an export line. */
const ENVELOPE_KEYS = new Set([
  'id',
  'type',
  'attributes',
  'references',
  'coreMigrationVersion',
  'typeMigrationVersion',
  'migrationVersion',
  'managed',
  'namespaces',
  'originId',
  'created_at',
  'updated_at',
  'version',
]);

export function checkEnvelope(e: Entry, report: (p: string) => void): void {
  for (const key of Object.keys(e.object))
    if (!ENVELOPE_KEYS.has(key)) report(`unknown top-level key "${key}"`);
  if (e.object.coreMigrationVersion !== CORE_MIGRATION_VERSION)
    report(`coreMigrationVersion must be "${CORE_MIGRATION_VERSION}"`);
  const version = e.object.typeMigrationVersion;
  const range = TYPE_MIGRATION_RANGE[e.type];
  if (typeof version !== 'string' || !/^\d+\.\d+\.\d+$/.test(version)) {
    report('typeMigrationVersion must be a version string like "8.9.0"');
    return;
  }
  if (range === undefined) return;
  if (compareVersions(version, range.max) > 0)
    report(
      `typeMigrationVersion ${version} is newer than ${range.max}, the newest ${e.type} version Kibana ${TARGET_KIBANA} knows`,
    );
  if (compareVersions(version, range.min) < 0)
    report(
      `typeMigrationVersion ${version} is older than ${range.min}: Kibana would migrate the ${e.type} shape again`,
    );
}

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * The bundled OpenSearch Dashboards saved objects: the three index patterns, every panel once (in
 * dashboard order), then the dashboards.
 */
import { DASHBOARDS } from './dashboards.js';
import { indexPatternObjects } from './index-patterns.js';
import { buildDashboard, panelObjects } from './layout.js';
import type { OsdSavedObject } from './saved-object.js';

export { toNdjson } from './saved-object.js';

export function buildOpenSearchObjects(): OsdSavedObject[] {
  const built = DASHBOARDS.map(buildDashboard);
  return [
    ...indexPatternObjects(),
    ...panelObjects(built.flatMap((b) => b.panels)),
    ...built.map((b) => b.dashboard),
  ];
}

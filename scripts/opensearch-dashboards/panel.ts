/**
 * A panel of the bundle: one `visualization` saved object with what the README says of it. Legacy
 * visualizations reference their index pattern (`kibanaSavedObjectMeta.searchSourceJSON.index`);
 * TSVB names the pattern in its params; input controls reference one pattern per control.
 */
import type { OsdIndexPattern } from './index-patterns.js';
import {
  canonicalJson,
  type OsdReference,
  type OsdSavedObject,
  osdObject,
  searchSource,
} from './saved-object.js';
import type { VisState } from './vis.js';

export interface Panel {
  /** Saved-object id, `gax-osd-…`. */
  readonly id: string;
  readonly title: string;
  /** The index pattern it reads (for input controls: every control's). */
  readonly view: OsdIndexPattern;
  /** KQL applied to the whole panel (legacy visualizations). */
  readonly query?: string;
  /** Chart kind, for the README. */
  readonly chart: string;
  /** What it shows, for the README. */
  readonly what: string;
  readonly vis: VisState;
}

/** The KQL of an error (docs/metrics.md): a faulty event or a 5xx response; a 4xx is not an error. */
export const ERRORS = 'eventType : "faulty" or proxyResponseCode >= 500';
/** AI (egress) calls. */
export const EGRESS = 'properties.isEgress : true';
/** WSO2's "Average Error Rate" parts: 4xx and 2xx responses to the client. */
export const WSO2_4XX = 'proxyResponseCode >= 400 and proxyResponseCode < 500';
export const WSO2_2XX = 'proxyResponseCode >= 200 and proxyResponseCode < 300';

/** The panel's saved object. */
export function panelObject(p: Panel): OsdSavedObject {
  // TSVB keys its request and response by the panel model's id: one per panel.
  const vis = p.vis.type === 'metrics' ? { ...p.vis, params: { ...p.vis.params, id: p.id } } : p.vis;
  const visState = canonicalJson({ title: p.title, ...vis });
  const legacy = p.vis.type !== 'metrics' && p.vis.type !== 'markdown' && p.vis.type !== 'input_control_vis';
  const references: OsdReference[] = [];
  if (legacy)
    references.push({
      name: 'kibanaSavedObjectMeta.searchSourceJSON.index',
      type: 'index-pattern',
      id: p.view.id,
    });
  if (p.vis.type === 'input_control_vis') {
    const controls = (p.vis.params as { controls: readonly unknown[] }).controls;
    controls.forEach((_, i) => {
      references.push({ name: `control_${i}_index_pattern`, type: 'index-pattern', id: p.view.id });
    });
  }
  return osdObject(
    'visualization',
    p.id,
    {
      title: p.title,
      description: p.what,
      version: 1,
      uiStateJSON: '{}',
      visState,
      kibanaSavedObjectMeta: { searchSourceJSON: searchSource(p.query ?? '', legacy) },
    },
    references,
  );
}

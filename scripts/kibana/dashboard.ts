/**
 * Dashboards with panels by reference: each panel has `panelRefName: "panel_<panelIndex>"` and the
 * dashboard a reference `<panelIndex>:panel_<panelIndex>` to the panel's saved object, as Kibana
 * writes them on save. Panels are laid out in rows on the 48-column grid, under a navigation bar;
 * the filter controls (controls.ts) sit above the grid.
 */
import type { DashboardEntry } from './catalog.js';
import { controlGroup, controlsOf } from './controls.js';
import { navigationObject } from './markdown.js';
import { canonicalJson, type Reference, type SavedObject, savedObject } from './saved-object.js';

/** Columns of Kibana's dashboard grid. */
export const GRID_COLUMNS = 48;
/** The embeddable version written into each panel (the Kibana version the shape matches). */
const PANEL_VERSION = '8.9.0';
const NAV_HEIGHT = 5;

/** A panel: a saved object, its width in grid columns and its height in grid rows. */
export interface Panel {
  readonly object: SavedObject;
  readonly w: number;
  readonly h: number;
}

/** A dashboard: identity, description and rows of panels (left to right, top to bottom). */
export interface DashboardSpec {
  readonly entry: DashboardEntry;
  readonly description: string;
  readonly rows: readonly (readonly Panel[])[];
}

/** A panel spec (height 12 rows unless given). */
export const panel = (object: SavedObject, w: number, h = 12): Panel => ({ object, w, h });

/** The dashboard saved object and the objects its panels show (navigation bar first). */
export function buildDashboard(spec: DashboardSpec): { dashboard: SavedObject; children: SavedObject[] } {
  const nav = navigationObject(spec.entry);
  const rows: (readonly Panel[])[] = [[panel(nav, GRID_COLUMNS, NAV_HEIGHT)], ...spec.rows];
  const panels: object[] = [];
  const references: Reference[] = [];
  const seen = new Set<string>();
  let y = 0;
  for (const row of rows) {
    let x = 0;
    for (const p of row) {
      const panelIndex = p.object === nav ? 'nav' : p.object.id.replace(/^gax-lens-/, '');
      if (seen.has(panelIndex)) throw new Error(`${spec.entry.id}: panel ${panelIndex} twice`);
      seen.add(panelIndex);
      if (x + p.w > GRID_COLUMNS)
        throw new Error(`${spec.entry.id}: row wider than ${GRID_COLUMNS} at ${panelIndex}`);
      panels.push({
        version: PANEL_VERSION,
        type: p.object.type,
        gridData: { x, y, w: p.w, h: p.h, i: panelIndex },
        panelIndex,
        embeddableConfig:
          p.object === nav ? { enhancements: {}, hidePanelTitles: true } : { enhancements: {} },
        panelRefName: `panel_${panelIndex}`,
      });
      references.push({ name: `${panelIndex}:panel_${panelIndex}`, type: p.object.type, id: p.object.id });
      x += p.w;
    }
    y += Math.max(...row.map((p) => p.h));
  }
  const controls = controlsOf(spec.entry);
  const group = controls === undefined ? undefined : controlGroup(spec.entry, controls);
  if (group !== undefined) references.push(...group.references);
  const attributes = {
    title: spec.entry.title,
    description: spec.description,
    panelsJSON: canonicalJson(panels),
    optionsJSON: canonicalJson({
      useMargins: true,
      syncColors: false,
      syncCursor: true,
      syncTooltips: false,
      hidePanelTitles: false,
    }),
    timeRestore: false,
    ...(group === undefined ? {} : { controlGroupInput: group.controlGroupInput }),
    kibanaSavedObjectMeta: {
      searchSourceJSON: canonicalJson({ query: { query: '', language: 'kuery' }, filter: [] }),
    },
  };
  const dashboard = savedObject('dashboard', spec.entry.id, attributes, references);
  return { dashboard, children: rows.flatMap((row) => row.map((p) => p.object)) };
}

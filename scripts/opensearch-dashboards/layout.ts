/** Dashboard layout: the navigation bar, panel placement on the 48-column grid, the saved objects. */
import { DASHBOARDS, type DashboardSpec, NAV_GROUPS, type Placed } from './dashboards.js';
import { type Panel, panelObject } from './panel.js';
import {
  canonicalJson,
  type OsdReference,
  type OsdSavedObject,
  osdObject,
  searchSource,
} from './saved-object.js';
import { markdownVis } from './vis.js';

export const dashboardId = (spec: DashboardSpec): string => `gax-osd-${spec.slug}`;

/** The navigation bar of `current`: every dashboard by group, the current one bold and unlinked. */
export function navigationMarkdown(current: DashboardSpec): string {
  return NAV_GROUPS.map((group) => {
    const links = DASHBOARDS.filter((x) => x.group === group).map((x) =>
      x === current ? `**${x.short}**` : `[${x.short}](#/view/${dashboardId(x)})`,
    );
    return `**${group}:** ${links.join(' · ')}`;
  }).join('  \n');
}

/** The navigation visualization shown on `spec`. */
export function navigationPanel(spec: DashboardSpec): Panel {
  return {
    id: `gax-osd-nav-${spec.slug}`,
    title: `${spec.title} navigation`,
    view: { id: '', title: '', label: 'all' },
    chart: 'markdown',
    what: 'Links to the other gax dashboards.',
    vis: markdownVis(navigationMarkdown(spec)),
  };
}

/** The dashboard object of `spec` (navigation bar first, then the rows) and its panels. */
export function buildDashboard(spec: DashboardSpec): { dashboard: OsdSavedObject; panels: Panel[] } {
  const placed: Placed[] = [[navigationPanel(spec), 48, 5], ...spec.rows.flat()];
  const panelsJson: Record<string, unknown>[] = [];
  const references: OsdReference[] = [];
  let y = 0;
  let x = 0;
  let rowHeight = 0;
  const rowStarts = new Set<number>([0]);
  let index = 1;
  for (const row of spec.rows) {
    rowStarts.add(index);
    index += row.length;
  }
  placed.forEach(([panel, w, h], n) => {
    if (rowStarts.has(n) && n > 0) {
      y += rowHeight;
      x = 0;
      rowHeight = 0;
    }
    const panelIndex = String(n + 1);
    panelsJson.push({
      version: '2.15.0',
      gridData: { x, y, w, h, i: panelIndex },
      panelIndex,
      embeddableConfig: {},
      panelRefName: `panel_${n}`,
    });
    references.push({ name: `panel_${n}`, type: 'visualization', id: panel.id });
    x += w;
    rowHeight = Math.max(rowHeight, h);
  });
  const dashboard = osdObject(
    'dashboard',
    dashboardId(spec),
    {
      title: spec.title,
      description: spec.description,
      hits: 0,
      version: 1,
      timeRestore: false,
      optionsJSON: canonicalJson({ hidePanelTitles: false, useMargins: true }),
      panelsJSON: canonicalJson(panelsJson),
      kibanaSavedObjectMeta: { searchSourceJSON: searchSource('', false) },
    },
    references,
  );
  return { dashboard, panels: placed.map(([p]) => p) };
}

/** Every panel's saved object, each once (a panel shown on several dashboards is one object). */
export function panelObjects(panels: readonly Panel[]): OsdSavedObject[] {
  const byId = new Map<string, OsdSavedObject>();
  for (const p of panels) {
    const object = panelObject(p);
    const known = byId.get(p.id);
    if (known !== undefined && canonicalJson(known) !== canonicalJson(object))
      throw new Error(`visualization ${p.id} is built twice with different content`);
    byId.set(p.id, object);
  }
  return [...byId.values()];
}

/**
 * A long-range dashboard: panels by reference on the 48-column grid under a navigation bar that
 * links the other long-range dashboards, opening on the last 90 days (dashboard.ts builds the
 * event dashboards the same way, with their own navigation and no stored time range).
 */
import { GRID_COLUMNS, type Panel, panel } from './dashboard.js';
import { canonicalJson, type Reference, type SavedObject, savedObject } from './saved-object.js';
import { SUMMARY_DASHBOARDS, SUMMARY_TIME_RANGE, type SummaryEntry } from './summaries-catalog.js';

const PANEL_VERSION = '8.9.0';
const NAV_HEIGHT = 4;
const EMPTY_SEARCH = canonicalJson({ query: { query: '', language: 'kuery' }, filter: [] });

/** A long-range dashboard: identity, description and rows of panels. */
export interface SummaryDashboardSpec {
  readonly entry: SummaryEntry;
  readonly description: string;
  readonly rows: readonly (readonly Panel[])[];
  /** Start of the time range it opens with (default {@link SUMMARY_TIME_RANGE}). */
  readonly timeFrom?: string;
}

/** The navigation bar's markdown on `current`: the other long-range dashboards, linked. */
export function summaryNavigationMarkdown(current: SummaryEntry): string {
  const links = Object.values(SUMMARY_DASHBOARDS).map((d) =>
    d.id === current.id ? `**${d.short}**` : `[${d.short}](#/view/${d.id})`,
  );
  return `**Long range (summary indices):** ${links.join(' · ')}`;
}

function navigationObject(current: SummaryEntry): SavedObject {
  const title = `${current.title} navigation`;
  const visState = {
    title,
    type: 'markdown',
    aggs: [],
    params: { fontSize: 12, openLinksInNewTab: false, markdown: summaryNavigationMarkdown(current) },
  };
  return savedObject('visualization', `gax-nav-${current.id.replace(/^gax-/, '')}`, {
    title,
    description: 'Links to the other gax long-range dashboards.',
    version: 1,
    uiStateJSON: '{}',
    visState: canonicalJson(visState),
    kibanaSavedObjectMeta: { searchSourceJSON: EMPTY_SEARCH },
  });
}

/** The dashboard saved object and the objects its panels show (navigation bar first). */
export function buildSummaryDashboard(spec: SummaryDashboardSpec): {
  dashboard: SavedObject;
  children: SavedObject[];
} {
  const nav = navigationObject(spec.entry);
  const rows: (readonly Panel[])[] = [[panel(nav, GRID_COLUMNS, NAV_HEIGHT)], ...spec.rows];
  const panels: object[] = [];
  const references: Reference[] = [];
  let y = 0;
  for (const row of rows) {
    let x = 0;
    for (const p of row) {
      const panelIndex = p.object === nav ? 'nav' : p.object.id.replace(/^gax-lens-/, '');
      if (x + p.w > GRID_COLUMNS) throw new Error(`${spec.entry.id}: row wider than ${GRID_COLUMNS}`);
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
  const dashboard = savedObject(
    'dashboard',
    spec.entry.id,
    {
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
      timeRestore: true,
      timeFrom: spec.timeFrom ?? SUMMARY_TIME_RANGE.from,
      timeTo: SUMMARY_TIME_RANGE.to,
      refreshInterval: { pause: true, value: 0 },
      kibanaSavedObjectMeta: { searchSourceJSON: EMPTY_SEARCH },
    },
    references,
  );
  return { dashboard, children: rows.flatMap((row) => row.map((p) => p.object)) };
}

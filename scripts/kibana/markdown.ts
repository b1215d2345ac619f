/**
 * The navigation bar: a markdown visualisation (type `visualization`, visState type `markdown`)
 * per dashboard, linking every other dashboard as `#/view/<id>` (relative to Kibana's dashboards
 * app, so it stays in the current space); the current dashboard is shown in bold, unlinked.
 */
import { DASHBOARD_LIST, type DashboardEntry, NAV_GROUPS } from './catalog.js';
import { canonicalJson, type SavedObject, savedObject } from './saved-object.js';

/** The markdown text of the navigation bar shown on `current`. */
export function navigationMarkdown(current: DashboardEntry): string {
  const lines = NAV_GROUPS.map((group) => {
    const links = DASHBOARD_LIST.filter((d) => d.group === group).map((d) =>
      d.id === current.id ? `**${d.short}**` : `[${d.short}](#/view/${d.id})`,
    );
    return `**${group}:** ${links.join(' · ')}`;
  });
  return lines.join('  \n');
}

/** The navigation visualisation of `current` (id `gax-nav-<dashboard slug>`). */
export function navigationObject(current: DashboardEntry): SavedObject {
  const title = `${current.title} navigation`;
  const visState = {
    title,
    type: 'markdown',
    aggs: [],
    params: { fontSize: 12, openLinksInNewTab: false, markdown: navigationMarkdown(current) },
  };
  return savedObject('visualization', `gax-nav-${current.id.replace(/^gax-/, '')}`, {
    title,
    description: 'Links to the other gax dashboards.',
    version: 1,
    uiStateJSON: '{}',
    visState: canonicalJson(visState),
    kibanaSavedObjectMeta: {
      searchSourceJSON: canonicalJson({ query: { query: '', language: 'kuery' }, filter: [] }),
    },
  });
}

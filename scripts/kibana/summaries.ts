/**
 * The long-range bundle, dashboards/kibana/gax-summaries-dashboards.ndjson: a data view per
 * summary index, then each dashboard's panels and the dashboards last; and its README section.
 */
import { canonicalJson, type SavedObject } from './saved-object.js';
import {
  GRANULARITY_KQL,
  SUMMARY_DASHBOARDS,
  SUMMARY_DATA_VIEWS,
  SUMMARY_TIME_FIELD,
  SUMMARY_TIME_RANGE,
  summaryDataViewObjects,
} from './summaries-catalog.js';
import { buildSummaryDashboard, type SummaryDashboardSpec } from './summaries-dashboard.js';
import { SUMMARY_DASHBOARD_SPECS } from './summaries-dashboards.js';

/** The bundle's file, relative to the package root. */
export const SUMMARIES_NDJSON = 'dashboards/kibana/gax-summaries-dashboards.ndjson';

/** All saved objects of the long-range bundle, each once, in file order. */
export function buildSummaryObjects(): SavedObject[] {
  const objects = new Map<string, SavedObject>();
  const add = (o: SavedObject): void => {
    const key = `${o.type}/${o.id}`;
    const known = objects.get(key);
    if (known !== undefined && canonicalJson(known) !== canonicalJson(o))
      throw new Error(`${key} is built twice with different content`);
    objects.set(key, o);
  };
  summaryDataViewObjects().forEach(add);
  const built = SUMMARY_DASHBOARD_SPECS.map(buildSummaryDashboard);
  for (const { children } of built) children.forEach(add);
  for (const { dashboard } of built) add(dashboard);
  return [...objects.values()];
}

function panelRow(o: SavedObject): string {
  const attrs = o.attributes as {
    title: string;
    description: string;
    state?: { query?: { query?: string } };
  };
  const view = o.references.find((r) => r.type === 'index-pattern')?.id ?? '';
  const query = attrs.state?.query?.query ?? '';
  return `| ${attrs.title} | \`${view}\` | ${query === '' ? '' : `\`${query}\``} | ${attrs.description.replaceAll('|', '\\|')} |`;
}

function dashboardSection(spec: SummaryDashboardSpec): string {
  return [
    `#### ${spec.entry.title} — \`${spec.entry.id}\``,
    '',
    spec.description,
    '',
    '| panel | data view | query | what |',
    '| --- | --- | --- | --- |',
    ...spec.rows.flat().map((p) => panelRow(p.object)),
    '',
  ].join('\n');
}

/** The README section on the long-range bundle (appended to dashboards/kibana/README.md). */
export function renderSummariesReadme(objects: readonly SavedObject[]): string {
  const countOf = (type: string) => objects.filter((o) => o.type === type).length;
  const first = Object.values(SUMMARY_DASHBOARDS)[0]?.title ?? '';
  return `
## Long range: the summary indices

\`gax-summaries-dashboards.ndjson\` (${countOf('index-pattern')} data views, ${countOf('dashboard')} dashboards, ${countOf('lens')} Lens
visualisations, ${countOf('visualization')} navigation bars) charts the WSO2 2.x-style aggregate tables the
[\`summaries\` plugin](../../plugins/summaries/README.md) mirrors into Elasticsearch, one index per
table (\`gax-summaries-<table, lowercased>\`): a year of traffic reads one document per API and
application per day instead of every request. Import it next to \`gax-dashboards.ndjson\` (the ids
differ):

\`\`\`sh
gax setup kibana --url http://kibana:5601 --file dashboards/kibana/gax-summaries-dashboards.ndjson
\`\`\`

(the file ships in the package's \`dashboards/kibana/\`; or **Stack Management → Saved objects →
Import**). \`gax setup kibana\` without \`--file\` imports only \`gax-dashboards.ndjson\`. Open
**Dashboards → ${first}**. The data views are written for the default index prefix
\`gax-summaries-\` (the summaries plugin's Elasticsearch \`indexPrefix\`); with another prefix, edit
their index patterns after the import.

Every document holds the absolute sums of its bucket (\`AGG_COUNT\`, \`AGG_SUM_successCount\`, …), so
every panel **sums a column over the buckets** and never counts documents, and every panel's query
is \`${GRANULARITY_KQL}\`: the same events are in the \`MINUTES\`, \`HOURS\`, \`DAYS\` and \`MONTHS\`
documents, and two granularities together would count them twice. Averages are
\`sum(AGG_SUM_x) / sum(AGG_COUNT)\` (Lens formulas), exact over any range; the tables keep no
percentiles. The dashboards open on the last 90 days (\`${SUMMARY_TIME_RANGE.from}\`; Last access on 2 years) with
daily buckets. For a monthly view over years, change \`${'granularity : "DAYS"'}\` to \`"MONTHS"\` in a
panel's query and its time buckets to 1 month.

Data views: id and title are the index name, time field \`${SUMMARY_TIME_FIELD}\` (the bucket start;
\`lastAccessTime\` for \`ApiLastAccessSummary\`):
${SUMMARY_DATA_VIEWS.map((v) => `\`${v.id}\``).join(', ')}.

${SUMMARY_DASHBOARD_SPECS.map(dashboardSection).join('\n')}
\`test/dashboards/kibana-summaries.test.ts\` validates the file with the same validator, checks each
panel's fields against its table's columns in \`plugins/summaries/tables.ts\`, and runs the panels'
aggregations against a real Elasticsearch holding summary documents of known events.
`;
}

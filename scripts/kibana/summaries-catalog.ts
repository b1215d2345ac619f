/**
 * The "long range" dashboards' identities, their data views (one per summary index the summaries
 * plugin mirrors into Elasticsearch) and the documents' field types, from plugins/summaries/tables.ts.
 */
import { TABLES, type TableSpec } from '../../plugins/summaries/tables.js';
import type { KibanaDataView } from './data-views.js';
import { type SavedObject, savedObject } from './saved-object.js';

/** The granularity every long-range panel reads: one bucket per API per day. */
export const SUMMARY_GRANULARITY = 'DAYS';
/** The KQL each granular panel carries, so it never adds up the same events at two granularities. */
export const GRANULARITY_KQL = `granularity : "${SUMMARY_GRANULARITY}"`;
/** The time field of every summary index: the bucket start (`lastAccessTime` for ApiLastAccessSummary). */
export const SUMMARY_TIME_FIELD = '@timestamp';
/** Index name prefix of the summary indices. */
export const SUMMARY_INDEX_PREFIX = 'gax-summaries-';
/** The time range a long-range dashboard opens with. */
export const SUMMARY_TIME_RANGE = { from: 'now-90d', to: 'now' } as const;

/** A long-range dashboard's identity and navigation link text. */
export interface SummaryEntry {
  readonly id: string;
  readonly title: string;
  readonly short: string;
}

const entry = (slug: string, short: string): SummaryEntry => ({
  id: `gax-long-range-${slug}`,
  title: `[gax] Long range: ${short}`,
  short,
});

/** The dashboards, in navigation order. */
export const SUMMARY_DASHBOARDS = {
  traffic: entry('traffic', 'Traffic'),
  errors: entry('errors', 'Errors'),
  latency: entry('latency', 'Latency'),
  applications: entry('applications', 'Applications'),
  lastAccess: entry('last-access', 'Last access'),
} as const satisfies Record<string, SummaryEntry>;

/** A summary index's data view, with its table. */
export interface SummaryDataView extends KibanaDataView {
  readonly table: TableSpec;
}

/** The index (and data view title and id) of a WSO2 table name. */
export const summaryIndex = (table: string): string => `${SUMMARY_INDEX_PREFIX}${table.toLowerCase()}`;

/** One data view per table, in the order of plugins/summaries/tables.ts; id = title = the index. */
export const SUMMARY_DATA_VIEWS: readonly SummaryDataView[] = TABLES.map((table) => ({
  id: summaryIndex(table.name),
  title: summaryIndex(table.name),
  label: table.name,
  table,
}));

/** The data view of WSO2 table `name`. */
export function summaryView(name: string): SummaryDataView {
  const view = SUMMARY_DATA_VIEWS.find((v) => v.table.name === name);
  if (view === undefined) throw new Error(`no summaries table ${name}`);
  return view;
}

/** Field → Elasticsearch type of a table's documents (see the summaries plugin's README). */
export function summaryFields(table: TableSpec): Map<string, 'date' | 'keyword' | 'long'> {
  const fields = new Map<string, 'date' | 'keyword' | 'long'>([
    ['@timestamp', 'date'],
    ['table', 'keyword'],
  ]);
  const times = table.granular
    ? ['AGG_TIMESTAMP', 'AGG_EVENT_TIMESTAMP', 'AGG_LAST_EVENT_TIMESTAMP']
    : ['lastAccessTime'];
  if (table.granular) fields.set('granularity', 'keyword');
  for (const name of times) fields.set(name, 'long');
  for (const c of [...table.keys, ...table.attributes])
    fields.set(c.name, c.sqlType === 'bigint' ? 'long' : 'keyword');
  for (const s of table.sums) fields.set(s.name, 'long');
  return fields;
}

/** The data views as `index-pattern` saved objects; `fields: "[]"` lets Kibana read the mapping. */
export function summaryDataViewObjects(): SavedObject[] {
  return SUMMARY_DATA_VIEWS.map((view) =>
    savedObject('index-pattern', view.id, {
      title: view.title,
      timeFieldName: SUMMARY_TIME_FIELD,
      fields: '[]',
    }),
  );
}

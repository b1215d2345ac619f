/**
 * The three index patterns the visualizations query, with their field lists written from gax's
 * index mapping (src/search-index/fields.ts, shared by the Elasticsearch and OpenSearch plugins),
 * so OpenSearch Dashboards knows every field's type and aggregatability without a refresh.
 */
import { AGGREGATABLE, type FieldType, queryableFields } from '../../src/search-index/fields.js';
import { canonicalJson, type OsdSavedObject, osdObject } from './saved-object.js';

/** An index pattern: its saved-object id, its title (the pattern) and a short README label. */
export interface OsdIndexPattern {
  readonly id: string;
  readonly title: string;
  readonly label: 'all' | 'response' | 'faulty';
}

/**
 * The ids of WSO2's own OpenSearch Dashboards index patterns (its 2025 export for OSD 2.15), so
 * WSO2's objects and this bundle share one index pattern per title instead of look-alikes.
 * `gax setup opensearch-dashboards --index-prefix` retitles them; keep the titles as they are.
 */
export const ALL_EVENTS = {
  id: '67bc8230-460a-11f0-b4a4-334b5fac8391',
  title: 'apim_event*',
  label: 'all',
} as const satisfies OsdIndexPattern;

/** Response events (latencies, user agent, cache hits and AI tokens live only here). */
export const RESPONSES = {
  id: '3cbf2be0-468d-11f0-b4a4-334b5fac8391',
  title: 'apim_event_response*',
  label: 'response',
} as const satisfies OsdIndexPattern;

/** Faulty events (`errorType`, `errorCode`, `errorMessage`; `targetResponseCode` is -1). */
export const FAULTS = {
  id: '30774020-468d-11f0-b4a4-334b5fac8391',
  title: 'apim_event_faulty*',
  label: 'faulty',
} as const satisfies OsdIndexPattern;

export const INDEX_PATTERNS: readonly OsdIndexPattern[] = [ALL_EVENTS, RESPONSES, FAULTS];

/** The time field of every index pattern (`@timestamp` holds the same instant). */
export const TIME_FIELD = 'requestTimestamp';

/** OpenSearch Dashboards' field kind of a mapping type. */
const KIND: Readonly<Record<Exclude<FieldType, 'object'>, string>> = {
  text: 'string',
  keyword: 'string',
  long: 'number',
  double: 'number',
  boolean: 'boolean',
  date: 'date',
};

const META_FIELDS = [
  { name: '_id', type: 'string', esTypes: ['_id'], searchable: true, aggregatable: true },
  { name: '_index', type: 'string', esTypes: ['_index'], searchable: true, aggregatable: true },
  { name: '_score', type: 'number', searchable: false, aggregatable: false },
  { name: '_source', type: '_source', esTypes: ['_source'], searchable: false, aggregatable: false },
];

/** The `fields` list of an index pattern, as OpenSearch Dashboards stores it after a refresh. */
export function fieldList(): Record<string, unknown>[] {
  const fields = [...queryableFields().entries()]
    .filter((entry): entry is [string, Exclude<FieldType, 'object'>] => entry[1] !== 'object')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, type]) => {
      const aggregatable = AGGREGATABLE.has(type);
      const parent = name.endsWith('.keyword') ? name.slice(0, -'.keyword'.length) : undefined;
      return {
        count: 0,
        name,
        type: KIND[type],
        esTypes: [type],
        scripted: false,
        searchable: true,
        aggregatable,
        readFromDocValues: aggregatable,
        ...(parent === undefined ? {} : { subType: { multi: { parent } } }),
      };
    });
  const meta = META_FIELDS.map((f) => ({ count: 0, scripted: false, readFromDocValues: false, ...f }));
  return [...meta, ...fields];
}

/** The three index patterns as saved objects. */
export function indexPatternObjects(): OsdSavedObject[] {
  const fields = canonicalJson(fieldList());
  return INDEX_PATTERNS.map((p) =>
    osdObject('index-pattern', p.id, { title: p.title, timeFieldName: TIME_FIELD, fields }),
  );
}

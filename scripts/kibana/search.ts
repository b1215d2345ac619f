/**
 * Saved searches (Discover): the per-request audit view, one row per event with the columns an
 * operator checks first, newest first. Discover shows the data view's time field
 * (`requestTimestamp`) as the first column on its own, so it is not listed again.
 */
import { ALL_EVENTS, TIME_FIELD } from './data-views.js';
import { canonicalJson, type SavedObject, savedObject } from './saved-object.js';

/** The reference name Kibana gives a saved search's data view. */
const INDEX_REF = 'kibanaSavedObjectMeta.searchSourceJSON.index';

/** The audit view's columns, left to right (all mapped by the elasticsearch plugin). */
export const AUDIT_COLUMNS = [
  'apiName',
  'apiVersion',
  'apiResourceTemplate',
  'apiMethod',
  'applicationName',
  'userName',
  'userIp',
  'proxyResponseCode',
  'targetResponseCode',
  'responseLatency',
  'errorType',
  'errorCode',
  'correlationId',
] as const;

/** `[gax] Requests (per-request audit)`: every event (responses and faults), newest first. */
export const requestsSearch: SavedObject = savedObject(
  'search',
  'gax-search-requests',
  {
    title: '[gax] Requests (per-request audit)',
    description:
      'One row per request (response and faulty events), newest first: API, application, user, status codes, latency, error and correlation id.',
    columns: [...AUDIT_COLUMNS],
    sort: [[TIME_FIELD, 'desc']],
    grid: {},
    hideChart: false,
    isTextBasedQuery: false,
    kibanaSavedObjectMeta: {
      searchSourceJSON: canonicalJson({
        query: { query: '', language: 'kuery' },
        filter: [],
        indexRefName: INDEX_REF,
      }),
    },
  },
  [{ name: INDEX_REF, type: 'index-pattern', id: ALL_EVENTS.id }],
);

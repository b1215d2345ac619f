import { type SavedObject, savedObject } from './saved-object.js';

/** A data view the visualisations query: its saved-object id and index pattern. */
export interface KibanaDataView {
  readonly id: string;
  readonly title: string;
  /** Short name used in the README ("all", "response", "faulty"). */
  readonly label: string;
}

/**
 * WSO2's own data view ids (Kibana artefacts v1–v3), so WSO2's exports and this bundle share the
 * data views instead of creating look-alikes. `gax setup kibana` retitles them when the index
 * prefix is not `apim_event`; keep the titles exactly as they are.
 */
export const ALL_EVENTS = {
  id: '0d83f380-6eda-11ec-9dad-f7e4782fdbce',
  title: 'apim_event*',
  label: 'all',
} as const satisfies KibanaDataView;

/** `apim:response` events (latencies, user agent, cache hits live only here). */
export const RESPONSES = {
  id: '12b6ceb0-620d-11ec-ae22-0df825122121',
  title: 'apim_event_response*',
  label: 'response',
} as const satisfies KibanaDataView;

/** `apim:faulty` events (`errorType`, `errorCode`, `errorMessage`; `targetResponseCode` is -1). */
export const FAULTS = {
  id: '1fb73500-620d-11ec-ae22-0df825122121',
  title: 'apim_event_faulty*',
  label: 'faulty',
} as const satisfies KibanaDataView;

/** The time field of every data view (`@timestamp` holds the same value). */
export const TIME_FIELD = 'requestTimestamp';

/** The three data views as `index-pattern` saved objects; `fields: "[]"` lets Kibana read the mapping. */
export function dataViewObjects(): SavedObject[] {
  return [ALL_EVENTS, RESPONSES, FAULTS].map((view) =>
    savedObject('index-pattern', view.id, { title: view.title, timeFieldName: TIME_FIELD, fields: '[]' }),
  );
}

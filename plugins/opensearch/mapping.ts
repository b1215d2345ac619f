import type { CanonicalEvent } from '../../src/schema/event.js';
import { type BulkChunk, createLines, toBulkChunks } from '../../src/search-index/documents.js';
import { dailyIndex, indexBase } from '../../src/search-index/naming.js';
import type { OpenSearchConfig } from './config.js';

type IndexConfig = Pick<OpenSearchConfig, 'indexPrefix' | 'indexMode'>;

/**
 * The index of an event. `daily` (the default): `<prefix>_response-YYYY-MM-DD` /
 * `<prefix>_faulty-YYYY-MM-DD`, the names WSO2's Fluent Bit `opensearch` output writes
 * (`Logstash_Format On`, `Logstash_Prefix apim_event_response`, `Logstash_DateFormat %Y-%m-%d`),
 * dated by the event's own `requestTimestamp` (UTC) so that a re-sent event hits the same index
 * and is a 409. `index`: the fixed `<prefix>_response` / `<prefix>_faulty`; `dataStream`: the data
 * streams of those names (a 409 only within one backing index: the rollover guard does the rest).
 */
export function osIndex(event: CanonicalEvent, config: IndexConfig): string {
  return config.indexMode === 'daily'
    ? dailyIndex(config.indexPrefix, event, '-')
    : indexBase(config.indexPrefix, event.eventType);
}

/** The two NDJSON lines of one event: a `create` action (deterministic `_id`) and the document. */
export function osBulkLines(event: CanonicalEvent, config: IndexConfig): string {
  return createLines(osIndex(event, config), event);
}

/** A batch as bulk bodies of at most `flushBytes` each, in order (src/search-index/documents.ts). */
export function osBulkChunks(
  events: readonly CanonicalEvent[],
  config: IndexConfig,
  flushBytes: number,
): BulkChunk[] {
  return toBulkChunks(events, (event) => osBulkLines(event, config), flushBytes);
}

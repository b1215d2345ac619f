import type { CanonicalEvent } from '../../src/schema/event.js';
import { type BulkChunk, toBulkChunks as chunk, createLines } from '../../src/search-index/documents.js';
import { dailyIndex, indexBase } from '../../src/search-index/naming.js';
import type { ElasticsearchConfig } from './config.js';
import { fitForMappings } from './searchable.js';
import { type SearchableConfig, type SearchablePlan, searchablePlan } from './searchable-fields.js';

/** The document builder is shared with the OpenSearch plugin (src/search-index/documents.ts). */
export {
  type BulkChunk,
  documentId,
  documentJson,
  toDocument,
} from '../../src/search-index/documents.js';

type IndexConfig = Pick<ElasticsearchConfig, 'indexPrefix' | 'indexMode'> & {
  readonly searchable?: SearchableConfig;
};

/** The plan of each `searchable` section seen, made once (bulkLines runs per event). */
const plans = new WeakMap<SearchableConfig, SearchablePlan | undefined>();

function planOf(searchable: SearchableConfig | undefined): SearchablePlan | undefined {
  if (searchable === undefined) return undefined;
  if (!plans.has(searchable)) plans.set(searchable, searchablePlan(searchable));
  return plans.get(searchable);
}

/**
 * The index (or data stream) of an event: WSO2's `apim_event_response` / `apim_event_faulty`,
 * with a `-YYYY.MM.DD` suffix from the event's own time in `daily` mode (so a re-sent event
 * lands in the same index and is still recognised as a duplicate).
 */
export function targetIndex(event: CanonicalEvent, config: IndexConfig): string {
  switch (config.indexMode) {
    case 'index':
    case 'dataStream':
      return indexBase(config.indexPrefix, event.eventType);
    case 'daily':
      return dailyIndex(config.indexPrefix, event, '.');
    default:
      return assertNever(config.indexMode);
  }
}

/**
 * The two NDJSON lines of one event: a `create` action and the document. With `searchable`
 * options on, a value no opted-in mapping can take is first moved aside (searchable.ts).
 */
export function bulkLines(event: CanonicalEvent, config: IndexConfig): string {
  const plan = planOf(config.searchable);
  const document = plan === undefined ? event : fitForMappings(event, plan);
  return createLines(targetIndex(event, config), event, document);
}

/**
 * Splits a batch into bulk bodies of at most `flushBytes` each (one event may exceed it alone:
 * it is then sent on its own). Order is kept.
 */
export function toBulkChunks(
  events: readonly CanonicalEvent[],
  config: IndexConfig,
  flushBytes: number,
): BulkChunk[] {
  return chunk(events, (event) => bulkLines(event, config), flushBytes);
}

function assertNever(value: never): never {
  throw new Error(`unexpected index mode ${String(value)}`);
}

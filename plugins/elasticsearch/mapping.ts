import { createHash } from 'node:crypto';
import type { CanonicalEvent } from '../../src/schema/event.js';
import type { ElasticsearchConfig } from './config.js';
import { fitForMappings } from './searchable.js';
import { type SearchableConfig, type SearchablePlan, searchablePlan } from './searchable-fields.js';
import { indexBase } from './templates.js';

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

/** Longest `_id` kept readable; Elasticsearch allows 512 bytes. */
const MAX_READABLE_ID_BYTES = 256;

const QUOTE = 0x22;
const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;

/** One bulk request body: the events `start`..`end` (exclusive) of a batch, as NDJSON. */
export interface BulkChunk {
  readonly start: number;
  readonly end: number;
  readonly body: string;
}

/**
 * The document `_id`: the same event always gets the same id, so a re-sent event (after a
 * timeout, a crash before the checkpoint, a restart) is a 409 on `create`, not a duplicate.
 * `<eventType>:<correlationId>`, or a SHA-256 of both when the correlation id is too long.
 */
export function documentId(event: CanonicalEvent): string {
  const id = `${event.eventType}:${event.correlationId}`;
  if (Buffer.byteLength(id) <= MAX_READABLE_ID_BYTES) return id;
  const digest = createHash('sha256').update(event.correlationId).digest('hex');
  return `${event.eventType}:sha256:${digest}`;
}

/**
 * The index (or data stream) of an event: WSO2's `apim_event_response` / `apim_event_faulty`,
 * with a `-YYYY.MM.DD` suffix from the event's own time in `daily` mode (so a re-sent event
 * lands in the same index and is still recognised as a duplicate).
 */
export function targetIndex(event: CanonicalEvent, config: IndexConfig): string {
  const base = indexBase(config.indexPrefix, event.eventType);
  switch (config.indexMode) {
    case 'index':
    case 'dataStream':
      return base;
    case 'daily':
      return `${base}-${event.requestTimestamp.slice(0, 10).replaceAll('-', '.')}`;
    default:
      return assertNever(config.indexMode);
  }
}

/**
 * The document: the canonical event as it is (WSO2's field names, so WSO2's Kibana exports
 * work), plus `@timestamp` = `requestTimestamp` (data streams require it; Kibana defaults to it).
 */
export function toDocument(event: CanonicalEvent): Record<string, unknown> {
  return { '@timestamp': event.requestTimestamp, ...event };
}

/**
 * `JSON.stringify(toDocument(event))`, without building the document: `@timestamp` written before
 * the event's own JSON. Byte for byte the same text; the copy is made only when it would differ,
 * i.e. when the event has its own `@timestamp`, a non-string `requestTimestamp`, or an integer-like
 * key (JavaScript puts those first in any object, so `toDocument` would write them before
 * `@timestamp`; the event's JSON then starts with `{"<digit>`).
 */
export function documentJson(event: CanonicalEvent): string {
  const json = JSON.stringify(event);
  const timestamp: unknown = event.requestTimestamp;
  const first = json.charCodeAt(2);
  const plain = json.charCodeAt(1) === QUOTE && (first < DIGIT_0 || first > DIGIT_9);
  if (!plain || typeof timestamp !== 'string' || Object.hasOwn(event, '@timestamp'))
    return JSON.stringify(toDocument(event));
  return `{"@timestamp":${JSON.stringify(timestamp)},${json.slice(1)}`;
}

/**
 * The two NDJSON lines of one event: a `create` action and the document. With `searchable`
 * options on, a value no opted-in mapping can take is first moved aside (searchable.ts).
 */
export function bulkLines(event: CanonicalEvent, config: IndexConfig): string {
  const action = `{"create":{"_index":${JSON.stringify(targetIndex(event, config))},"_id":${JSON.stringify(documentId(event))}}}`;
  const plan = planOf(config.searchable);
  const document = plan === undefined ? event : fitForMappings(event, plan);
  return `${action}\n${documentJson(document)}\n`;
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
  const lines = events.map((event) => bulkLines(event, config));
  const sizes = lines.map((l) => Buffer.byteLength(l));
  const target = flushBytes;
  const chunks: BulkChunk[] = [];
  let start = 0;
  let body = '';
  let bytes = 0;
  lines.forEach((text, i) => {
    const size = sizes[i] as number;
    if (bytes > 0 && bytes + size > target) {
      chunks.push({ start, end: i, body });
      start = i;
      body = '';
      bytes = 0;
    }
    body += text;
    bytes += size;
  });
  if (bytes > 0) chunks.push({ start, end: events.length, body });
  return chunks;
}

function assertNever(value: never): never {
  throw new Error(`unexpected index mode ${String(value)}`);
}

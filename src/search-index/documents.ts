/**
 * Canonical events → bulk request bodies of a search engine (Elasticsearch, OpenSearch: the same
 * `_bulk` NDJSON): the deterministic `_id`, the document, the `create` action, and the split into
 * bodies of at most `flushBytes`. Pure; the index of an event is the caller's (naming.ts).
 */
import { createHash } from 'node:crypto';
import type { CanonicalEvent } from '../schema/event.js';

/** Longest `_id` kept readable; Elasticsearch and OpenSearch allow 512 bytes. */
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

/** The two NDJSON lines of one document: a `create` action into `index` and the document. */
export function createLines(index: string, event: CanonicalEvent, document: CanonicalEvent = event): string {
  const action = `{"create":{"_index":${JSON.stringify(index)},"_id":${JSON.stringify(documentId(event))}}}`;
  return `${action}\n${documentJson(document)}\n`;
}

/**
 * Splits a batch into bulk bodies of at most `flushBytes` each (one event may exceed it alone:
 * it is then sent on its own). Order is kept.
 */
export function toBulkChunks(
  events: readonly CanonicalEvent[],
  linesOf: (event: CanonicalEvent) => string,
  flushBytes: number,
): BulkChunk[] {
  const lines = events.map(linesOf);
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

import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  classifyItem,
  classifyRequestFailure,
  parseRetryAfter,
} from '../../../plugins/elasticsearch/classify.js';
import { COMPAT_COPIES, FIELD_TYPES, queryableFields } from '../../../plugins/elasticsearch/fields.js';
import {
  bulkLines,
  documentId,
  targetIndex,
  toBulkChunks,
  toDocument,
} from '../../../plugins/elasticsearch/mapping.js';
import { buildTemplates, eventMappings } from '../../../plugins/elasticsearch/templates.js';
import { CanonicalEventSchema } from '../../../src/schema/event.js';
import { testEvent } from '../../doubles/plugins.js';
import { expectGolden } from '../../helpers/golden.js';

const golden = (name: string) => fileURLToPath(new URL(`golden/${name}`, import.meta.url));
const wso2 = { indexPrefix: 'apim_event', indexMode: 'index' } as const;

describe('elasticsearch mapping', () => {
  it('writes a create action and the canonical event plus @timestamp, per event', async () => {
    const batch = [testEvent(1), testEvent(2, { eventType: 'faulty', errorType: 'AUTH', errorCode: 900901 })];
    const lines = batch
      .map((e) => bulkLines(e, wso2))
      .join('')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as unknown);
    await expectGolden(golden('bulk.ndjson.json'), lines);
  });

  it('keeps every canonical field as it is in the document', () => {
    const event = testEvent(7, { properties: { custom: { nested: true } } as never });
    const { '@timestamp': timestamp, ...rest } = toDocument(event);
    expect(timestamp).toBe(event.requestTimestamp);
    expect(rest).toEqual(event);
  });

  it('gives the same event the same _id every time, and response and faulty different ones', () => {
    const response = testEvent(1);
    expect(documentId(response)).toBe(documentId({ ...response }));
    expect(documentId(response)).toBe(`response:${response.correlationId}`);
    expect(documentId({ ...response, eventType: 'faulty' })).not.toBe(documentId(response));
  });

  it('hashes a correlation id too long for a readable _id', () => {
    const id = documentId(testEvent(1, { correlationId: 'x'.repeat(600) }));
    expect(id).toMatch(/^response:sha256:[0-9a-f]{64}$/);
  });

  it.each([
    ['index', 'response', 'apim_event_response'],
    ['index', 'faulty', 'apim_event_faulty'],
    ['daily', 'response', 'apim_event_response-2025.03.04'],
    ['dataStream', 'faulty', 'apim_event_faulty'],
  ] as const)('in %s mode writes %s events to %s', (indexMode, eventType, index) => {
    const event = testEvent(1, { eventType, requestTimestamp: '2025-03-04T23:59:59.999Z' });
    expect(targetIndex(event, { indexPrefix: 'apim_event', indexMode })).toBe(index);
  });

  it('splits a batch into bodies of at most flushBytes, keeping order and every event once', () => {
    const batch = Array.from({ length: 50 }, (_, i) => testEvent(10 + i));
    const one = Buffer.byteLength(bulkLines(batch[0] as never, wso2));
    const chunks = toBulkChunks(batch, wso2, one * 10 + 5);
    expect(chunks.map((c) => [c.start, c.end])).toEqual(
      Array.from({ length: 5 }, (_, k) => [k * 10, k * 10 + 10]),
    );
    for (const c of chunks) expect(Buffer.byteLength(c.body)).toBeLessThanOrEqual(one * 10 + 5);
    expect(chunks.map((c) => c.body).join('')).toBe(batch.map((e) => bulkLines(e, wso2)).join(''));
  });

  it('sends an event larger than flushBytes on its own', () => {
    const big = { apiName: 'x'.repeat(600) };
    const batch = [testEvent(1, big), testEvent(2, big), testEvent(3, big)];
    expect(toBulkChunks(batch, wso2, 1024).map((c) => [c.start, c.end])).toEqual([
      [0, 1],
      [1, 2],
      [2, 3],
    ]);
  });
});

describe('elasticsearch classification', () => {
  it.each([
    [{ status: 201 }, 'created', 'delivered'],
    [{ status: 200 }, 'created', 'delivered'],
    [
      { status: 409, error: { type: 'version_conflict_engine_exception', reason: 'exists' } },
      'duplicate',
      'delivered',
    ],
    [
      { status: 429, error: { type: 'es_rejected_execution_exception', reason: 'queue full' } },
      'retryable',
      'retryable',
    ],
    [
      { status: 503, error: { type: 'unavailable_shards_exception', reason: 'primary' } },
      'retryable',
      'retryable',
    ],
    [
      { status: 403, error: { type: 'security_exception', reason: 'no privilege' } },
      'retryable',
      'retryable',
    ],
    [
      { status: 404, error: { type: 'index_not_found_exception', reason: 'no such index' } },
      'retryable',
      'retryable',
    ],
    [
      { status: 400, error: { type: 'document_parsing_exception', reason: 'failed to parse' } },
      'rejected',
      'rejected',
    ],
    [{ status: 400, error: { type: 'illegal_argument_exception', reason: 'bad' } }, 'rejected', 'rejected'],
  ])('classifies bulk item %j as %s (%s)', (item, outcome, status) => {
    const classified = classifyItem(item);
    expect(classified.outcome).toBe(outcome);
    expect(classified.result.status).toBe(status);
  });

  it("dead-letters a mapping error with Elasticsearch's reason and cause, on one line", () => {
    const result = classifyItem({
      status: 400,
      error: {
        type: 'document_parsing_exception',
        reason: '[1:31] failed to parse field [properties.responseSize] of type [long]',
        caused_by: {
          type: 'input_coercion_exception',
          reason: 'Numeric value out of range\n at [Source: x]',
        },
      },
    }).result;
    expect(result).toEqual({
      status: 'rejected',
      reason:
        'elasticsearch 400 document_parsing_exception: [1:31] failed to parse field [properties.responseSize] of type [long] (caused by input_coercion_exception: Numeric value out of range)',
    });
  });

  it.each([
    [{ name: 'ConnectionError', message: 'ECONNREFUSED' }, 'retryable'],
    [{ name: 'TimeoutError', message: 'Request timed out' }, 'retryable'],
    [{ name: 'ResponseError', statusCode: 429, message: 'too many' }, 'retryable'],
    [{ name: 'ResponseError', statusCode: 502, message: 'bad gateway' }, 'retryable'],
    [{ name: 'ResponseError', statusCode: 401, message: 'unauthorized' }, 'retryable'],
    [{ name: 'ResponseError', statusCode: 400, message: 'malformed' }, 'rejected'],
  ])('classifies a failed request %j as %s for all its documents', (failure, status) => {
    expect(classifyRequestFailure(failure).status).toBe(status);
  });

  it('passes the Retry-After of a 429 on to the retry layer', () => {
    const result = classifyRequestFailure({
      name: 'ResponseError',
      statusCode: 429,
      message: 'x',
      retryAfterMs: 7000,
    });
    expect(result).toEqual({ status: 'retryable', reason: 'elasticsearch 429: x', retryAfterMs: 7000 });
  });

  it.each([
    ['5', 5000],
    ['Thu, 01 Jan 2026 00:00:10 GMT', 10_000],
    ['soon', undefined],
    [undefined, undefined],
  ])('reads Retry-After %s as %s ms', (value, ms) => {
    expect(parseRetryAfter(value, Date.parse('2026-01-01T00:00:00Z'))).toBe(ms);
  });
});

describe('elasticsearch templates', () => {
  it('map every canonical field, and nothing else dynamically', () => {
    const mappings = eventMappings() as {
      dynamic: boolean;
      properties: Record<string, { dynamic?: boolean }>;
    };
    expect(mappings.dynamic).toBe(false);
    expect(mappings.properties.properties?.dynamic).toBe(false);
    const canonical = Object.keys(CanonicalEventSchema.properties);
    const stamped = {
      gateway: CanonicalEventSchema.properties.gateway,
      host: CanonicalEventSchema.properties.host,
    };
    for (const key of canonical.filter((k) => k !== 'properties' && !(k in stamped)))
      expect(FIELD_TYPES, key).toHaveProperty([key]);
    for (const [key, schema] of Object.entries(stamped)) {
      for (const leaf of Object.keys(schema.properties))
        expect(FIELD_TYPES[`${key}.${leaf}`]).toBe('keyword');
    }
    const nested = ['aiMetadata', 'aiTokenUsage'] as const;
    const props = CanonicalEventSchema.properties.properties.properties;
    for (const key of Object.keys(props)) {
      if ((nested as readonly string[]).includes(key)) continue;
      expect(FIELD_TYPES, key).toHaveProperty([`properties.${key}`]);
    }
    for (const key of Object.keys(props.aiMetadata.properties))
      expect(FIELD_TYPES).toHaveProperty([`properties.aiMetadata.${key}`]);
    for (const key of Object.keys(props.aiTokenUsage.properties))
      expect(FIELD_TYPES).toHaveProperty([`properties.aiTokenUsage.${key}`]);
  });

  it("answer WSO2's snake-case vendor_name and its .keyword as well as vendorName", () => {
    const fields = queryableFields();
    expect(COMPAT_COPIES['properties.aiMetadata.vendorName']).toBe('properties.aiMetadata.vendor_name');
    expect(fields.get('properties.aiMetadata.vendor_name.keyword')).toBe('keyword');
    expect(fields.get('properties.aiMetadata.vendorName.keyword')).toBe('keyword');
    expect(fields.get('apiName')).toBe('text');
    expect(fields.get('apiName.keyword')).toBe('keyword');
  });

  it('are stable for a given config (golden), with data streams only in dataStream mode', async () => {
    const templates = buildTemplates({
      indexPrefix: 'apim_event',
      indexMode: 'index',
      templates: { install: true },
    });
    await expectGolden(golden('templates.json'), templates);
    const streams = buildTemplates({
      indexPrefix: 'x',
      indexMode: 'dataStream',
      templates: { install: true },
    });
    expect(streams.indexTemplates.map((t) => [t.name, t.body.index_patterns, t.body.data_stream])).toEqual([
      ['x_response', ['x_response'], {}],
      ['x_faulty', ['x_faulty'], {}],
    ]);
    expect(templates.indexTemplates[0]?.body.data_stream).toBeUndefined();
  });

  it('carry shards, replicas and an ILM policy into the settings component when configured', () => {
    const { components } = buildTemplates({
      indexPrefix: 'apim_event',
      indexMode: 'daily',
      templates: { install: true, numberOfShards: 2, numberOfReplicas: 0, ilmPolicy: 'apim-30d' },
    });
    expect(components[1]?.body.template.settings).toEqual({
      'index.number_of_shards': 2,
      'index.number_of_replicas': 0,
      'index.lifecycle.name': 'apim-30d',
    });
  });
});

import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { describeOpenSearch, opensearchConflicts } from '../../../plugins/opensearch/describe.js';
import { opensearchPlugin } from '../../../plugins/opensearch/index.js';
import { osBulkChunks, osBulkLines, osIndex } from '../../../plugins/opensearch/mapping.js';
import { osTemplates } from '../../../plugins/opensearch/templates.js';
import { defaultSection } from '../../../src/plugin/default-section.js';
import { classifyBulkItem } from '../../../src/search-index/classify.js';
import { eventMappings } from '../../../src/search-index/templates.js';
import { testEvent } from '../../doubles/plugins.js';
import { expectGolden } from '../../helpers/golden.js';

const golden = (name: string) => fileURLToPath(new URL(`golden/${name}`, import.meta.url));
const daily = { indexPrefix: 'apim_event', indexMode: 'daily' } as const;

describe('opensearch documents', () => {
  it('names the daily indices as WSO2’s Fluent Bit output does (Logstash_DateFormat %Y-%m-%d), by the event’s UTC day', () => {
    const late = testEvent(1, { requestTimestamp: '2025-03-04T23:59:59.999Z' });
    const early = testEvent(2, { eventType: 'faulty', requestTimestamp: '2025-03-05T00:00:00.000Z' });
    expect(osIndex(late, daily)).toBe('apim_event_response-2025-03-04');
    expect(osIndex(early, daily)).toBe('apim_event_faulty-2025-03-05');
    expect(osIndex(early, { indexPrefix: 'gw2', indexMode: 'index' })).toBe('gw2_faulty');
  });

  it('writes a create action with the deterministic _id and the canonical event plus @timestamp (golden)', async () => {
    const batch = [testEvent(1), testEvent(2, { eventType: 'faulty', errorType: 'AUTH', errorCode: 900901 })];
    const lines = batch
      .map((e) => osBulkLines(e, daily))
      .join('')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as unknown);
    await expectGolden(golden('bulk.ndjson.json'), lines);
    expect(osBulkLines(batch[0] as never, daily)).toBe(
      osBulkLines({ ...(batch[0] as object) } as never, daily),
    );
  });

  it('splits a batch into bodies of at most flushBytes, in order, one oversized event alone', () => {
    const batch = Array.from({ length: 10 }, (_, i) => testEvent(i));
    const one = Buffer.byteLength(osBulkLines(batch[0] as never, daily));
    const chunks = osBulkChunks(batch, daily, one * 3);
    expect(chunks.map((c) => [c.start, c.end])).toEqual([
      [0, 3],
      [3, 6],
      [6, 9],
      [9, 10],
    ]);
    expect(chunks.map((c) => c.body).join('')).toBe(batch.map((e) => osBulkLines(e, daily)).join(''));
    expect(osBulkChunks(batch.slice(0, 2), daily, 1024).length).toBe(1);
  });
});

describe('opensearch templates', () => {
  it('are stable (golden): the shared mappings, shards and replicas, no ILM setting, WSO2 patterns', async () => {
    const templates = osTemplates({
      indexPrefix: 'apim_event',
      templates: { install: true, numberOfReplicas: 0 },
    });
    await expectGolden(golden('templates.json'), templates);
    expect(templates.indexTemplates.map((t) => [t.name, t.body.index_patterns])).toEqual([
      ['apim_event_response', ['apim_event_response', 'apim_event_response-*']],
      ['apim_event_faulty', ['apim_event_faulty', 'apim_event_faulty-*']],
    ]);
    expect(templates.components[0]?.body.template.mappings).toEqual(eventMappings());
    expect(templates.components[1]?.body.template.settings).toEqual({ 'index.number_of_replicas': 0 });
  });

  it('maps WSO2’s OpenSearch field types (reference §2.4, "Observed OpenSearch mapping")', () => {
    const props = (
      eventMappings() as { properties: Record<string, { properties?: Record<string, unknown> }> }
    ).properties;
    const inner = props.properties?.properties as Record<
      string,
      { type?: string; properties?: Record<string, { type: string; fields?: unknown }> }
    >;
    for (const key of ['promptTokens', 'completionTokens', 'totalTokens', 'hour'])
      expect(inner.aiTokenUsage?.properties?.[key]?.type, key).toBe('long');
    expect(inner.responseSize?.type).toBe('long');
    expect(inner.isEgress?.type).toBe('boolean');
    for (const key of ['model', 'vendorName', 'vendorVersion']) {
      expect(inner.aiMetadata?.properties?.[key]?.type, key).toBe('text');
      expect(inner.aiMetadata?.properties?.[key]?.fields, key).toEqual({
        keyword: { type: 'keyword', ignore_above: 1024 },
      });
    }
    for (const key of ['apiContext', 'commonName', 'responseContentType', 'subtype', 'userName'])
      expect(inner[key]?.type, key).toBe('text');
    expect((props.requestTimestamp as { type: string }).type).toBe('date');
    expect((props['@timestamp'] as { type: string }).type).toBe('date');
  });

  it('change their checksum when a setting changes, and only then', () => {
    const a = osTemplates({ indexPrefix: 'x', templates: { install: true } });
    const b = osTemplates({ indexPrefix: 'x', templates: { install: true } });
    const c = osTemplates({ indexPrefix: 'x', templates: { install: true, numberOfShards: 2 } });
    const sums = (t: typeof a) => t.components.map((x) => x.body._meta.checksum);
    expect(sums(a)).toEqual(sums(b));
    expect(sums(c)[0]).toBe(sums(a)[0]);
    expect(sums(c)[1]).not.toBe(sums(a)[1]);
  });
});

describe('opensearch bulk item classification', () => {
  it('409 is a delivered duplicate; 429 and 5xx retryable; a mapping error rejected with OpenSearch’s reason', () => {
    expect(classifyBulkItem({ status: 201 }, 'opensearch').outcome).toBe('created');
    expect(
      classifyBulkItem({ status: 409, error: { type: 'version_conflict_engine_exception' } }, 'opensearch'),
    ).toMatchObject({
      outcome: 'duplicate',
      result: { status: 'delivered' },
    });
    const busy = classifyBulkItem(
      {
        status: 429,
        error: { type: 'opensearch_rejected_execution_exception', reason: 'rejected execution' },
      },
      'opensearch',
    );
    expect(busy).toMatchObject({
      outcome: 'retryable',
      errorType: 'opensearch_rejected_execution_exception',
    });
    expect(classifyBulkItem({ status: 503 }, 'opensearch').outcome).toBe('retryable');
    const bad = classifyBulkItem(
      {
        status: 400,
        error: {
          type: 'mapper_parsing_exception',
          reason:
            "failed to parse field [properties.responseSize] of type [long] in document with id 'response:x'",
          caused_by: { type: 'input_coercion_exception', reason: 'Numeric value out of range of long' },
        },
      },
      'opensearch',
    );
    expect(bad.outcome).toBe('rejected');
    expect(bad.result).toEqual({
      status: 'rejected',
      reason:
        "opensearch 400 mapper_parsing_exception: failed to parse field [properties.responseSize] of type [long] in document with id 'response:x' (caused by input_coercion_exception: Numeric value out of range of long)",
    });
  });
});

describe('opensearch config', () => {
  it('defaults to WSO2’s daily indices, templates installed, ISM off', () => {
    const section = defaultSection(opensearchPlugin);
    expect(section).toMatchObject({
      node: 'http://127.0.0.1:9200',
      indexPrefix: 'apim_event',
      indexMode: 'daily',
      templates: { install: true },
      ism: { enabled: false, policyId: 'gax-apim-analytics', deleteAfterDays: 30 },
      requestTimeoutMs: 30_000,
      compression: true,
    });
    expect(opensearchConflicts(section)).toEqual([]);
  });

  it('says an ISM policy has nothing to act on with fixed index names', () => {
    const section = { ...defaultSection(opensearchPlugin), indexMode: 'index' as const };
    expect(opensearchConflicts({ ...section, ism: { ...section.ism, enabled: true } })).toMatchObject([
      { path: ['ism', 'enabled'] },
    ]);
  });
});

describe('opensearch check-config line', () => {
  it('names the nodes (credentials redacted), the daily index names and the ISM retention', () => {
    const section = defaultSection(opensearchPlugin);
    expect(describeOpenSearch(section, { id: 'opensearch' })).toEqual([
      '  opensearch: http://127.0.0.1:9200 → indices apim_event_response-YYYY-MM-DD, apim_event_faulty-YYYY-MM-DD',
    ]);
    const named = {
      ...section,
      nodes: ['https://admin:secret@os-1:9200', 'https://os-2:9200'],
      indexMode: 'index' as const,
      indexPrefix: 'gw2',
      ism: { ...section.ism, enabled: true, deleteAfterDays: 7 },
    };
    const [line] = describeOpenSearch(named, { id: 'opensearch/archive' });
    expect(line).not.toContain('secret');
    expect(line).toMatch(
      /^ {2}opensearch\/archive: https:\/\/.*os-1:9200\/?, https:\/\/os-2:9200\/? → indices gw2_response, gw2_faulty; ISM policy gax-apim-analytics deletes after 7d$/,
    );
  });
});

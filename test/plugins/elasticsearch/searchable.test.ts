/**
 * `searchable`: its config, the mappings it adds and the values moved aside before sending. The
 * same on a real Elasticsearch is test/integration/elasticsearch-searchable.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { describeElasticsearch } from '../../../plugins/elasticsearch/describe.js';
import { bulkLines, toDocument } from '../../../plugins/elasticsearch/mapping.js';
import { fitForMappings, UNINDEXED_KEY } from '../../../plugins/elasticsearch/searchable.js';
import {
  RESERVED_PROPERTY_KEYS,
  type SearchableConfig,
  searchablePlan,
} from '../../../plugins/elasticsearch/searchable-fields.js';
import { buildTemplates, eventMappings } from '../../../plugins/elasticsearch/templates.js';
import { parseConfig } from '../../../src/config/load.js';
import type { CanonicalEvent } from '../../../src/schema/event.js';
import { testEvent } from '../../doubles/plugins.js';

const minimal = 'inputs:\n  - paths: ["/var/log/apim_metrics.log"]\n';

function load(searchable: string) {
  return parseConfig(`${minimal}plugins:\n  elasticsearch:\n    searchable: ${searchable}\n`, { env: {} });
}

const on: SearchableConfig = {
  properties: {
    tier: 'keyword',
    retries: 'long',
    note: 'text',
    seenAt: 'date',
    ok: 'boolean',
    ratio: 'double',
  },
  headers: true,
  mcpAnalytics: true,
};

const plan = searchablePlan(on) ?? expect.fail('a plan');

describe('elasticsearch searchable: config', () => {
  it('is off by default', () => {
    const loaded = parseConfig(`${minimal}plugins:\n  elasticsearch: {}\n`, { env: {} });
    expect(loaded.ok && loaded.config.plugins.elasticsearch.searchable).toEqual({
      properties: {},
      headers: false,
      mcpAnalytics: false,
    });
    expect(searchablePlan({ properties: {}, headers: false, mcpAnalytics: false })).toBeUndefined();
  });

  it('takes custom keys with their types, headers and MCP analytics', () => {
    const loaded = load(
      '{ properties: { tier: keyword, retries: long }, headers: true, mcpAnalytics: true }',
    );
    expect(loaded.ok && loaded.config.plugins.elasticsearch.searchable).toEqual({
      properties: { tier: 'keyword', retries: 'long' },
      headers: true,
      mcpAnalytics: true,
    });
  });

  it.each(RESERVED_PROPERTY_KEYS)('refuses the mapped key %s as a custom key, saying why', (key) => {
    const loaded = load(`{ properties: { ${key}: keyword } }`);
    expect(loaded.ok).toBe(false);
    const problems = loaded.ok ? [] : loaded.problems;
    expect(problems[0]?.path).toBe(`plugins.elasticsearch.searchable.properties.${key}`);
    expect(problems[0]?.message).toContain(
      'cannot be a custom key: a key has no dots, and these keys are mapped already: userName, ',
    );
  });

  it('knows every key of properties the template maps', () => {
    expect(RESERVED_PROPERTY_KEYS).toEqual(
      expect.arrayContaining(['responseSize', 'isEgress', 'aiMetadata', 'requestHeaders', 'mcpAnalytics']),
    );
  });

  it.each([
    ['a dotted key', '{ "a.b": keyword }', 'cannot be a custom key: a key has no dots'],
    ['an unknown type', '{ tier: integer }', 'must be one of: keyword, text, long, double, boolean, date'],
  ])('refuses %s', (_, properties, message) => {
    const loaded = load(`{ properties: ${properties} }`);
    expect(loaded.ok ? [] : loaded.problems.map((p) => p.message).join('; ')).toContain(message);
  });
});

describe('elasticsearch searchable: check-config', () => {
  it('lists what is opted in under the instance line, and nothing when all is off', () => {
    const loaded = load('{ properties: { tier: keyword }, headers: true }');
    const section = loaded.ok ? loaded.config.plugins.elasticsearch : expect.fail('loads');
    expect(describeElasticsearch(section, { id: 'elasticsearch' } as never)).toEqual([
      '  elasticsearch: http://127.0.0.1:9200 → indices apim_event_response, apim_event_faulty',
      '    searchable: properties.tier (keyword), properties.requestHeaders (flattened), properties.responseHeaders (flattened)',
    ]);
    const plain = parseConfig(`${minimal}plugins:\n  elasticsearch: {}\n`, { env: {} });
    const off = plain.ok ? plain.config.plugins.elasticsearch : expect.fail('loads');
    expect(describeElasticsearch(off, { id: 'elasticsearch' } as never)).toHaveLength(1);
  });
});

describe('elasticsearch searchable: mappings', () => {
  const base = { indexPrefix: 'apim_event', indexMode: 'index', templates: { install: true } } as const;

  it('with everything off, the templates are exactly those without the section', () => {
    const off = { properties: {}, headers: false, mcpAnalytics: false };
    expect(buildTemplates({ ...base, searchable: off })).toEqual(buildTemplates(base));
  });

  it('maps each opted-in key explicitly, never failing on a malformed value', () => {
    const props = (
      eventMappings(on) as { properties: { properties: { properties: Record<string, unknown> } } }
    ).properties.properties.properties;
    expect(props.tier).toEqual({ type: 'keyword', ignore_above: 1024 });
    expect(props.note).toEqual({
      type: 'text',
      fields: { keyword: { type: 'keyword', ignore_above: 1024 } },
    });
    expect(props.retries).toEqual({ type: 'long', ignore_malformed: true });
    expect(props.ratio).toEqual({ type: 'double', ignore_malformed: true });
    expect(props.ok).toEqual({ type: 'boolean', ignore_malformed: true });
    expect(props.seenAt).toMatchObject({ type: 'date', ignore_malformed: true });
    for (const key of ['requestHeaders', 'responseHeaders'])
      expect(props[key]).toEqual({ type: 'flattened', ignore_above: 1024, depth_limit: 3 });
    expect(props.mcpAnalytics).toEqual({ type: 'flattened', ignore_above: 1024, depth_limit: 10 });
    expect(props.responseSize).toEqual({ type: 'long' });
  });

  it('changes the mappings checksum, so `gax setup` and the daemon update the templates', () => {
    const before = buildTemplates(base).components[0]?.body._meta.checksum;
    const after = buildTemplates({ ...base, searchable: on }).components[0]?.body._meta.checksum;
    expect(after).not.toBe(before);
  });
});

describe('elasticsearch searchable: values moved aside', () => {
  const config = { indexPrefix: 'apim_event', indexMode: 'index' } as const;

  it('with everything off, the bulk lines are those without the section', () => {
    const event = custom(1, { retries: { x: 1 }, requestHeaders: { a: { b: { c: { d: 1 } } } } });
    const off = { properties: {}, headers: false, mcpAnalytics: false };
    expect(bulkLines(event, { ...config, searchable: off })).toBe(bulkLines(event, config));
  });

  it('sends an event whose values fit as it is, without a copy', () => {
    const event = custom(1, {
      tier: ['gold', 1, true, null],
      retries: 'not a number',
      requestHeaders: { 'x-tenant': 'acme', accept: ['a', 'b'], big: 'x'.repeat(5000) },
      mcpAnalytics: { method: 'tools/call', tool: { name: 'search', args: [{ q: 1 }] } },
      other: { any: { shape: 1 } },
    });
    expect(fitForMappings(event, plan)).toBe(event);
    expect(bulkLines(event, { ...config, searchable: on })).toBe(bulkLines(event, config));
  });

  it.each([
    ['an object for a scalar key', { retries: { x: 1 } }, 'properties.retries'],
    ['a list holding an object', { tier: ['a', { b: 1 }] }, 'properties.tier'],
    ['headers that are not an object', { requestHeaders: 'a: b' }, 'properties.requestHeaders'],
    ['headers that are a list', { responseHeaders: [{ a: 'b' }] }, 'properties.responseHeaders'],
    [
      'headers nested past depth 3',
      { requestHeaders: { a: { b: { c: { d: 1 } } } } },
      'properties.requestHeaders',
    ],
    [
      'nesting past depth 3 inside a list',
      { requestHeaders: { a: [{ b: [{ c: { d: 1 } }] }] } },
      'properties.requestHeaders',
    ],
    ['a header name holding \\0', { requestHeaders: { 'a\0b': 'c' } }, 'properties.requestHeaders'],
    [
      'a key path too long for a term',
      { mcpAnalytics: { ['k'.repeat(8193)]: 1 } },
      'properties.mcpAnalytics',
    ],
    ['a dotted key into an opted-in key', { 'tier.sub': 'x' }, 'properties.tier.sub'],
  ])('moves %s under gaxUnindexed, whole', (_, properties, path) => {
    const event = testEvent(1, { properties: { subtype: 'DEFAULT', ...properties } as never });
    const sent = fitForMappings(event, plan) as unknown as Record<string, Record<string, unknown>>;
    const value = Object.values(properties)[0];
    expect(sent[UNINDEXED_KEY]).toEqual({ [path]: value });
    expect(sent.properties).toEqual({ subtype: 'DEFAULT' });
    expect(event.properties).toEqual({ subtype: 'DEFAULT', ...properties });
    const { [UNINDEXED_KEY]: _moved, ...rest } = sent;
    expect(rest).toEqual({ ...event, properties: { subtype: 'DEFAULT' } });
  });

  it('keeps nesting exactly at the depth limit, and a dotted key into a key not opted in', () => {
    const event = custom(1, {
      requestHeaders: { a: { b: 'c' } },
      'other.x': { y: 1 },
      mcpAnalytics: nested(10),
    });
    expect(fitForMappings(event, plan)).toBe(event);
    const deeper = custom(1, { mcpAnalytics: nested(11) });
    expect(fitForMappings(deeper, plan)).not.toBe(deeper);
  });

  it('moves a root key that Elasticsearch reads as a path into an opted-in key', () => {
    const event = { ...testEvent(1), 'properties.retries': 5, 'properties.other': 1 } as CanonicalEvent;
    const sent = fitForMappings(event, plan) as unknown as Record<string, unknown>;
    expect(sent[UNINDEXED_KEY]).toEqual({ 'properties.retries': 5 });
    expect(sent['properties.other']).toBe(1);
    expect(sent).not.toHaveProperty(['properties.retries']);
  });

  it('keeps a gaxUnindexed the event already has', () => {
    const event = {
      ...custom(1, { retries: {} }),
      gaxUnindexed: { mine: 1 },
    } as CanonicalEvent;
    expect((fitForMappings(event, plan) as unknown as Record<string, unknown>)[UNINDEXED_KEY]).toEqual({
      mine: 1,
      'properties.retries': {},
    });
  });

  it('writes the moved document with @timestamp first, as any other', () => {
    const event = custom(1, { retries: { x: 1 } });
    const line = bulkLines(event, { ...config, searchable: on }).split('\n')[1] ?? '';
    const moved = fitForMappings(event, plan);
    expect(JSON.parse(line)).toEqual(JSON.parse(JSON.stringify(toDocument(moved))));
    expect(line.startsWith('{"@timestamp":')).toBe(true);
  });
});

/** A test event with these `properties`. */
function custom(n: number, properties: Record<string, unknown>): CanonicalEvent {
  return testEvent(n, { properties: properties as never });
}

/** `{ k: { k: … 1 } }` with `depth` objects in all (the outer one counts as 1). */
function nested(depth: number): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf: 1 };
  for (let i = 1; i < depth; i++) value = { k: value };
  return value;
}

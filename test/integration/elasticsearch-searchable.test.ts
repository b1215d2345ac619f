/**
 * `searchable` on real Elasticsearch 8 and 9: custom `properties.*` keys, headers and MCP
 * analytics are searchable when opted in; a value that does not fit its mapping never fails a
 * document (every event is delivered, none dead-lettered) and stays in `_source`; with the
 * options off nothing of it is indexed; and the documented way to turn them on for an existing
 * data stream (templates updated, then a rollover) works.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ElasticsearchConfig } from '../../plugins/elasticsearch/config.js';
import { create as createElasticsearch } from '../../plugins/elasticsearch/plugin.js';
import { UNINDEXED_KEY } from '../../plugins/elasticsearch/searchable.js';
import { esDefaults } from '../../plugins/elasticsearch/setup/section.js';
import { runSetupElasticsearch } from '../../plugins/elasticsearch/setup/templates.js';
import { eventMappings } from '../../plugins/elasticsearch/templates.js';
import type { EventResult } from '../../src/plugin/result.js';
import type { CanonicalEvent } from '../../src/schema/event.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { testEvent } from '../doubles/plugins.js';
import { type EsMajor, type EsNode, startElasticsearch } from '../helpers/elasticsearch.js';
import { es } from '../helpers/es-scenario.js';

const searchable = {
  properties: {
    tier: 'keyword',
    retries: 'long',
    ratio: 'double',
    cached: 'boolean',
    seenAt: 'date',
    note: 'text',
  },
  headers: true,
  mcpAnalytics: true,
} as const;

const off = { properties: {}, headers: false, mcpAnalytics: false };

/** `{ k: { k: … { leaf: 1 } } }` with `depth` objects in all. */
function nested(depth: number): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf: 1 };
  for (let i = 1; i < depth; i++) value = { k: value };
  return value;
}

/** Events with custom keys, headers and MCP data: fitting, malformed, and of a shape no mapping takes. */
function events(): CanonicalEvent[] {
  const at = (n: number, properties: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
    ({ ...testEvent(n, { properties: properties as never }), ...extra }) as CanonicalEvent;
  return [
    at(1, {
      tier: 'gold',
      retries: 3,
      ratio: 0.25,
      cached: true,
      seenAt: '2025-03-04T09:00:00Z',
      note: 'first order of the day',
      requestHeaders: { 'x-tenant': 'acme', accept: ['application/json', 'text/plain'] },
      responseHeaders: { 'content-type': 'application/json', 'x-big': 'v'.repeat(5000) },
      mcpAnalytics: { method: 'tools/call', tool: { name: 'search', arguments: [{ q: 'pizza' }] } },
    }),
    at(2, { tier: 'silver', retries: 1, requestHeaders: { 'x-tenant': 'globex' } }),
    // Scalars that do not parse: ignore_malformed.
    at(3, { retries: 'many', ratio: 'half', cached: 'maybe', seenAt: 'yesterday', tier: 7 }),
    // Shapes no mapping takes: moved under gaxUnindexed.
    at(4, { retries: { attempts: 2 }, tier: ['a', { b: 1 }], requestHeaders: 'x-tenant: acme' }),
    at(5, { requestHeaders: nested(4), responseHeaders: { 'a\0b': 'c' }, mcpAnalytics: nested(11) }),
    at(6, { mcpAnalytics: { ['k'.repeat(9000)]: 1 }, 'tier.sub': 'x' }, { 'properties.retries': 9 }),
    // At the limits, still indexed.
    at(7, { requestHeaders: nested(3), mcpAnalytics: nested(10), retries: 99 }),
  ];
}

async function plugin(node: EsNode, dir: string, overrides: Partial<ElasticsearchConfig>) {
  const config = { ...esDefaults({ node: node.url }), ...overrides };
  const settings = { id: 'elasticsearch', logger: silentLogger(), registry: new Registry(), stateDir: dir };
  const instance = createElasticsearch(config, settings);
  await instance.start(new AbortController().signal);
  return instance;
}

type MappingTree = { properties: { properties: { properties: Record<string, unknown> } } };

interface Hits {
  hits: {
    total: { value: number };
    hits: { _id: string; _source: Record<string, unknown>; _ignored?: string[] }[];
  };
}

async function ids(url: string, index: string, query: unknown): Promise<string[]> {
  const found = await es<Hits>(url, 'POST', `/${index}/_search`, { query, size: 100, sort: ['_doc'] });
  return found.hits.hits.map((h) => h._id).sort();
}

/** Sends a batch through a plugin with these options; the per-event results. */
async function send(
  node: EsNode,
  dir: string,
  overrides: Partial<ElasticsearchConfig>,
  batch: CanonicalEvent[],
): Promise<readonly EventResult[]> {
  const p = await plugin(node, dir, overrides);
  try {
    return await p.send(batch, new AbortController().signal);
  } finally {
    await p.stop(Date.now() + 2000);
  }
}

async function sendAll(
  node: EsNode,
  dir: string,
  overrides: Partial<ElasticsearchConfig>,
  batch: CanonicalEvent[],
): Promise<void> {
  expect(await send(node, dir, overrides, batch)).toEqual(batch.map(() => ({ status: 'delivered' })));
}

describe.each([8, 9] as EsMajor[])('searchable fields on a real Elasticsearch %i', (major) => {
  let node: EsNode;
  let dir: string;

  beforeAll(async () => {
    node = await startElasticsearch({ major });
    dir = await mkdtemp(join(tmpdir(), `gax-es${major}-searchable-`));
  }, 300_000);

  afterAll(async () => {
    await node?.destroy();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('indexes every document, makes the opted-in keys searchable and keeps what does not fit', async () => {
    const batch = events();
    await sendAll(node, dir, { indexPrefix: 'on', searchable }, batch);
    await es(node.url, 'POST', '/on_response/_refresh');
    const index = 'on_response';
    const id = (n: number) => `response:corr-${n}`;
    const count = await es<{ count: number }>(node.url, 'GET', `/${index}/_count`);
    expect(count.count).toBe(batch.length);

    expect(await ids(node.url, index, { term: { 'properties.requestHeaders.x-tenant': 'acme' } })).toEqual([
      id(1),
    ]);
    expect(await ids(node.url, index, { term: { 'properties.requestHeaders': 'globex' } })).toEqual([id(2)]);
    expect(
      await ids(node.url, index, { term: { 'properties.requestHeaders.accept': 'text/plain' } }),
    ).toEqual([id(1)]);
    expect(
      await ids(node.url, index, { term: { 'properties.responseHeaders.content-type': 'application/json' } }),
    ).toEqual([id(1)]);
    expect(await ids(node.url, index, { exists: { field: 'properties.responseHeaders.x-big' } })).toEqual([]);
    expect(await ids(node.url, index, { term: { 'properties.mcpAnalytics.tool.name': 'search' } })).toEqual([
      id(1),
    ]);
    expect(
      await ids(node.url, index, { term: { 'properties.mcpAnalytics.tool.arguments.q': 'pizza' } }),
    ).toEqual([id(1)]);
    expect(await ids(node.url, index, { range: { 'properties.retries': { gte: 2 } } })).toEqual([
      id(1),
      id(7),
    ]);
    expect(await ids(node.url, index, { range: { 'properties.ratio': { lt: 0.5 } } })).toEqual([id(1)]);
    expect(await ids(node.url, index, { term: { 'properties.cached': true } })).toEqual([id(1)]);
    expect(await ids(node.url, index, { range: { 'properties.seenAt': { gte: '2025-03-04' } } })).toEqual([
      id(1),
    ]);
    expect(await ids(node.url, index, { match: { 'properties.note': 'order' } })).toEqual([id(1)]);
    expect(await ids(node.url, index, { terms: { 'properties.tier': ['gold', '7'] } })).toEqual([
      id(1),
      id(3),
    ]);
    expect(await ids(node.url, index, { exists: { field: 'properties.mcpAnalytics' } })).toEqual([
      id(1),
      id(7),
    ]);

    // Malformed scalars: not indexed, named in _ignored, kept in _source.
    const ignored = await es<Hits>(node.url, 'POST', `/${index}/_search`, {
      query: { ids: { values: [id(3)] } },
      fields: ['_ignored'],
    });
    const hit3 = ignored.hits.hits[0];
    expect(hit3?._source.properties).toEqual(batch[2]?.properties);
    expect(await ids(node.url, index, { term: { _ignored: 'properties.retries' } })).toEqual([id(3)]);
    for (const field of ['properties.ratio', 'properties.cached', 'properties.seenAt'])
      expect(await ids(node.url, index, { term: { _ignored: field } }), field).toEqual([id(3)]);

    // Shapes no mapping takes: whole, under gaxUnindexed.
    const source = async (n: number) =>
      (
        await es<{ _source: Record<string, unknown> }>(
          node.url,
          'GET',
          `/${index}/_doc/${encodeURIComponent(id(n))}`,
        )
      )._source;
    expect((await source(4))[UNINDEXED_KEY]).toEqual({
      'properties.retries': { attempts: 2 },
      'properties.tier': ['a', { b: 1 }],
      'properties.requestHeaders': 'x-tenant: acme',
    });
    expect((await source(5))[UNINDEXED_KEY]).toEqual({
      'properties.requestHeaders': nested(4),
      'properties.responseHeaders': { 'a\0b': 'c' },
      'properties.mcpAnalytics': nested(11),
    });
    expect(Object.keys((await source(6))[UNINDEXED_KEY] as object).sort()).toEqual([
      'properties.mcpAnalytics',
      'properties.retries',
      'properties.tier.sub',
    ]);
    expect((await source(7)).properties).toEqual(batch[6]?.properties);

    const mapping = await es<Record<string, { mappings: { properties: Record<string, unknown> } }>>(
      node.url,
      'GET',
      `/${index}/_mapping`,
    );
    expect(Object.keys(mapping[index]?.mappings.properties ?? {})).not.toContain(UNINDEXED_KEY);
  });

  it('with the options off, indexes the same events with nothing of them searchable', async () => {
    const batch = events();
    const results = await send(node, dir, { indexPrefix: 'off', searchable: off }, batch);
    // As before the option existed: headers that are not an object fail the `object` mapping
    // (the WSO2 parser never produces them); with `headers: true` they are moved aside instead.
    expect(results[3]).toMatchObject({
      status: 'rejected',
      reason: expect.stringContaining('[properties.requestHeaders]'),
    });
    expect(results.filter((r) => r.status === 'delivered')).toHaveLength(batch.length - 1);
    await es(node.url, 'POST', '/off_response/_refresh');
    const index = 'off_response';
    expect(await ids(node.url, index, { exists: { field: 'properties.requestHeaders.x-tenant' } })).toEqual(
      [],
    );
    expect(await ids(node.url, index, { exists: { field: 'properties.retries' } })).toEqual([]);
    const all = await es<Hits>(node.url, 'POST', `/${index}/_search`, { size: 100, sort: ['_doc'] });
    expect(all.hits.total.value).toBe(batch.length - 1);
    for (const hit of all.hits.hits) expect(hit._source).not.toHaveProperty([UNINDEXED_KEY]);
  });

  it('adds a custom key to an existing fixed index in place; headers only to a new index', async () => {
    const index = 'off_response';
    const wanted = (eventMappings(searchable) as MappingTree).properties.properties.properties;
    const put = (properties: Record<string, unknown>) =>
      fetch(`${node.url}/${index}/_mapping`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ properties: { properties: { properties } } }),
      });
    expect((await put({ tier: wanted.tier })).status).toBe(200);
    // Documents written from now on are searchable by it (the ones before are re-indexed with
    // `_update_by_query`, which the test distribution does not include).
    const later = testEvent(100, { properties: { tier: 'gold' } as never });
    await sendAll(node, dir, { indexPrefix: 'off', searchable: off }, [later]);
    await es(node.url, 'POST', `/${index}/_refresh`);
    expect(await ids(node.url, index, { term: { 'properties.tier': 'gold' } })).toEqual([
      'response:corr-100',
    ]);
    const refused = await put({ requestHeaders: wanted.requestHeaders });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toMatch(/requestHeaders/);
  });

  it('has `gax setup elasticsearch` update the templates and name what an existing fixed index lacks', async () => {
    let out = '';
    const stdout = new PassThrough().on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    const config = { ...esDefaults({ node: node.url }), indexPrefix: 'off', searchable };
    await runSetupElasticsearch(config, { stdout, stderr: new PassThrough() });
    expect(out).toMatch(/component template\s+off-mappings\s+updated/);
    expect(out).toMatch(
      /off_response\s+exists, mapped by these templates; without the searchable properties\.retries, .*properties\.requestHeaders, properties\.responseHeaders, properties\.mcpAnalytics/,
    );
    expect(out).not.toMatch(/properties\.tier\b/);
  });

  it('turns on for an existing data stream at its next rollover', async () => {
    const prefix = 'stream';
    const [first, second] = [testEvent(1, { properties: { tier: 'gold' } as never }), testEvent(2)];
    const later = testEvent(3, {
      requestTimestamp: new Date().toISOString(),
      properties: { tier: 'gold', requestHeaders: { 'x-tenant': 'acme' } } as never,
    });
    await sendAll(node, dir, { indexPrefix: prefix, indexMode: 'dataStream' }, [
      first as never,
      second as never,
    ]);
    // The daemon (or `gax setup elasticsearch`) updates the templates; the write index keeps its mapping.
    await sendAll(node, dir, { indexPrefix: prefix, indexMode: 'dataStream', searchable }, []);
    const stream = `${prefix}_response`;
    const settle = async () => es(node.url, 'POST', `/${stream}/_refresh`);
    await settle();
    expect(await ids(node.url, stream, { term: { 'properties.tier': 'gold' } })).toEqual([]);
    await es(node.url, 'POST', `/${stream}/_rollover`);
    await sendAll(node, dir, { indexPrefix: prefix, indexMode: 'dataStream', searchable }, [later]);
    await settle();
    expect(await ids(node.url, stream, { term: { 'properties.tier': 'gold' } })).toEqual(['response:corr-3']);
    expect(await ids(node.url, stream, { term: { 'properties.requestHeaders.x-tenant': 'acme' } })).toEqual([
      'response:corr-3',
    ]);
    const count = await es<{ count: number }>(node.url, 'GET', `/${stream}/_count`);
    expect(count.count).toBe(3);
  });
});

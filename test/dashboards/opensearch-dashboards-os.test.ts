/**
 * Every panel of the OpenSearch Dashboards bundle run against a real OpenSearch 2.x node holding
 * documents as the opensearch plugin writes them (gax's mapping, WSO2's daily index names): each
 * legacy visualization's aggregations, translated into the search OpenSearch Dashboards sends,
 * and each TSVB series' counts and ratios must be answered without an error or a shard failure;
 * the headline numbers (errors, error rates, request summary, tokens, success rate) must equal
 * what the definitions (docs/metrics.md) give for the known events.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { osBulkLines } from '../../plugins/opensearch/mapping.js';
import { OSD_NDJSON_PATH } from '../../scripts/gen-opensearch-dashboards.js';
import type { CanonicalEvent } from '../../src/schema/event.js';
import { eventMappings } from '../../src/search-index/templates.js';
import { type OsNode, startOpenSearch } from '../helpers/opensearch.js';
import { kqlToQuery } from './kql-es.js';
import { generatedEvents } from './summaries-postgres-data.js';

type Json = Record<string, unknown>;
interface Obj {
  id: string;
  type: string;
  attributes: Json;
}
interface Agg {
  id: string;
  type: string;
  schema: string;
  params: Json;
}

const objects = readFileSync(OSD_NDJSON_PATH, 'utf8')
  .trimEnd()
  .split('\n')
  .map((l) => JSON.parse(l) as Obj);
const visualizations = objects.filter((o) => o.type === 'visualization');
const visOf = (o: Obj) =>
  JSON.parse(String(o.attributes.visState)) as { type: string; aggs: Agg[]; params: Json };
const byId = (id: string): Obj => {
  const o = visualizations.find((v) => v.id === id);
  if (o === undefined) throw new Error(`no visualization ${id}`);
  return o;
};
const patternTitle = new Map(
  objects.filter((o) => o.type === 'index-pattern').map((o) => [o.id, String(o.attributes.title)]),
);
const query = (kql: string): Json => (kql.trim() === '*' ? { match_all: {} } : kqlToQuery(kql));

const isError = (e: CanonicalEvent): boolean => e.eventType === 'faulty' || (e.proxyResponseCode ?? 0) >= 500;
const code = (e: CanonicalEvent): number => e.proxyResponseCode ?? 0;

/** A metric aggregation as OpenSearch Dashboards requests it (count needs none). */
function metricAgg(a: Agg): Json | undefined {
  const field = a.params.field;
  switch (a.type) {
    case 'count':
      return undefined;
    case 'median':
      return { percentiles: { field, percents: [50] } };
    case 'percentiles':
      return { percentiles: { field, percents: a.params.percents } };
    case 'sum_bucket': {
      const bucket = a.params.customBucket as { params: { filters: { input: { query: string } }[] } };
      const filters = Object.fromEntries(
        bucket.params.filters.map((f, i) => [String(i), query(f.input.query)]),
      );
      return { filters: { filters } };
    }
    default:
      return { [a.type]: { field } };
  }
}

/** A bucket aggregation as OpenSearch Dashboards requests it. */
function bucketAgg(a: Agg, metrics: readonly Agg[]): Json {
  const p = a.params;
  switch (a.type) {
    case 'date_histogram':
      return {
        date_histogram: {
          field: p.field,
          fixed_interval: p.interval === 'd' ? '1d' : '1h',
          min_doc_count: 1,
        },
      };
    case 'histogram':
      return { histogram: { field: p.field, interval: p.interval, extended_bounds: p.extended_bounds } };
    case 'filters': {
      const list = p.filters as { label: string; input: { query: string } }[];
      return { filters: { filters: Object.fromEntries(list.map((f) => [f.label, query(f.input.query)])) } };
    }
    case 'terms': {
      const by = metrics.find((m) => m.id === p.orderBy);
      const order =
        p.orderBy === '_key'
          ? { _key: 'asc' }
          : by === undefined || by.type === 'count'
            ? { _count: 'desc' }
            : { [by.id]: 'desc' };
      return { terms: { field: p.field, size: p.size, order } };
    }
    default:
      throw new Error(`bucket aggregation the test does not translate: ${a.type}`);
  }
}

/** The search body of a legacy visualization: buckets nested in order, the metrics under each. */
function searchBody(o: Obj): Json {
  const vis = visOf(o);
  const meta = o.attributes.kibanaSavedObjectMeta as { searchSourceJSON: string };
  const kql = String((JSON.parse(meta.searchSourceJSON) as { query: { query: string } }).query.query);
  const metrics = vis.aggs.filter((a) => a.schema === 'metric');
  const metricAggs = Object.fromEntries(
    metrics.flatMap((m) => {
      const agg = metricAgg(m);
      return agg === undefined ? [] : [[m.id, agg]];
    }),
  );
  const buckets = vis.aggs.filter((a) => a.schema !== 'metric');
  let aggs: Json = metricAggs;
  // A terms aggregation ordered by a metric gets that metric as its own sub-aggregation, as OSD sends it.
  for (const b of [...buckets].reverse()) {
    const by = b.type === 'terms' ? metrics.find((m) => m.id === b.params.orderBy) : undefined;
    const order = by === undefined ? undefined : metricAgg(by);
    aggs = {
      [b.id]: {
        ...bucketAgg(b, metrics),
        aggs: { ...aggs, ...(order === undefined ? {} : { [String(by?.id)]: order }) },
      },
    };
  }
  return { size: 0, track_total_hits: true, query: query(kql), aggs };
}

function aiCall(e: CanonicalEvent, i: number): CanonicalEvent {
  const promptTokens = 10 + (i % 50);
  const completionTokens = 5 + (i % 30);
  return {
    ...e,
    properties: {
      ...e.properties,
      isEgress: true,
      aiMetadata: {
        vendorName: i % 2 === 0 ? 'OpenAI' : 'MistralAI',
        vendorVersion: 'v1',
        model: i % 3 === 0 ? 'gpt-4o' : 'small',
      },
      aiTokenUsage: {
        promptTokens,
        completionTokens,
        totalTokens: promptTokens + completionTokens + 3,
        hour: new Date(e.requestTimestamp).getUTCHours(),
      },
    },
  };
}

describe('the OpenSearch Dashboards panels against a real OpenSearch 2.x', () => {
  let node: OsNode;
  // Every 10th of 6000 generated events: 2xx, 4xx and 5xx responses, faults of every category;
  // every 7th response made an AI (egress) call with token usage (total = prompt + completion + 3).
  const events = generatedEvents()
    .filter((_, i) => i % 10 === 0)
    .map((e, i) => (e.eventType === 'response' && i % 7 === 0 ? aiCall(e, i) : e));

  async function post(path: string, body: unknown): Promise<Json> {
    const response = await fetch(`${node.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const json = (await response.json()) as Json;
    expect(
      response.status,
      `${path} ${JSON.stringify(body).slice(0, 500)}: ${JSON.stringify(json).slice(0, 1500)}`,
    ).toBe(200);
    const shards = json._shards as { failed?: number } | undefined;
    expect(shards?.failed ?? 0, JSON.stringify(json).slice(0, 1500)).toBe(0);
    return json;
  }
  const count = async (index: string, kql: string, filter = ''): Promise<number> => {
    const q = filter === '' ? query(kql) : { bool: { filter: [query(kql), query(filter)] } };
    return Number((await post(`/${index}/_count`, { query: q })).count);
  };

  beforeAll(async () => {
    node = await startOpenSearch({ major: 2, heapMb: 256 });
    const template = await fetch(`${node.url}/_index_template/gax-dashboards-test`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        index_patterns: ['apim_event_*'],
        template: { settings: { number_of_replicas: 0, number_of_shards: 1 }, mappings: eventMappings() },
      }),
    });
    expect(template.status, await template.text()).toBe(200);
    const body = events
      .map((e) => osBulkLines(e, { indexPrefix: 'apim_event', indexMode: 'daily' }))
      .join('');
    const bulk = await fetch(`${node.url}/_bulk?refresh=true`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson' },
      body,
    });
    const answer = (await bulk.json()) as { errors: boolean };
    expect(answer.errors, JSON.stringify(answer).slice(0, 2000)).toBe(false);
  }, 240_000);

  afterAll(async () => {
    await node?.destroy();
  });

  it('holds faults, 4xx, 5xx and 2xx responses and AI calls in WSO2-named daily indices', async () => {
    const kinds = new Set(events.map((e) => `${e.eventType}/${Math.floor(code(e) / 100)}xx`));
    expect([...kinds].sort()).toEqual([
      'faulty/4xx',
      'faulty/5xx',
      'response/2xx',
      'response/4xx',
      'response/5xx',
    ]);
    expect(await count('apim_event*', '')).toBe(events.length);
    const indices = (await (await fetch(`${node.url}/_cat/indices/apim_event_*?h=index`)).text())
      .trim()
      .split('\n');
    for (const index of indices) expect(index).toMatch(/^apim_event_(response|faulty)-\d{4}-\d{2}-\d{2}$/);
    expect(await count('apim_event_response*', 'properties.isEgress : true')).toBeGreaterThan(0);
  });

  it('answers every legacy visualization without an error', async () => {
    const legacy = visualizations.filter((o) => visOf(o).aggs.length > 0);
    expect(legacy.length).toBeGreaterThan(60);
    for (const o of legacy) {
      const meta = o.attributes.kibanaSavedObjectMeta as { searchSourceJSON: string };
      expect(JSON.parse(meta.searchSourceJSON).indexRefName, o.id).toBeDefined();
      const references = (o as unknown as { references: { id: string }[] }).references;
      const index = patternTitle.get(references[0]?.id ?? '') as string;
      const json = await post(`/${index}/_search`, searchBody(o));
      expect((json.hits as { total: { value: number } }).total.value, o.id).toBeGreaterThanOrEqual(0);
    }
  });

  it('answers every TSVB series (filters, ratios, percentiles, pivots) without an error', async () => {
    const tsvb = visualizations.filter((o) => visOf(o).type === 'metrics');
    expect(tsvb.length).toBeGreaterThan(8);
    for (const o of tsvb) {
      const p = visOf(o).params as { index_pattern: string; pivot_id?: string; series: Json[] };
      for (const s of p.series) {
        const filter = String((s.filter as { query: string }).query);
        for (const m of s.metrics as Json[]) {
          if (m.type === 'filter_ratio') {
            await count(p.index_pattern, (m.numerator as { query: string }).query, filter);
            await count(p.index_pattern, (m.denominator as { query: string }).query, filter);
          }
          if (m.type === 'percentile')
            await post(`/${p.index_pattern}/_search`, {
              size: 0,
              aggs: { p: { percentiles: { field: m.field } } },
            });
        }
        if (p.pivot_id !== undefined)
          await post(`/${p.index_pattern}/_search`, {
            size: 0,
            query: query(filter),
            aggs: { t: { terms: { field: p.pivot_id } } },
          });
      }
    }
  });

  const ratioOf = async (id: string): Promise<number> => {
    const p = visOf(byId(id)).params as { index_pattern: string; series: { metrics: Json[] }[] };
    const m = p.series[0]?.metrics.find((x) => x.type === 'filter_ratio') as Json;
    const over = await count(p.index_pattern, (m.numerator as { query: string }).query);
    return over / (await count(p.index_pattern, (m.denominator as { query: string }).query));
  };

  it('counts errors as defined: faults and 5xx responses, never a 4xx response', async () => {
    const meta = byId('gax-osd-error-count').attributes.kibanaSavedObjectMeta as { searchSourceJSON: string };
    const kql = JSON.parse(meta.searchSourceJSON).query.query as string;
    expect(await count('apim_event*', kql)).toBe(events.filter(isError).length);
    expect(events.some((e) => e.eventType === 'response' && code(e) >= 400 && code(e) < 500)).toBe(true);
    expect(await ratioOf('gax-osd-error-rate')).toBeCloseTo(
      events.filter(isError).length / events.length,
      12,
    );
  });

  it("computes WSO2's error rate as 4xx / (2xx + 4xx) of responses, and WSO2's count of faults", async () => {
    const responses = events.filter((e) => e.eventType === 'response');
    const c4 = responses.filter((e) => code(e) >= 400 && code(e) < 500).length;
    const c2 = responses.filter((e) => code(e) >= 200 && code(e) < 300).length;
    expect(await ratioOf('gax-osd-error-rate-wso2')).toBeCloseTo(c4 / (c2 + c4), 12);
    expect(await count('apim_event_faulty*', '')).toBe(events.filter((e) => e.eventType === 'faulty').length);
  });

  it('splits every event into successful, 4xx or error in the request summary', async () => {
    const json = await post('/apim_event*/_search', searchBody(byId('gax-osd-request-summary')));
    const totals = new Map<string, number>();
    const walk = (node: unknown): void => {
      if (typeof node !== 'object' || node === null) return;
      const buckets = (node as { buckets?: unknown }).buckets;
      if (buckets !== undefined && !Array.isArray(buckets))
        for (const [label, b] of Object.entries(buckets as Record<string, { doc_count: number }>))
          totals.set(label, (totals.get(label) ?? 0) + b.doc_count);
      for (const v of Object.values(node)) walk(v);
    };
    walk(json.aggregations);
    expect([...totals.values()].reduce((a, b) => a + b, 0)).toBe(events.length);
    expect(totals.get('Errors')).toBe(events.filter(isError).length);
  });

  it('sums totalTokens for the token total and computes the SLO success rate', async () => {
    const json = await post('/apim_event_response*/_search', searchBody(byId('gax-osd-total-tokens')));
    const expected = events.reduce((s, e) => s + (e.properties?.aiTokenUsage?.totalTokens ?? 0), 0);
    expect(expected).toBeGreaterThan(0);
    expect((json.aggregations as { '1': { value: number } })['1'].value).toBe(expected);
    expect(await ratioOf('gax-osd-slo-success-rate')).toBeCloseTo(
      events.filter((e) => code(e) < 500).length / events.length,
      12,
    );
  });
});

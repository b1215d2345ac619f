import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { indexTemplate } from '../../plugins/summaries/mirror-doc.js';
import { TABLES } from '../../plugins/summaries/tables.js';
import {
  KIBANA_NDJSON_PATH,
  KIBANA_SUMMARIES_NDJSON_PATH,
  renderKibanaFiles,
} from '../../scripts/gen-kibana.js';
import { toNdjson } from '../../scripts/kibana/saved-object.js';
import { buildSummaryObjects } from '../../scripts/kibana/summaries.js';
import { type EsNode, startElasticsearch } from '../helpers/elasticsearch.js';
import { expectedTotals, planOf, searchBody, totalsOf } from './kibana-summaries-es.js';
import {
  allDocumentFields,
  documentFields,
  indexOf,
  mappingOf,
  summaryDocuments,
  tableOfIndex,
} from './kibana-summaries-shape.js';
import { kqlFields, validateKibanaNdjson } from './kibana-validator/index.js';
import { generatedEvents } from './summaries-postgres-data.js';

type Json = Record<string, unknown>;
interface SavedObjectLine {
  id: string;
  type: string;
  attributes: Json;
  references: { name: string; type: string; id: string }[];
}

const REGENERATE = 'run npx tsx scripts/gen-kibana.ts';
const text = readFileSync(KIBANA_SUMMARIES_NDJSON_PATH, 'utf8');
const objects = text
  .split('\n')
  .filter((line) => line !== '')
  .map((line) => JSON.parse(line) as SavedObjectLine);
const dashboards = objects.filter((o) => o.type === 'dashboard');
const lenses = objects.filter((o) => o.type === 'lens');
const REQUIRED = ['Traffic', 'Errors', 'Latency', 'Applications', 'Last access'].map(
  (t) => `[gax] Long range: ${t}`,
);

function columnsOf(lens: SavedObjectLine): Json[] {
  const layers = (((lens.attributes.state as Json).datasourceStates as Json).formBased as Json)
    .layers as Json;
  return Object.values(layers).flatMap((l) => Object.values((l as Json).columns as Json) as Json[]);
}

const queryOf = (lens: SavedObjectLine): string =>
  String(((lens.attributes.state as Json).query as Json).query);

describe('the long-range Kibana dashboards (summary indices)', () => {
  it('pass every Kibana import rule with the documented summary fields', () => {
    expect(validateKibanaNdjson(text, allDocumentFields())).toEqual([]);
  });

  it('build on the fields of the index template the summaries plugin installs', () => {
    const template = indexTemplate('gax-summaries-', TABLES) as {
      template: { mappings: { properties: Record<string, { type: string }> } };
    };
    const installed = Object.entries(template.template.mappings.properties).map(([f, m]) => [f, m.type]);
    expect(Object.fromEntries(installed)).toEqual(Object.fromEntries(allDocumentFields()));
  });

  it('are exactly what scripts/gen-kibana.ts generates now, README included', () => {
    expect(text, REGENERATE).toBe(toNdjson(buildSummaryObjects()));
    for (const file of renderKibanaFiles())
      expect(readFileSync(file.path, 'utf8'), REGENERATE).toBe(file.text);
  });

  it.each(REQUIRED)('include the dashboard "%s"', (title) => {
    expect(dashboards.map((d) => d.attributes.title)).toContain(title);
  });

  it('have a data view per summary index, with the index as stable id and @timestamp as time field', () => {
    const views = objects.filter((o) => o.type === 'index-pattern');
    expect(views.map((v) => v.id).sort()).toEqual(TABLES.map(indexOf).sort());
    for (const v of views)
      expect(v.attributes).toEqual({ title: v.id, timeFieldName: '@timestamp', fields: '[]' });
  });

  it('share no id with the event dashboards, so both files import into one space', () => {
    const events = readFileSync(KIBANA_NDJSON_PATH, 'utf8');
    for (const o of objects) expect(events.includes(`"id":"${o.id}"`), o.id).toBe(false);
  });

  it('use only fields the panel’s own table has, in columns and in KQL', () => {
    for (const lens of lenses) {
      const index = lens.references.find((r) => r.type === 'index-pattern')?.id ?? '';
      const table = tableOfIndex(index);
      expect(table, `${lens.id}: ${index}`).toBeDefined();
      const fields = documentFields(table ?? TABLES[0]!);
      const used = columnsOf(lens).flatMap((c) => [
        ...(typeof c.sourceField === 'string' && c.sourceField !== '___records___' ? [c.sourceField] : []),
        ...kqlFields(String((c.filter as Json | undefined)?.query ?? '')),
        ...[...String((c.params as Json | undefined)?.formula ?? '').matchAll(/\w+\(([\w@.]+)/g)].map(
          (m) => m[1] as string,
        ),
      ]);
      for (const field of [...used, ...kqlFields(queryOf(lens))])
        expect(fields.has(field), `${lens.id} uses ${field}, not a column of ${table?.name}`).toBe(true);
    }
  });

  it('sum columns over buckets (never count documents) and read one granularity', () => {
    for (const lens of lenses) {
      const table = tableOfIndex(lens.references[0]?.id ?? '');
      const columns = columnsOf(lens);
      const ops = columns.filter((c) => c.isBucketed === false && typeof c.sourceField === 'string');
      expect(ops.length, lens.id).toBeGreaterThan(0);
      for (const c of columns) expect(c.filter, `${lens.id}: a column filter`).toBeUndefined();
      for (const c of columns.filter((x) => x.operationType === 'formula'))
        expect(String((c.params as Json).formula), lens.id).toMatch(
          /^[\s()+\-*/]*(sum\(AGG_\w+\)[\s()+\-*/]*)+$/,
        );
      if (table?.granular === false) {
        // ApiLastAccessSummary is one document per API (no granularity): the latest access time.
        for (const c of ops) expect([c.operationType, c.sourceField], lens.id).toEqual(['max', '@timestamp']);
        continue;
      }
      for (const c of ops) {
        expect(c.operationType, `${lens.id}: ${String(c.sourceField)}`).toBe('sum');
        expect(documentFields(table!).get(String(c.sourceField)), lens.id).toBe('long');
      }
      const query = queryOf(lens);
      expect(
        query === 'granularity : "DAYS"' || query.startsWith('(granularity : "DAYS") and '),
        `${lens.id}: ${query}`,
      ).toBe(true);
    }
  });

  it('open on a long time range and link each other from the navigation bar', () => {
    for (const d of dashboards) {
      expect(d.attributes.timeRestore, d.id).toBe(true);
      expect(d.attributes.timeFrom, d.id).toBe(d.id === 'gax-long-range-last-access' ? 'now-2y' : 'now-90d');
      const nav = objects.find((o) => o.id === d.references.find((r) => r.name === 'nav:panel_nav')?.id);
      const markdown = String(
        ((JSON.parse(String(nav?.attributes.visState)) as Json).params as Json).markdown,
      );
      const linked = [...markdown.matchAll(/\(#\/view\/([^)]+)\)/g)].map((m) => m[1]).sort();
      expect(linked, d.id).toEqual(
        dashboards
          .map((o) => o.id)
          .filter((id) => id !== d.id)
          .sort(),
      );
    }
  });
});

describe('the long-range panels against a real Elasticsearch', () => {
  let node: EsNode;
  // Every 20th of 40 days of generated traffic: 300 events over two months, 8 APIs, faults and throttling.
  const events = generatedEvents().filter((_, i) => i % 20 === 0);

  beforeAll(async () => {
    node = await startElasticsearch({ heapMb: 256 });
    const lines: string[] = [];
    for (const table of TABLES) {
      const created = await fetch(`${node.url}/${indexOf(table)}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ settings: { number_of_replicas: 0 }, mappings: mappingOf(table) }),
      });
      expect(created.status, await created.text()).toBe(200);
    }
    for (const [index, docs] of summaryDocuments(events, ['DAYS', 'MONTHS']))
      for (const doc of docs) lines.push(JSON.stringify({ index: { _index: index } }), JSON.stringify(doc));
    const bulk = await fetch(`${node.url}/_bulk?refresh=true`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson' },
      body: `${lines.join('\n')}\n`,
    });
    const answer = (await bulk.json()) as { errors: boolean };
    expect(answer.errors, JSON.stringify(answer).slice(0, 2000)).toBe(false);
  }, 180_000);

  afterAll(async () => {
    await node?.destroy();
  });

  async function search(index: string, body: Json): Promise<Json> {
    const response = await fetch(`${node.url}/${index}/_search`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const json = (await response.json()) as Json;
    expect(response.status, JSON.stringify(json).slice(0, 2000)).toBe(200);
    return json;
  }

  it('has events of every stream on both months', () => {
    const kinds = new Set(
      events.map((e) => `${e.eventType}/${e.errorType === 'THROTTLED'}/${e.requestTimestamp.slice(0, 7)}`),
    );
    expect([...kinds].sort()).toEqual([
      'faulty/false/2026-03',
      'faulty/false/2026-04',
      'faulty/true/2026-03',
      'faulty/true/2026-04',
      'response/false/2026-03',
      'response/false/2026-04',
    ]);
  });

  it.each(lenses.map((l) => [l.id, l] as const))('%s sums to the totals of the events', async (_, lens) => {
    const plan = planOf(lens);
    const answer = await search(plan.index, searchBody(plan));
    const got = totalsOf(plan, answer.aggregations as Json);
    const want = expectedTotals(plan, events, Date.now());
    expect(want.size, plan.id).toBeGreaterThan(0);
    expect(Object.fromEntries(got)).toEqual(Object.fromEntries(want));
  });

  it('adds up, per API, to the events counted directly (requests, throttled, faults, latency)', async () => {
    const per = async (index: string, field: string): Promise<Record<string, number>> => {
      const answer = await search(index, {
        size: 0,
        query: { term: { granularity: 'DAYS' } },
        aggs: { api: { terms: { field: 'apiName', size: 100 }, aggs: { s: { sum: { field } } } } },
      });
      const buckets = (
        (answer.aggregations as Json).api as { buckets: { key: string; s: { value: number } }[] }
      ).buckets;
      return Object.fromEntries(buckets.filter((b) => b.s.value !== 0).map((b) => [b.key, b.s.value]));
    };
    const direct = (pick: (e: (typeof events)[number]) => number): Record<string, number> => {
      const out: Record<string, number> = {};
      for (const e of events)
        if (pick(e) !== 0 && e.apiName !== undefined) out[e.apiName] = (out[e.apiName] ?? 0) + pick(e);
      return out;
    };
    const isResponse = (e: (typeof events)[number]) => e.eventType === 'response';
    const isThrottled = (e: (typeof events)[number]) =>
      e.eventType === 'faulty' && e.errorType === 'THROTTLED';
    expect(
      await per(indexOf(TABLES.find((t) => t.name === 'APIM_ReqCountAgg')!), 'AGG_SUM_successCount'),
    ).toEqual(direct((e) => (isResponse(e) ? 1 : 0)));
    expect(await per('gax-summaries-apim_reqcountagg', 'AGG_SUM_throttleCount')).toEqual(
      direct((e) => (isThrottled(e) ? 1 : 0)),
    );
    expect(await per('gax-summaries-apithrottledoutagg', 'AGG_COUNT')).toEqual(
      direct((e) => (isThrottled(e) ? 1 : 0)),
    );
    expect(await per('gax-summaries-apifaultyinvocationagg', 'AGG_COUNT')).toEqual(
      direct((e) => (e.eventType === 'faulty' && !isThrottled(e) ? 1 : 0)),
    );
    expect(await per('gax-summaries-apiexetime', 'AGG_SUM_responseTime')).toEqual(
      direct((e) => (isResponse(e) ? (e.responseLatency ?? 0) : 0)),
    );
  });
});

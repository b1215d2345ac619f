import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toDocument } from '../../plugins/elasticsearch/mapping.js';
import { eventMappings } from '../../plugins/elasticsearch/templates.js';
import { KIBANA_NDJSON_PATH } from '../../scripts/gen-kibana.js';
import type { CanonicalEvent } from '../../src/schema/event.js';
import { type EsNode, startElasticsearch } from '../helpers/elasticsearch.js';
import { kqlOf, kqlToQuery } from './kql-es.js';
import { generatedEvents } from './summaries-postgres-data.js';

/**
 * The bundle's error KQL and error-rate formulas run against a real Elasticsearch (the index
 * mapping gax installs, documents as gax writes them), translated as Kibana translates KQL, and
 * compared with the shared definition (docs/metrics.md): an error is a faulty event or a response
 * with a 5xx proxyResponseCode; a 4xx response is not one. Every other KQL of the bundle must run
 * too (Elasticsearch answers 200).
 */

type Json = Record<string, unknown>;
interface SavedObjectLine {
  id: string;
  type: string;
  attributes: Json;
}

const objects = readFileSync(KIBANA_NDJSON_PATH, 'utf8')
  .split('\n')
  .filter((line) => line !== '')
  .map((line) => JSON.parse(line) as SavedObjectLine);
const lens = (id: string): SavedObjectLine => {
  const found = objects.find((o) => o.type === 'lens' && o.id === id);
  if (found === undefined) throw new Error(`lens ${id} not in the bundle`);
  return found;
};
const formulaOf = (o: SavedObjectLine): string => {
  const formulas = JSON.stringify(o.attributes.state).match(/"formula":"((?:[^"\\]|\\.)*)"/);
  if (formulas === null) throw new Error(`${o.id} has no formula`);
  return JSON.parse(`"${formulas[1]}"`) as string;
};

const ALL = 'apim_event*';
const RESPONSES = 'apim_event_response*';
const isError = (e: CanonicalEvent): boolean => e.eventType === 'faulty' || (e.proxyResponseCode ?? 0) >= 500;
const code = (e: CanonicalEvent): number => e.proxyResponseCode ?? 0;

describe('the Kibana error definition against a real Elasticsearch', () => {
  let node: EsNode;
  // Every 10th of 6000 generated events: 2xx, 4xx and 5xx responses, faults of every category.
  const events = generatedEvents().filter((_, i) => i % 10 === 0);

  beforeAll(async () => {
    node = await startElasticsearch({ heapMb: 256 });
    for (const type of ['response', 'faulty']) {
      const created = await fetch(`${node.url}/apim_event_${type}-test`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ settings: { number_of_replicas: 0 }, mappings: eventMappings() }),
      });
      expect(created.status, await created.text()).toBe(200);
    }
    const lines = events.flatMap((e) => [
      JSON.stringify({ create: { _index: `apim_event_${e.eventType}-test` } }),
      JSON.stringify(toDocument(e)),
    ]);
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

  async function count(index: string, kql: string): Promise<number> {
    const response = await fetch(`${node.url}/${index}/_count`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: kqlToQuery(kql) }),
    });
    const json = (await response.json()) as { count: number };
    expect(response.status, `${kql}: ${JSON.stringify(json).slice(0, 1000)}`).toBe(200);
    return json.count;
  }

  /** `count(kql='…')` / `count()` parts of a Lens formula, evaluated on `index`. */
  async function formula(index: string, text: string): Promise<number> {
    const parts = [...text.matchAll(/count\((?:kql='((?:[^'\\]|\\.)*)')?\)/g)].map((m) => m[1] ?? '');
    expect(text.replace(/count\((?:kql='(?:[^'\\]|\\.)*')?\)/g, 'C')).toBe('C / C');
    const [over, under] = await Promise.all(parts.map((kql) => count(index, kql)));
    return Number(over) / Number(under);
  }

  it('has faults, 4xx, 5xx and 2xx responses to tell apart', () => {
    const kinds = new Set(events.map((e) => `${e.eventType}/${Math.floor(code(e) / 100)}xx`));
    expect([...kinds].sort()).toEqual([
      'faulty/4xx',
      'faulty/5xx',
      'response/2xx',
      'response/4xx',
      'response/5xx',
    ]);
  });

  it('counts faults and 5xx responses as errors, never a 4xx response (Error Request Count)', async () => {
    const [kql] = kqlOf(lens('gax-lens-error-count').attributes.state).filter((q) => q !== '');
    expect(kql).toBe('eventType : "faulty" or proxyResponseCode >= 500');
    expect(await count(ALL, String(kql))).toBe(events.filter(isError).length);
    const clientErrors = events.filter((e) => e.eventType === 'response' && code(e) >= 400 && code(e) < 500);
    expect(await count(ALL, `(${kql}) and eventType : "response" and proxyResponseCode < 500`)).toBe(0);
    expect(clientErrors.length).toBeGreaterThan(0);
  });

  it('computes the error rate as errors / all events', async () => {
    const rate = await formula(ALL, formulaOf(lens('gax-lens-error-rate')));
    expect(rate).toBeCloseTo(events.filter(isError).length / events.length, 12);
  });

  it("computes WSO2's error rate as 4xx / (2xx + 4xx) of responses", async () => {
    const responses = events.filter((e) => e.eventType === 'response');
    const c4 = responses.filter((e) => code(e) >= 400 && code(e) < 500).length;
    const c2 = responses.filter((e) => code(e) >= 200 && code(e) < 300).length;
    const rate = await formula(RESPONSES, formulaOf(lens('gax-lens-error-rate-wso2')));
    expect(rate).toBeCloseTo(c4 / (c2 + c4), 12);
  });

  it('splits every event into success, 4xx response or error in the request summary', async () => {
    const series = kqlOf(lens('gax-lens-request-summary').attributes.state).filter((q) => q !== '');
    expect(series).toHaveLength(3);
    const counts = await Promise.all(series.map((kql) => count(ALL, kql)));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(events.length);
    expect(counts[2]).toBe(events.filter(isError).length);
  });

  it('runs every KQL of the bundle', async () => {
    const all = [...new Set(objects.flatMap((o) => kqlOf(o.attributes)))].filter((q) => q !== '');
    expect(all.length).toBeGreaterThan(10);
    for (const kql of all) expect(await count(ALL, kql), kql).toBeGreaterThanOrEqual(0);
  });
});

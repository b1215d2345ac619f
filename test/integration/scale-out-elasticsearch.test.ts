/**
 * The Elasticsearch side of the Kafka Connect hop of docs/scale-out.md, against a real 8.19 node
 * with gax's templates (`gax setup elasticsearch`): what the Confluent Elasticsearch sink writes
 * with docs/examples/scale-out/connect-elasticsearch-sink.json (`index` ops, `_id` = the record
 * key, i.e. the correlation id, the record value as the source, the index from the RegexRouter).
 * The connector itself is not run: it is not on Maven Central. Neither is the optional ingest
 * pipeline (this node, the integ-test distribution, has no ingest-common module).
 *
 * - Every event is accepted by gax's mappings and stored as it is: `_source` = the event (gax's
 *   document without `@timestamp`), found by the dashboards' time field (`requestTimestamp`).
 * - A redelivery (the connector's at-least-once) leaves one document per event.
 * - The documented caveat: gax's own plugin writing the same events into the same indices adds
 *   a second document each (its `_id` is `<eventType>:<correlationId>`).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bulkLines, documentId } from '../../plugins/elasticsearch/mapping.js';
import type { CanonicalEvent } from '../../src/schema/event.js';
import { runCli } from '../helpers/cli.js';
import { type EsNode, startElasticsearch } from '../helpers/elasticsearch.js';
import { es } from '../helpers/es-scenario.js';

const CONNECTOR = fileURLToPath(
  new URL('../../docs/examples/scale-out/connect-elasticsearch-sink.json', import.meta.url),
);
const SAMPLE = fileURLToPath(new URL('../../examples/apim_metrics.log', import.meta.url));

let node: EsNode;

beforeAll(async () => {
  node = await startElasticsearch();
}, 300_000);

afterAll(async () => {
  await node?.destroy();
});

interface BulkAnswer {
  errors: boolean;
  items: { [op: string]: { status: number; _id: string } }[];
}

async function bulk(lines: string): Promise<BulkAnswer> {
  const response = await fetch(`${node.url}/_bulk?refresh=true`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-ndjson' },
    body: lines,
  });
  expect(response.status).toBe(200);
  return (await response.json()) as BulkAnswer;
}

/** The sink's settings that shape a write: the RegexRouter (topic → index) and `key.ignore`. */
const sink = (JSON.parse(readFileSync(CONNECTOR, 'utf8')) as { config: Record<string, string> }).config;

/** What the Confluent sink sends for a record of gax's: `index`, `_id` = the key, the value as source. */
function connectorLines(event: CanonicalEvent): string {
  const topic = `apim-${event.eventType}`;
  const index = topic.replace(
    new RegExp(`^${sink['transforms.toIndex.regex']}$`),
    sink['transforms.toIndex.replacement'] ?? '',
  );
  expect(sink['key.ignore']).toBe('false');
  const action = { index: { _index: index, _id: event.correlationId } };
  return `${JSON.stringify(action)}\n${JSON.stringify(event)}\n`;
}

/** The bundled sample's events: `gax parse` prints the record values gax produces. */
async function sampleEvents(): Promise<CanonicalEvent[]> {
  const parsed = await runCli(['parse', SAMPLE]);
  return parsed.stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as CanonicalEvent);
}

const count = async (): Promise<number> =>
  (await es<{ count: number }>(node.url, 'GET', '/apim_event_*/_count')).count;

describe('scale-out: what Kafka Connect writes into gax’s indices (docs/scale-out.md)', () => {
  it('the events as they are, once each after a redelivery; gax’s own plugin beside it duplicates', async () => {
    expect((await runCli(['setup', 'elasticsearch', '--node', node.url])).code).toBe(0);
    const all = await sampleEvents();
    expect(new Set(all.map((e) => e.eventType))).toEqual(new Set(['response', 'faulty']));

    // The connector's writes, then a redelivery of all of them (its at-least-once).
    for (let round = 0; round < 2; round++) {
      const answer = await bulk(all.map(connectorLines).join(''));
      expect(answer.errors).toBe(false);
      expect(answer.items.map((item) => item.index?.status)).toEqual(
        all.map(() => (round === 0 ? 201 : 200)),
      );
    }
    expect(await count()).toBe(all.length);
    for (const event of all) {
      const got = await es<{ found: boolean; _source: unknown }>(
        node.url,
        'GET',
        `/apim_event_${event.eventType}/_doc/${encodeURIComponent(event.correlationId)}`,
      );
      expect(got.found, event.correlationId).toBe(true);
      expect(got._source, event.correlationId).toEqual(event);
    }
    // The bundled dashboards' time field: every document in its range, as with gax's documents.
    const times = all.map((e) => e.requestTimestamp).sort();
    const range = { range: { requestTimestamp: { gte: times[0], lte: times.at(-1) } } };
    const hits = await es<{ count: number }>(node.url, 'POST', '/apim_event_*/_count', { query: range });
    expect(hits.count).toBe(all.length);

    // A correlation id past Elasticsearch's 512-byte `_id` limit: the whole bulk request is
    // refused, so the connector's batch fails with it (gax hashes such ids: documentId()).
    const long = { ...(all[0] as CanonicalEvent), correlationId: 'é'.repeat(300) };
    const refused = await fetch(`${node.url}/_bulk`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson' },
      body: connectorLines(all[1] as CanonicalEvent) + connectorLines(long),
    });
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('action_request_validation_exception');
    expect(documentId(long)).toContain(':sha256:');

    // The caveat: gax's elasticsearch plugin into the same indices writes other `_id`s.
    const config = { indexPrefix: 'apim_event', indexMode: 'index' } as const;
    const own = await bulk(all.map((e) => bulkLines(e, config)).join(''));
    expect(own.items.map((item) => item.create?.status)).toEqual(all.map(() => 201));
    expect(await count()).toBe(2 * all.length);
  }, 180_000);
});

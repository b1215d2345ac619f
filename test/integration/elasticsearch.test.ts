/**
 * The Elasticsearch plugin end to end against a real Elasticsearch 8.x on loopback: a generated
 * log of known content → daemon → ES. Counts per index are exact, documents equal the canonical
 * events, aggregations answer as computed from the events, WSO2's field spellings answer, and a
 * document ES refuses is dead-lettered with its reason while the rest of its batch is indexed.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentId } from '../../plugins/elasticsearch/mapping.js';
import { Daemon } from '../../src/daemon.js';
import { parseLine } from '../../src/parsers/wso2-apim/parse.js';
import type { CanonicalEvent } from '../../src/schema/event.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { runCli } from '../helpers/cli.js';
import { readNdjson, sample, testConfig, waitFor } from '../helpers/daemon.js';
import { type EsNode, startElasticsearch } from '../helpers/elasticsearch.js';
import { countDocs, es, type KnownLog, knownLog, writeLog } from '../helpers/es-scenario.js';
import { responseLine } from '../helpers/lines.js';

const LINES = 4000;
/** A value the parser accepts but a `long` field cannot hold: ES refuses this one document. */
const CONFLICT_ID = 'conflict-1';
/** A response with keys no WSO2 version has (yet): kept in _source, never a mapping conflict. */
const UNKNOWN_ID = 'unknown-keys-1';

let node: EsNode;
let dir: string;
let daemon: Daemon;
let log: KnownLog;
/** Every event that should be indexed: the generated ones and the one with unknown keys. */
let indexed: CanonicalEvent[];
let esYaml: string;

beforeAll(async () => {
  node = await startElasticsearch({ major: 8 });
  dir = await mkdtemp(join(tmpdir(), 'gax-es-it-'));
  log = knownLog(LINES);
  const conflict = responseLine(CONFLICT_ID, { properties: { responseSize: 1e20 } });
  const unknown = responseLine(UNKNOWN_ID, {
    somethingNew: { a: 1 },
    properties: { brandNew: 'x', isEgress: false },
  });
  const extra = parseLine(unknown);
  if (extra.kind !== 'event') throw new Error('unknown-keys line did not parse');
  indexed = [...log.events, extra.event];
  const lines = [
    ...log.lines.slice(0, 1000),
    conflict,
    ...log.lines.slice(1000, 2000),
    unknown,
    ...log.lines.slice(2000),
  ];
  await writeLog(dir, lines);
  esYaml = `  elasticsearch: { enabled: true, node: ${JSON.stringify(node.url)}, flushBytes: 200000, concurrency: 2, templates: { numberOfReplicas: 0 } }`;
  const config = testConfig(dir, esYaml);
  daemon = new Daemon({ config, logger: silentLogger(), version: 'test' });
  await daemon.start();
  await waitFor(
    () => {
      const c = daemon.counts().elasticsearch;
      return c !== undefined && c.delivered + c.deadLettered === log.events.length + 2;
    },
    60_000,
    'every event delivered or dead-lettered',
  );
}, 300_000);

afterAll(async () => {
  await daemon?.stop();
  await node?.destroy();
  await rm(dir, { recursive: true, force: true });
});

const byType = (type: CanonicalEvent['eventType']) => indexed.filter((e) => e.eventType === type);

describe('elasticsearch plugin against a real Elasticsearch 8', () => {
  it('indexes exactly the events of the log, per index', async () => {
    expect(log.faulty).toBeGreaterThan(50);
    expect(await countDocs(node.url, 'apim_event_response')).toBe(log.response + 1);
    expect(await countDocs(node.url, 'apim_event_faulty')).toBe(log.faulty);
  });

  it('stores documents equal to the canonical events, plus @timestamp', async () => {
    const picks = [
      log.events[0],
      log.events[777],
      byType('faulty')[3],
      log.events.find((e) => e.properties?.aiMetadata),
    ];
    for (const event of picks) {
      if (event === undefined) throw new Error('sample event missing');
      const index = `apim_event_${event.eventType}`;
      const doc = await es<{ _source: Record<string, unknown> }>(
        node.url,
        'GET',
        `/${index}/_doc/${encodeURIComponent(documentId(event))}`,
      );
      const { '@timestamp': timestamp, ...source } = doc._source;
      expect(timestamp).toBe(event.requestTimestamp);
      // The reader stamps gateway.type and host.name (no inputs[].hostName: this machine's).
      const stamped = { ...event, gateway: { type: 'wso2-apim' }, host: { name: hostname() } };
      expect(source).toEqual(JSON.parse(JSON.stringify(stamped)));
    }
  });

  it('answers terms on apiName.keyword with the counts computed from the events', async () => {
    const expected = new Map<string, number>();
    for (const e of byType('response'))
      expected.set(e.apiName as string, (expected.get(e.apiName as string) ?? 0) + 1);
    const r = await es<{ aggregations: { apis: { buckets: { key: string; doc_count: number }[] } } }>(
      node.url,
      'POST',
      '/apim_event_response/_search',
      { size: 0, aggs: { apis: { terms: { field: 'apiName.keyword', size: 1000 } } } },
    );
    const actual = new Map(r.aggregations.apis.buckets.map((b) => [b.key, b.doc_count]));
    expect(actual).toEqual(expected);
  });

  it('answers stats and percentiles on responseLatency as computed from the events', async () => {
    const latencies = byType('response')
      .map((e) => e.responseLatency)
      .filter((v): v is number => v !== undefined)
      .sort((a, b) => a - b);
    const r = await es<{
      aggregations: {
        s: { count: number; min: number; max: number; sum: number };
        p: { values: Record<string, number> };
      };
    }>(node.url, 'POST', '/apim_event_response/_search', {
      size: 0,
      aggs: {
        s: { stats: { field: 'responseLatency' } },
        p: {
          percentiles: { field: 'responseLatency', percents: [50, 95, 99], tdigest: { compression: 10_000 } },
        },
      },
    });
    expect(r.aggregations.s.count).toBe(latencies.length);
    expect(r.aggregations.s.min).toBe(latencies[0]);
    expect(r.aggregations.s.max).toBe(latencies.at(-1));
    expect(r.aggregations.s.sum).toBeCloseTo(
      latencies.reduce((a, b) => a + b, 0),
      6,
    );
    for (const p of [50, 95, 99]) {
      const rank = (p / 100) * (latencies.length - 1);
      const lo = latencies[Math.floor(rank)] as number;
      const hi = latencies[Math.ceil(rank)] as number;
      const value = r.aggregations.p.values[`${p}.0`] as number;
      expect(value, `p${p}`).toBeGreaterThanOrEqual(lo - 0.5);
      expect(value, `p${p}`).toBeLessThanOrEqual(hi + 0.5);
    }
  });

  it("answers WSO2's vendor_name(.keyword) spelling exactly like vendorName", async () => {
    const ai = byType('response').filter((e) => e.properties?.aiMetadata?.vendorName !== undefined);
    expect(ai.length).toBeGreaterThan(10);
    const vendor = ai[0]?.properties?.aiMetadata?.vendorName as string;
    const expected = ai.filter((e) => e.properties?.aiMetadata?.vendorName === vendor).length;
    for (const field of [
      'properties.aiMetadata.vendorName.keyword',
      'properties.aiMetadata.vendor_name.keyword',
    ]) {
      const r = await es<{ count: number }>(node.url, 'POST', '/apim_event_response/_count', {
        query: { term: { [field]: vendor } },
      });
      expect(r.count, field).toBe(expected);
    }
    const text = await es<{ count: number }>(node.url, 'POST', '/apim_event_response/_count', {
      query: { match: { 'properties.aiMetadata.vendor_name': vendor } },
    });
    expect(text.count).toBe(expected);
  });

  it('dead-letters the document Elasticsearch refuses, with its reason, and indexes the rest of its batch', async () => {
    const dead = await readNdjson<{ plugin: string; reason: string; event: { correlationId: string } }>(
      join(dir, 'state', 'dead-letter.ndjson'),
    );
    const ours = dead.filter((d) => d.plugin === 'elasticsearch');
    expect(ours.map((d) => d.event.correlationId)).toEqual([CONFLICT_ID]);
    expect(ours[0]?.reason).toMatch(
      /^elasticsearch 400 document_parsing_exception: .*properties\.responseSize/,
    );
    const metrics = await (await fetch(`${daemon.url}/metrics`)).text();
    expect(
      sample(
        metrics,
        'gax_elasticsearch_documents_total{plugin="elasticsearch",outcome="rejected",error_type="document_parsing_exception"}',
      ),
    ).toBe(1);
    expect(sample(metrics, 'gax_events_dead_lettered_total{plugin="elasticsearch",kind="rejected"}')).toBe(1);
    expect(daemon.counts().elasticsearch?.delivered).toBe(log.events.length + 1);
  });

  it('keeps unknown fields in _source without mapping them', async () => {
    const doc = await es<{ _source: { somethingNew?: unknown; properties?: { brandNew?: unknown } } }>(
      node.url,
      'GET',
      `/apim_event_response/_doc/response:${UNKNOWN_ID}`,
    );
    expect(doc._source.somethingNew).toEqual({ a: 1 });
    expect(doc._source.properties?.brandNew).toBe('x');
    const mapping = await es<
      Record<string, { mappings: { properties: Record<string, { properties?: object }> } }>
    >(node.url, 'GET', '/apim_event_response/_mapping');
    const root = mapping.apim_event_response?.mappings.properties ?? {};
    expect(Object.keys(root)).not.toContain('somethingNew');
    expect(Object.keys(root.properties?.properties ?? {})).not.toContain('brandNew');
    expect((await fetch(`${daemon.url}/readyz`)).status).toBe(200);
  });

  it('reports templates as unchanged when gax setup elasticsearch runs after the plugin installed them', async () => {
    const configPath = join(dir, 'gax.yaml');
    await writeFile(configPath, `inputs: [{ paths: [x.log] }]\nplugins:\n${esYaml}\n`);
    const first = await runCli(['setup', 'elasticsearch', '--config', configPath]);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('done: 4 templates (0 created, 0 updated, 4 unchanged)');
    expect(first.stdout).toMatch(/index\s+apim_event_response\s+exists, mapped by these templates/);
  });

  it('installs templates for another prefix, then finds them unchanged on a second run', async () => {
    const args = ['setup', 'elasticsearch', '--node', node.url, '--index-prefix', 'setup_twice'];
    const first = await runCli(args);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('done: 4 templates (4 created, 0 updated, 0 unchanged)');
    const second = await runCli(args);
    expect(second.stdout).toContain('done: 4 templates (0 created, 0 updated, 4 unchanged)');
  });

  it('warns when the index exists with dynamic mappings (as WSO2 Logstash left it)', async () => {
    await es(node.url, 'PUT', '/legacy_response', {
      mappings: { properties: { apiName: { type: 'text' } } },
    });
    const r = await runCli(['setup', 'elasticsearch', '--node', node.url, '--index-prefix', 'legacy']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/legacy_response\s+WARNING exists with dynamic mappings/);
  });

  it('fails with a coded error when Elasticsearch cannot be reached', async () => {
    const r = await runCli(['setup', 'elasticsearch', '--node', 'http://127.0.0.1:9']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('[GAX_ERR_SETUP_FAILED]');
  });

  it('keeps the WSO2 field names of the dashboards aggregatable in the real index', async () => {
    const text = await readFile(
      new URL('../../dashboards/kibana/gax-dashboards.ndjson', import.meta.url),
      'utf8',
    );
    const used = new Set<string>();
    for (const m of text.matchAll(/"sourceField":"([^"]+)"/g))
      if (m[1] !== '___records___') used.add(m[1] as string);
    // Fields WSO2's own Kibana exports (v1-v3) aggregate on (shared/reference §4.4).
    for (const f of [
      'apiName.keyword',
      'applicationName.keyword',
      'destination.keyword',
      'apiResourceTemplate.keyword',
      'apiMethod.keyword',
      'apiVersion.keyword',
      'applicationOwner.keyword',
      'apiCreator.keyword',
      'apiContext.keyword',
      'userName.keyword',
      'errorType.keyword',
      'platform.keyword',
      'userAgent.keyword',
      'properties.aiMetadata.vendor_name.keyword',
      'properties.aiMetadata.model.keyword',
      'properties.aiTokenUsage.totalTokens',
      'properties.aiTokenUsage.hour',
      'proxyResponseCode',
      'targetResponseCode',
      'responseLatency',
      'backendLatency',
      'requestMediationLatency',
      'responseMediationLatency',
      'requestTimestamp',
      'responseCacheHit',
    ])
      used.add(f);
    expect(used.size).toBeGreaterThan(25);
    const caps = await es<{ fields: Record<string, Record<string, { aggregatable: boolean }>> }>(
      node.url,
      'GET',
      `/apim_event_*/_field_caps?fields=${[...used].join(',')}`,
    );
    const problems = [...used].filter((f) => {
      const types = Object.values(caps.fields[f] ?? {});
      return types.length === 0 || types.some((t) => !t.aggregatable);
    });
    expect(problems).toEqual([]);
  });
});

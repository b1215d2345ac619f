/**
 * The OpenSearch plugin end to end against a real OpenSearch node on loopback, for one major
 * (opensearch.test.ts: 2.19, opensearch-3.test.ts: 3.x; one node per file): a generated log of
 * known content that crosses midnight UTC → daemon → the daily indices WSO2's Fluent Bit writes.
 * Exact documents per daily index, documents equal to the canonical events, the aggregations
 * WSO2's OpenSearch Dashboards use, a refused document dead-lettered with its reason, a full
 * re-read after a restart that adds nothing, `gax setup opensearch` idempotent, and a clear error
 * when an ISM policy is configured on a cluster without the ISM plugin (these test nodes have none).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { osIndex } from '../../plugins/opensearch/mapping.js';
import { Daemon } from '../../src/daemon.js';
import type { GeneratorOptions } from '../../src/parsers/wso2-apim/sim/generate.js';
import { documentId } from '../../src/search-index/documents.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { runCli } from '../helpers/cli.js';
import { readNdjson, sample, testConfig, waitFor } from '../helpers/daemon.js';
import { responseLine } from '../helpers/lines.js';
import { type OsMajor, type OsNode, startOpenSearch } from '../helpers/opensearch.js';
import {
  countDocs,
  expectConserved,
  expectedIndices,
  type KnownLog,
  knownLog,
  searchJson as os,
  writeLog,
} from '../helpers/search-scenario.js';

const LINES = 3000;
/** 2026-03-04 23:59:50 UTC: at the generator's 100 events/s, the log spans March 4 and 5. */
const NEAR_MIDNIGHT: GeneratorOptions = { startTime: Date.UTC(2026, 2, 4, 23, 59, 50) };
/** A value the parser accepts but a `long` field cannot hold: OpenSearch refuses this document. */
const CONFLICT_ID = 'os-conflict-1';
const WSO2 = { indexPrefix: 'apim_event', indexMode: 'daily' } as const;

/** The whole suite against one node of `major`; the node, for the file's own checks. */
export function openSearchSuite(major: OsMajor): () => OsNode {
  let node: OsNode;
  let dir: string;
  let daemon: Daemon;
  let log: KnownLog;
  let osYaml: string;

  const counts = () => daemon.counts().opensearch;
  const expected = () => expectedIndices(log.events, (e) => osIndex(e, WSO2), documentId);

  async function runUntilDone(): Promise<void> {
    daemon = new Daemon({ config: testConfig(dir, osYaml), logger: silentLogger(), version: 'test' });
    await daemon.start();
    await waitFor(
      () => {
        const c = counts();
        return c !== undefined && c.delivered + c.deadLettered === log.events.length + 1;
      },
      120_000,
      'every event delivered or dead-lettered',
    );
  }

  beforeAll(async () => {
    node = await startOpenSearch({ major });
    dir = await mkdtemp(join(tmpdir(), `gax-os${major}-it-`));
    log = knownLog(LINES, NEAR_MIDNIGHT);
    // Dated within the log: OpenSearch creates the index of a refused document all the same.
    const conflict = responseLine(CONFLICT_ID, {
      requestTimestamp: '2026-03-05T00:00:01.000Z',
      properties: { responseSize: 1e20 },
    });
    await writeLog(dir, [...log.lines.slice(0, 1000), conflict, ...log.lines.slice(1000)]);
    osYaml = `  opensearch: { enabled: true, node: ${JSON.stringify(node.url)}, flushBytes: 200000, concurrency: 2, templates: { numberOfReplicas: 0 } }`;
    await runUntilDone();
  }, 400_000);

  afterAll(async () => {
    await daemon?.stop();
    await node?.destroy();
    await rm(dir, { recursive: true, force: true });
  });

  const responses = () => log.events.filter((e) => e.eventType === 'response');

  describe(`opensearch plugin against a real OpenSearch ${major}`, () => {
    it('writes exactly the events of the log into the daily indices WSO2’s Fluent Bit names', async () => {
      const want = expected();
      expect([...want.keys()].sort()).toEqual([
        'apim_event_faulty-2026-03-04',
        'apim_event_faulty-2026-03-05',
        'apim_event_response-2026-03-04',
        'apim_event_response-2026-03-05',
      ]);
      await expectConserved(node.url, 'apim_event_*', want);
      const catalog = await os<{ index: string }[]>(
        node.url,
        'GET',
        '/_cat/indices/apim_event_*?format=json',
      );
      expect(catalog.map((c) => c.index).sort()).toEqual([...want.keys()].sort());
    });

    it('stores documents equal to the canonical events, plus @timestamp', async () => {
      const picks = [
        log.events[0],
        log.events[1777],
        log.events.find((e) => e.eventType === 'faulty'),
        log.events.find((e) => e.properties?.aiMetadata !== undefined),
      ];
      for (const event of picks) {
        if (event === undefined) throw new Error('sample event missing');
        const doc = await os<{ _source: Record<string, unknown> }>(
          node.url,
          'GET',
          `/${osIndex(event, WSO2)}/_doc/${encodeURIComponent(documentId(event))}`,
        );
        const { '@timestamp': timestamp, ...source } = doc._source;
        expect(timestamp).toBe(event.requestTimestamp);
        const stamped = { ...event, gateway: { type: 'wso2-apim' }, host: { name: hostname() } };
        expect(source).toEqual(JSON.parse(JSON.stringify(stamped)));
      }
    });

    it('answers the dashboards’ terms on apiName.keyword and sum of totalTokens as computed from the events', async () => {
      const apis = new Map<string, number>();
      let tokens = 0;
      for (const e of responses()) {
        apis.set(e.apiName as string, (apis.get(e.apiName as string) ?? 0) + 1);
        tokens += e.properties?.aiTokenUsage?.totalTokens ?? 0;
      }
      expect(tokens).toBeGreaterThan(0);
      const r = await os<{
        aggregations: { apis: { buckets: { key: string; doc_count: number }[] }; tokens: { value: number } };
      }>(node.url, 'POST', '/apim_event_response*/_search', {
        size: 0,
        aggs: {
          apis: { terms: { field: 'apiName.keyword', size: 1000 } },
          tokens: { sum: { field: 'properties.aiTokenUsage.totalTokens' } },
        },
      });
      expect(new Map(r.aggregations.apis.buckets.map((b) => [b.key, b.doc_count]))).toEqual(apis);
      expect(r.aggregations.tokens.value).toBe(tokens);
    });

    it('answers percentiles on responseLatency and a date_histogram on requestTimestamp', async () => {
      const latencies = responses()
        .map((e) => e.responseLatency)
        .filter((v): v is number => v !== undefined)
        .sort((a, b) => a - b);
      const perMinute = new Map<string, number>();
      for (const e of responses()) {
        const minute = `${e.requestTimestamp.slice(0, 16)}:00.000Z`;
        perMinute.set(minute, (perMinute.get(minute) ?? 0) + 1);
      }
      const r = await os<{
        aggregations: {
          p: { values: Record<string, number> };
          h: { buckets: { key_as_string: string; doc_count: number }[] };
        };
      }>(node.url, 'POST', '/apim_event_response*/_search', {
        size: 0,
        aggs: {
          p: {
            percentiles: { field: 'responseLatency', percents: [50, 95], tdigest: { compression: 10_000 } },
          },
          h: { date_histogram: { field: 'requestTimestamp', fixed_interval: '1m', min_doc_count: 1 } },
        },
      });
      for (const p of [50, 95]) {
        const rank = (p / 100) * (latencies.length - 1);
        const value = r.aggregations.p.values[`${p}.0`] as number;
        expect(value, `p${p}`).toBeGreaterThanOrEqual((latencies[Math.floor(rank)] as number) - 0.5);
        expect(value, `p${p}`).toBeLessThanOrEqual((latencies[Math.ceil(rank)] as number) + 0.5);
      }
      const buckets = new Map(r.aggregations.h.buckets.map((b) => [b.key_as_string, b.doc_count]));
      expect(buckets).toEqual(perMinute);
    });

    it('answers WSO2’s OpenSearch spelling properties.aiMetadata.vendorName.keyword (and vendor_name)', async () => {
      const ai = responses().filter((e) => e.properties?.aiMetadata?.vendorName !== undefined);
      expect(ai.length).toBeGreaterThan(10);
      const vendor = ai[0]?.properties?.aiMetadata?.vendorName as string;
      const want = ai.filter((e) => e.properties?.aiMetadata?.vendorName === vendor).length;
      for (const field of [
        'properties.aiMetadata.vendorName.keyword',
        'properties.aiMetadata.vendor_name.keyword',
      ]) {
        const r = await os<{ count: number }>(node.url, 'POST', '/apim_event_response*/_count', {
          query: { term: { [field]: vendor } },
        });
        expect(r.count, field).toBe(want);
      }
    });

    it('keeps the fields WSO2’s OpenSearch Dashboards aggregate on aggregatable, with the types of WSO2’s mapping', async () => {
      const types: Record<string, string> = {
        requestTimestamp: 'date',
        '@timestamp': 'date',
        'apiName.keyword': 'keyword',
        'applicationName.keyword': 'keyword',
        'errorType.keyword': 'keyword',
        'properties.aiMetadata.vendorName.keyword': 'keyword',
        'properties.aiMetadata.model.keyword': 'keyword',
        'properties.aiTokenUsage.totalTokens': 'long',
        'properties.aiTokenUsage.hour': 'long',
        'properties.responseSize': 'long',
        'properties.isEgress': 'boolean',
        proxyResponseCode: 'long',
        responseLatency: 'double',
      };
      const caps = await os<{ fields: Record<string, Record<string, { aggregatable: boolean }>> }>(
        node.url,
        'GET',
        `/apim_event_*/_field_caps?fields=${Object.keys(types).join(',')}`,
      );
      for (const [field, type] of Object.entries(types)) {
        expect(Object.keys(caps.fields[field] ?? {}), field).toEqual([type]);
        expect(caps.fields[field]?.[type]?.aggregatable, field).toBe(true);
      }
    });

    it('dead-letters the document OpenSearch refuses, with its reason, and indexes the rest of its batch', async () => {
      const dead = await readNdjson<{ plugin: string; reason: string; event: { correlationId: string } }>(
        join(dir, 'state', 'dead-letter.ndjson'),
      );
      const ours = dead.filter((d) => d.plugin === 'opensearch');
      expect(ours.map((d) => d.event.correlationId)).toEqual([CONFLICT_ID]);
      expect(ours[0]?.reason).toMatch(/^opensearch 400 mapper_parsing_exception: .*properties\.responseSize/);
      const metrics = await (await fetch(`${daemon.url}/metrics`)).text();
      expect(
        sample(
          metrics,
          'gax_opensearch_documents_total{plugin="opensearch",outcome="rejected",error_type="mapper_parsing_exception"}',
        ),
      ).toBe(1);
      expect(
        sample(
          metrics,
          'gax_opensearch_documents_total{plugin="opensearch",outcome="created",error_type="none"}',
        ),
      ).toBe(log.events.length);
      expect(counts()?.delivered).toBe(log.events.length);
    });

    it('reports templates unchanged when gax setup opensearch runs after the plugin installed them', async () => {
      const configPath = join(dir, 'gax.yaml');
      await writeFile(configPath, `inputs: [{ paths: [x.log] }]\nplugins:\n${osYaml}\n`);
      const r = await runCli(['setup', 'opensearch', '--config', configPath]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('done: 4 objects (0 created, 0 updated, 4 unchanged)');
    }, 180_000);

    it('installs templates for another prefix, then finds them unchanged; a changed setting is updated', async () => {
      const args = ['setup', 'opensearch', '--node', node.url, '--index-prefix', 'setup_twice'];
      expect((await runCli(args)).stdout).toContain('done: 4 objects (4 created, 0 updated, 0 unchanged)');
      expect((await runCli(args)).stdout).toContain('done: 4 objects (0 created, 0 updated, 4 unchanged)');
      const configPath = join(dir, 'shards.yaml');
      await writeFile(
        configPath,
        `inputs: [{ paths: [x.log] }]\nplugins:\n  opensearch: { enabled: true, templates: { numberOfShards: 2 } }\n`,
      );
      const changed = await runCli([...args, '--config', configPath]);
      expect(changed.stdout).toMatch(/component template\s+setup_twice-settings\s+updated/);
      expect(changed.stdout).toContain('done: 4 objects (0 created, 1 updated, 3 unchanged)');
      const installed = await os<{ component_templates: { component_template: { template: unknown } }[] }>(
        node.url,
        'GET',
        '/_component_template/setup_twice-settings',
      );
      expect(installed.component_templates[0]?.component_template.template).toEqual({
        settings: { index: { number_of_shards: '2' } },
      });
    }, 180_000);

    it('fails setup and start with GAX_ERR_OS_ISM_MISSING when an ISM policy is configured and the node has no ISM plugin', async () => {
      const plugins = await os<{ component: string }[]>(node.url, 'GET', '/_cat/plugins?format=json');
      expect(plugins.map((p) => p.component)).not.toContain('opensearch-index-management');
      const ismYaml = `  opensearch: { enabled: true, node: ${JSON.stringify(node.url)}, indexPrefix: ism_test, ism: { enabled: true } }`;
      const configPath = join(dir, 'ism.yaml');
      await writeFile(configPath, `inputs: [{ paths: [x.log] }]\nplugins:\n${ismYaml}\n`);
      const setup = await runCli(['setup', 'opensearch', '--config', configPath]);
      expect(setup.code).toBe(1);
      expect(setup.stderr).toContain('[GAX_ERR_OS_ISM_MISSING]');
      expect(setup.stderr).toContain('Index State Management');
      // Nothing was installed: the check comes first.
      const templates = await fetch(`${node.url}/_index_template/ism_test_response`);
      expect(templates.status).toBe(404);
      const other = await mkdtemp(join(tmpdir(), 'gax-os-ism-'));
      try {
        const withIsm = new Daemon({
          config: testConfig(other, ismYaml),
          logger: silentLogger(),
          version: 'test',
        });
        const started = withIsm.start();
        await expect(started).rejects.toMatchObject({ code: 'GAX_ERR_PLUGIN_START' });
        await expect(started).rejects.toThrow(/GAX_ERR_OS_ISM_MISSING|Index State Management/);
        await withIsm.stop();
      } finally {
        await rm(other, { recursive: true, force: true });
      }
    }, 180_000);

    it('adds no document when restarted from an empty checkpoint: every resend is a 409, counted as a duplicate', async () => {
      await daemon.stop();
      await rm(join(dir, 'state'), { recursive: true, force: true });
      await runUntilDone();
      await expectConserved(node.url, 'apim_event_*', expected());
      const metrics = await (await fetch(`${daemon.url}/metrics`)).text();
      expect(
        sample(
          metrics,
          'gax_opensearch_documents_total{plugin="opensearch",outcome="duplicate",error_type="version_conflict_engine_exception"}',
        ),
      ).toBe(log.events.length);
      expect(await countDocs(node.url, 'apim_event_response*')).toBe(log.response);
      expect(await readFile(join(dir, 'state', 'dead-letter.ndjson'), 'utf8')).toContain(CONFLICT_ID);
    }, 180_000);
  });
  return () => node;
}

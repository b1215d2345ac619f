/**
 * Exactly once into data streams across a rollover, against real Elasticsearch 8 and 9 nodes.
 * A `create` answers 409 only within one backing index, so a resend that lands after a rollover
 * would write a second document with the same `_id` into the new write index. Each scenario
 * forces a rollover between a write and its resend and counts every document of the data
 * streams by `_id`: each event's document exists exactly once, in total and per `_id`.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ElasticsearchConfig } from '../../plugins/elasticsearch/config.js';
import { documentId } from '../../plugins/elasticsearch/mapping.js';
import { create as createElasticsearch } from '../../plugins/elasticsearch/plugin.js';
import { esDefaults } from '../../plugins/elasticsearch/setup/section.js';
import { Daemon } from '../../src/daemon.js';
import type { Plugin } from '../../src/plugin/contract.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { startCli } from '../helpers/cli.js';
import { sample, testConfig, waitFor } from '../helpers/daemon.js';
import { type EsMajor, type EsNode, startElasticsearch } from '../helpers/elasticsearch.js';
import { countDocs, es, type KnownLog, knownLog, writeLog } from '../helpers/es-scenario.js';
import { backingIndices, documents, expectExactlyOnce, liveLog, rollover } from '../helpers/es-streams.js';
import { type FaultProxy, startFaultProxy } from '../helpers/fault-proxy.js';

describe.each([
  8, 9,
] as const)('exactly once across a data stream rollover (Elasticsearch %i)', (major: EsMajor) => {
  let node: EsNode;
  let proxy: FaultProxy;
  let dir: string;
  let scenario = 0;

  beforeAll(async () => {
    node = await startElasticsearch({ major });
    proxy = await startFaultProxy(node.url);
  }, 300_000);

  afterAll(async () => {
    await proxy?.close();
    await node?.destroy();
  });

  afterEach(async () => {
    proxy.clear();
    await rm(dir, { recursive: true, force: true });
  });

  const esYaml = (prefix: string, timeoutMs: number, concurrency = 2): string =>
    `  elasticsearch: { enabled: true, node: ${JSON.stringify(proxy.url)}, indexPrefix: ${prefix}, indexMode: dataStream, requestTimeoutMs: ${timeoutMs}, concurrency: ${concurrency}, templates: { numberOfReplicas: 0 } }`;

  async function fresh(): Promise<string> {
    dir = await mkdtemp(join(tmpdir(), 'gax-es-rollover-'));
    scenario++;
    return `rollover${major}_${scenario}`;
  }

  it('timeout after the write: the pipeline resends after a rollover, and the second copy is deleted', async () => {
    const prefix = await fresh();
    const log = liveLog(600, 300 + major);
    let rolled: Promise<void> | undefined;
    const during = (): Promise<void> => {
      rolled = rollover(node.url, prefix);
      return rolled;
    };
    proxy.inject({ kind: 'delay', ms: 1500, during }, { times: 1 });
    await writeLog(dir, log.lines);
    // One batch in flight: the held one is the only bulk before the rollover.
    const base = testConfig(dir, esYaml(prefix, 1000, 1));
    const config = {
      ...base,
      pipeline: {
        ...base.pipeline,
        batchMaxEvents: 1000,
        retry: { ...base.pipeline.retry, initialIntervalMs: 50 },
      },
    };
    const daemon = new Daemon({ config, logger: silentLogger(), version: 'test' });
    await daemon.start();
    try {
      await waitFor(() => daemon.counts().elasticsearch?.delivered === log.events.length, 60_000, 'delivery');
      await rolled;
      expect(await backingIndices(node.url, `${prefix}_response`)).toHaveLength(2);
      // The held bulk may hold no faulty event: its data stream then came later, unrolled.
      const held = [];
      for (const stream of [`${prefix}_response`, `${prefix}_faulty`]) {
        const indices = await backingIndices(node.url, stream);
        if (indices.length === 2) held.push(await countDocs(node.url, indices[0] as string));
      }
      await expectExactlyOnce(node.url, prefix, log);
      // The held bulk's documents stay where they were first written; each resent copy, created
      // in the new write index, was found there and deleted.
      const metrics = await (await fetch(`${daemon.url}/metrics`)).text();
      const series = (name: string, stage: string): number =>
        sample(metrics, `${name}{plugin="elasticsearch",stage="${stage}"}`) ?? 0;
      const resent = (held[0] ?? 0) + (held[1] ?? 0);
      expect(resent).toBeGreaterThan(0);
      expect(series('gax_elasticsearch_rollover_duplicates_total', 'after_create')).toBe(resent);
      expect(series('gax_elasticsearch_rollover_duplicates_total', 'before_create')).toBe(0);
    } finally {
      await daemon.stop();
    }
  });

  it('SIGKILL after the write, before the checkpoint, then a rollover and a restart: nothing twice', async () => {
    const prefix = await fresh();
    const log = liveLog(1500, 310 + major);
    await writeLog(dir, log.lines);
    const configPath = join(dir, 'gax.yaml');
    await writeFile(
      configPath,
      [
        'inputs:',
        `  - paths: [${JSON.stringify(join(dir, 'logs', 'apim_metrics*.log'))}]`,
        '    pollIntervalMs: 20',
        `state: { dir: ${JSON.stringify(join(dir, 'state'))} }`,
        'server: { enabled: false }',
        'pipeline: { batchMaxEvents: 200, batchMaxWaitMs: 10, queueMaxBatches: 4, shutdownTimeoutMs: 2000, retry: { initialIntervalMs: 50, maxIntervalMs: 500 } }',
        'log: { level: warn, format: json }',
        'plugins:',
        '  file: { enabled: false }',
        esYaml(prefix, 60_000),
      ].join('\n'),
    );
    // Every bulk is applied by Elasticsearch, and its answer held: no checkpoint moves.
    proxy.inject({ kind: 'delay', ms: 120_000 });
    const first = startCli(['run', '--config', configPath]);
    try {
      await waitFor(
        async () => (await countDocs(node.url, `${prefix}_*`)) >= 100,
        60_000,
        'written, unacknowledged',
      );
      await new Promise((r) => setTimeout(r, 500)); // let a second bulk in flight be applied too
    } finally {
      first.child.kill('SIGKILL');
      await first.exited;
    }
    const written = await countDocs(node.url, `${prefix}_*`);
    expect(written).toBeLessThan(log.events.length);
    await rollover(node.url, prefix);
    proxy.clear();
    const second = startCli(['run', '--config', configPath]);
    try {
      await waitFor(
        async () => (await countDocs(node.url, `${prefix}_*`)) >= log.events.length,
        60_000,
        `${log.events.length} documents`,
      );
      await new Promise((r) => setTimeout(r, 1000)); // anything still arriving would be a duplicate
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
    expect(await backingIndices(node.url, `${prefix}_response`)).toHaveLength(2);
    await expectExactlyOnce(node.url, prefix, log);
  });

  describe('the plugin on its own', () => {
    const open: Plugin[] = [];
    afterAll(async () => {
      for (const p of open) await p.stop(Date.now() + 2000);
    });

    async function plugin(
      prefix: string,
      overrides: Partial<ElasticsearchConfig> = {},
      logger = silentLogger(),
    ) {
      const registry = new Registry();
      const config = esDefaults({ node: node.url });
      const settings = { id: 'elasticsearch', logger, registry, stateDir: dir };
      const p = createElasticsearch(
        {
          ...config,
          indexPrefix: prefix,
          indexMode: 'dataStream',
          templates: { ...config.templates, numberOfReplicas: 0 },
          ...overrides,
        },
        settings,
      );
      await p.start(new AbortController().signal);
      open.push(p);
      const metric = async (series: string) => sample(await registry.metrics(), series) ?? 0;
      return { p, metric };
    }

    const signal = new AbortController().signal;

    it('steady state: no lookup while events are newer than the write index (plus the margin)', async () => {
      const prefix = await fresh();
      const { p, metric } = await plugin(prefix, { clockSkewMs: 0 });
      const first = liveLog(200, 320 + major);
      expect((await p.send(first.events, signal)).every((r) => r.status === 'delivered')).toBe(true);
      await rollover(node.url, prefix);
      const later = knownLog(200, { seed: 321 + major, startTime: Date.now() + 60_000, eventsPerSecond: 20 });
      expect((await p.send(later.events, signal)).every((r) => r.status === 'delivered')).toBe(true);
      expect((await p.send(later.events, signal)).every((r) => r.status === 'delivered')).toBe(true);
      for (const stage of ['before_create', 'after_create', 'repair']) {
        expect(
          await metric(`gax_elasticsearch_rollover_probes_total{plugin="elasticsearch",stage="${stage}"}`),
        ).toBe(0);
      }
      await expectExactlyOnce(node.url, prefix, { ...later, events: [...first.events, ...later.events] });
    });

    it('repair: two copies left by an earlier run (one per backing index) become one', async () => {
      const prefix = await fresh();
      const log = liveLog(100, 330 + major);
      const body = (events: KnownLog['events']) =>
        events
          .map(
            (e) =>
              `${JSON.stringify({ create: { _index: `${prefix}_${e.eventType}`, _id: documentId(e) } })}\n${JSON.stringify({ '@timestamp': e.requestTimestamp, ...e })}\n`,
          )
          .join('');
      const first = await plugin(prefix);
      expect((await first.p.send(log.events.slice(0, 1), signal))[0]?.status).toBe('delivered');
      await fetch(`${node.url}/_bulk`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-ndjson' },
        body: body(log.events.slice(1)),
      });
      await rollover(node.url, prefix);
      await fetch(`${node.url}/_bulk`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-ndjson' },
        body: body(log.events.slice(1, 50)),
      });
      expect((await documents(node.url, prefix)).total).toBe(log.events.length + 49);
      // A restarted plugin (new layout cache) resends everything.
      const { p, metric } = await plugin(prefix);
      expect((await p.send(log.events, signal)).every((r) => r.status === 'delivered')).toBe(true);
      await expectExactlyOnce(node.url, prefix, log);
      const stage = (s: string) =>
        `gax_elasticsearch_rollover_duplicates_total{plugin="elasticsearch",stage="${s}"}`;
      expect(await metric(stage('before_create'))).toBe(log.events.length);
      expect(await metric(stage('repair'))).toBe(49);
    });

    it('a backing index deleted meanwhile (ILM delete): the lookup is retried with a fresh list', async () => {
      const prefix = await fresh();
      const log = liveLog(300, 350 + major);
      const response = log.events.filter((e) => e.eventType === 'response');
      const [old, later] = [response.slice(0, 50), response.slice(100, 150)];
      const { p } = await plugin(prefix);
      const delivered = async (events: typeof response) =>
        (await p.send(events, signal)).every((r) => r.status === 'delivered');
      expect(await delivered(response.slice(0, 100))).toBe(true);
      await rollover(node.url, prefix);
      expect(await delivered(later)).toBe(true); // the plugin now knows both backing indices
      const [first] = await backingIndices(node.url, `${prefix}_response`);
      await es(node.url, 'DELETE', `/${first}`);
      const again = await p.send(old, signal);
      expect(again.map((r) => r.status)).toEqual(old.map(() => 'retryable'));
      expect(await delivered(old)).toBe(true);
      await expectExactlyOnce(node.url, prefix, { ...log, events: [...later, ...old] });
    });

    it('index mode through a rollover alias set up by hand: said once (GAX_ERR_ES_ALIAS), it is not checked', async () => {
      const prefix = await fresh();
      await es(node.url, 'PUT', `/${prefix}_response-000001`, {
        aliases: { [`${prefix}_response`]: { is_write_index: true } },
      });
      const lines: string[] = [];
      const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(line) });
      const { p } = await plugin(prefix, { indexMode: 'index' }, logger);
      const log = liveLog(300, 340 + major);
      const response = log.events.filter((e) => e.eventType === 'response');
      expect((await p.send(response.slice(0, 100), signal)).every((r) => r.status === 'delivered')).toBe(
        true,
      );
      expect((await p.send(response.slice(100), signal)).every((r) => r.status === 'delivered')).toBe(true);
      const warned = lines.map((l) => JSON.parse(l) as { code?: string; writtenTo?: string });
      expect(warned.filter((l) => l.code === 'GAX_ERR_ES_ALIAS')).toEqual([
        expect.objectContaining({ writtenTo: `${prefix}_response-000001` }),
      ]);
    });
  });
});

/**
 * Exactly once into OpenSearch data streams across a rollover (`indexMode: dataStream`), against
 * a real OpenSearch 2.19 node: the rollover guard the Elasticsearch plugin uses
 * (src/search-index/rollover-guard.ts; elasticsearch-rollover.test.ts runs the same scenarios on
 * Elasticsearch). A `create` answers 409 only within one backing index, so a resend that lands
 * after a rollover would write a second document with the same `_id` into the new write index.
 * Data streams and `POST <stream>/_rollover` are core OpenSearch; ISM is not installed on the test
 * node, so each rollover is forced by hand between a write and its resend, and every document
 * of the data streams is counted by `_id`: each event's document exists exactly once.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { OpenSearchConfig } from '../../plugins/opensearch/config.js';
import { opensearchPlugin } from '../../plugins/opensearch/index.js';
import { create as createOpenSearch } from '../../plugins/opensearch/plugin.js';
import { Daemon } from '../../src/daemon.js';
import type { Plugin } from '../../src/plugin/contract.js';
import { defaultSection } from '../../src/plugin/default-section.js';
import { documentId } from '../../src/search-index/documents.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { sample, testConfig, waitFor } from '../helpers/daemon.js';
import { countDocs, es, type KnownLog, knownLog, writeLog } from '../helpers/es-scenario.js';
import { backingIndices, documents, expectExactlyOnce, liveLog, rollover } from '../helpers/es-streams.js';
import { type FaultProxy, startFaultProxy } from '../helpers/fault-proxy.js';
import { type OsNode, startOpenSearch } from '../helpers/opensearch.js';

describe('exactly once across a data stream rollover (OpenSearch 2.19)', () => {
  let node: OsNode;
  let proxy: FaultProxy;
  let dir: string;
  let scenario = 0;
  const open: Plugin[] = [];
  const signal = new AbortController().signal;

  beforeAll(async () => {
    node = await startOpenSearch({ major: 2 });
    proxy = await startFaultProxy(node.url);
  }, 300_000);

  afterAll(async () => {
    for (const p of open) await p.stop(Date.now() + 2000);
    await proxy?.close();
    await node?.destroy();
  });

  afterEach(async () => {
    proxy.clear();
    await rm(dir, { recursive: true, force: true });
  });

  async function fresh(): Promise<string> {
    dir = await mkdtemp(join(tmpdir(), 'gax-os-rollover-'));
    scenario++;
    return `osroll_${scenario}`;
  }

  /** A started plugin in dataStream mode on the node, with its registry's samples. */
  async function plugin(prefix: string, overrides: Partial<OpenSearchConfig> = {}) {
    const registry = new Registry();
    const base = defaultSection(opensearchPlugin);
    const config: OpenSearchConfig = {
      ...base,
      node: node.url,
      indexPrefix: prefix,
      indexMode: 'dataStream',
      templates: { ...base.templates, numberOfReplicas: 0 },
      ...overrides,
    };
    const p = createOpenSearch(config, { id: 'opensearch', logger: silentLogger(), registry, stateDir: dir });
    await p.start(signal);
    open.push(p);
    const metric = async (series: string) => sample(await registry.metrics(), series) ?? 0;
    return { p, metric };
  }

  /** The daemon on the fault proxy: one batch of up to 1,000 events in flight, a 1 s timeout. */
  function daemonConfig(prefix: string) {
    const section = {
      ...{ enabled: true, node: proxy.url, indexPrefix: prefix, indexMode: 'dataStream' },
      ...{ requestTimeoutMs: 1000, concurrency: 1, templates: { numberOfReplicas: 0 } },
    };
    const config = testConfig(dir, `  opensearch: ${JSON.stringify(section)}`);
    const retry = { ...config.pipeline.retry, initialIntervalMs: 50 };
    return { ...config, pipeline: { ...config.pipeline, batchMaxEvents: 1000, retry } };
  }

  /** Documents in the first backing index of each data stream that rolled over. */
  async function inFirstGeneration(prefix: string): Promise<number> {
    let sum = 0;
    for (const type of ['response', 'faulty']) {
      const [first, second] = await backingIndices(node.url, `${prefix}_${type}`);
      if (second !== undefined) sum += await countDocs(node.url, first as string);
    }
    return sum;
  }

  const stage = (name: string, s: string) =>
    `gax_opensearch_rollover_${name}_total{plugin="opensearch",stage="${s}"}`;
  const delivered = async (p: Plugin, events: KnownLog['events']) =>
    (await p.send(events, signal)).every((r) => r.status === 'delivered');

  it('creates the data streams from the templates; resends after a rollover leave one copy of each event', async () => {
    const prefix = await fresh();
    const log = liveLog(400, 401);
    const { p, metric } = await plugin(prefix);
    expect(await delivered(p, log.events)).toBe(true);
    const [first] = await backingIndices(node.url, `${prefix}_response`);
    expect(first).toMatch(new RegExp(`^\\.ds-${prefix}_response-0+1$`));
    await rollover(node.url, prefix);
    expect(await backingIndices(node.url, `${prefix}_response`)).toHaveLength(2);
    // The plugin still assumes the old write index: each copy created in the new one is found
    // in the old one after the create, and deleted.
    expect(await delivered(p, log.events)).toBe(true);
    expect(await metric(stage('duplicates', 'after_create'))).toBe(log.events.length);
    // Now it knows the new layout: the earlier copies are found before the create.
    expect(await delivered(p, log.events)).toBe(true);
    expect(await metric(stage('duplicates', 'before_create'))).toBe(log.events.length);
    await expectExactlyOnce(node.url, prefix, log);
    for (const type of ['response', 'faulty']) {
      const indices = await backingIndices(node.url, `${prefix}_${type}`);
      expect(await countDocs(node.url, indices[1] as string)).toBe(0);
    }
  });

  it('timeout after the write: the pipeline resends after a rollover, and the second copy is deleted', async () => {
    const prefix = await fresh();
    const log = liveLog(600, 402);
    // The first bulk is applied, and its answer held past the timeout while the streams roll over.
    let rolled = Promise.resolve();
    const during = () => {
      rolled = rollover(node.url, prefix);
      return rolled;
    };
    proxy.inject({ kind: 'delay', ms: 1500, during }, { times: 1 });
    await writeLog(dir, log.lines);
    const daemon = new Daemon({ config: daemonConfig(prefix), logger: silentLogger(), version: 'test' });
    await daemon.start();
    try {
      await waitFor(() => daemon.counts().opensearch?.delivered === log.events.length, 60_000, 'delivery');
      await rolled;
      expect(await backingIndices(node.url, `${prefix}_response`)).toHaveLength(2);
      const resent = await inFirstGeneration(prefix);
      expect(resent).toBeGreaterThan(0);
      await expectExactlyOnce(node.url, prefix, log);
      // The held bulk's documents stay where they were first written; each resent copy was deleted.
      const metrics = await (await fetch(`${daemon.url}/metrics`)).text();
      expect(sample(metrics, stage('duplicates', 'after_create'))).toBe(resent);
      expect(sample(metrics, stage('duplicates', 'before_create'))).toBe(0);
    } finally {
      await daemon.stop();
    }
  });

  it('steady state: no lookup while events are newer than the write index (plus the margin)', async () => {
    const prefix = await fresh();
    const { p, metric } = await plugin(prefix, { clockSkewMs: 0 });
    const first = liveLog(200, 403);
    expect(await delivered(p, first.events)).toBe(true);
    await rollover(node.url, prefix);
    const later = knownLog(200, { seed: 404, startTime: Date.now() + 60_000, eventsPerSecond: 20 });
    expect(await delivered(p, later.events)).toBe(true);
    expect(await delivered(p, later.events)).toBe(true);
    for (const s of ['before_create', 'after_create', 'repair'])
      expect(await metric(stage('probes', s))).toBe(0);
    await expectExactlyOnce(node.url, prefix, { ...later, events: [...first.events, ...later.events] });
  });

  it('repair: two copies left by an earlier run (one per backing index) become one', async () => {
    const prefix = await fresh();
    const log = liveLog(100, 405);
    const bulk = (events: KnownLog['events']) =>
      fetch(`${node.url}/_bulk`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-ndjson' },
        body: events
          .map(
            (e) =>
              `${JSON.stringify({ create: { _index: `${prefix}_${e.eventType}`, _id: documentId(e) } })}\n${JSON.stringify({ '@timestamp': e.requestTimestamp, ...e })}\n`,
          )
          .join(''),
      });
    const first = await plugin(prefix);
    expect(await delivered(first.p, log.events.slice(0, 1))).toBe(true);
    await bulk(log.events.slice(1));
    await rollover(node.url, prefix);
    await bulk(log.events.slice(1, 50));
    expect((await documents(node.url, prefix)).total).toBe(log.events.length + 49);
    const { p, metric } = await plugin(prefix); // a restart: a new layout cache, everything resent
    expect(await delivered(p, log.events)).toBe(true);
    await expectExactlyOnce(node.url, prefix, log);
    expect(await metric(stage('duplicates', 'before_create'))).toBe(log.events.length);
    expect(await metric(stage('duplicates', 'repair'))).toBe(49);
  });

  it('a backing index deleted meanwhile (ISM delete): the lookup is retried with a fresh list', async () => {
    const prefix = await fresh();
    const response = liveLog(300, 406).events.filter((e) => e.eventType === 'response');
    const [old, later] = [response.slice(0, 50), response.slice(100, 150)];
    const { p } = await plugin(prefix);
    expect(await delivered(p, response.slice(0, 100))).toBe(true);
    await es(node.url, 'POST', `/${prefix}_response/_rollover`);
    expect(await delivered(p, later)).toBe(true); // the plugin now knows both backing indices
    const [first] = await backingIndices(node.url, `${prefix}_response`);
    await es(node.url, 'DELETE', `/${first}`);
    expect((await p.send(old, signal)).map((r) => r.status)).toEqual(old.map(() => 'retryable'));
    expect(await delivered(p, old)).toBe(true);
    const { total, byId } = await documents(node.url, prefix);
    expect(total).toBe(later.length + old.length);
    expect(byId.size).toBe(total);
  });
});

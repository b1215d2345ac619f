/**
 * The same client (the v8 line of @elastic/elasticsearch) against a real Elasticsearch 9.x:
 * templates install, daily indices and data streams fill, and re-sent events are recognised as
 * duplicates there too.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ElasticsearchConfig } from '../../plugins/elasticsearch/config.js';
import { create as createElasticsearch } from '../../plugins/elasticsearch/plugin.js';
import { esDefaults } from '../../plugins/elasticsearch/setup/section.js';
import { Daemon } from '../../src/daemon.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { runCli } from '../helpers/cli.js';
import { testConfig, waitFor } from '../helpers/daemon.js';
import { type EsNode, startElasticsearch } from '../helpers/elasticsearch.js';
import { countDocs, es, knownLog, writeLog } from '../helpers/es-scenario.js';

let node: EsNode;
let dir: string;

beforeAll(async () => {
  node = await startElasticsearch({ major: 9 });
  dir = await mkdtemp(join(tmpdir(), 'gax-es9-'));
}, 300_000);

afterAll(async () => {
  await node?.destroy();
  await rm(dir, { recursive: true, force: true });
});

async function plugin(overrides: Partial<ElasticsearchConfig>) {
  const config = { ...esDefaults({ node: node.url }), ...overrides };
  const settings = { id: 'elasticsearch', logger: silentLogger(), registry: new Registry(), stateDir: dir };
  const instance = createElasticsearch(config, settings);
  await instance.start(new AbortController().signal);
  return instance;
}

describe('elasticsearch plugin against a real Elasticsearch 9', () => {
  it('runs against a 9.x node', () => {
    expect(node.version).toMatch(/^9\./);
  });

  it('indexes a log through the daemon with exact counts', async () => {
    const log = knownLog(1500, { seed: 9 });
    await writeLog(dir, log.lines);
    const config = testConfig(dir, `  elasticsearch: { enabled: true, node: ${JSON.stringify(node.url)} }`);
    const daemon = new Daemon({ config, logger: silentLogger(), version: 'test' });
    await daemon.start();
    try {
      await waitFor(() => daemon.counts().elasticsearch?.delivered === log.events.length, 60_000, 'delivery');
      expect(await countDocs(node.url, 'apim_event_response')).toBe(log.response);
      expect(await countDocs(node.url, 'apim_event_faulty')).toBe(log.faulty);
    } finally {
      await daemon.stop();
    }
  });

  it.each([
    'daily',
    'dataStream',
  ] as const)('writes %s indices and treats a re-sent batch as delivered duplicates', async (indexMode) => {
    const prefix = `es9_${indexMode.toLowerCase()}`;
    const p = await plugin({ indexMode, indexPrefix: prefix });
    const log = knownLog(300, { seed: 19, startTime: Date.UTC(2026, 0, 1, 23, 58), eventsPerSecond: 1 });
    try {
      const signal = new AbortController().signal;
      const first = await p.send(log.events, signal);
      expect(first.every((r) => r.status === 'delivered')).toBe(true);
      const again = await p.send(log.events, signal);
      expect(again.every((r) => r.status === 'delivered')).toBe(true);
      expect(await countDocs(node.url, `${prefix}_*`)).toBe(log.events.length);
    } finally {
      await p.stop(Date.now() + 2000);
    }
    const resolved = await es<{ indices: { name: string }[]; data_streams: { name: string }[] }>(
      node.url,
      'GET',
      `/_resolve/index/${prefix}_*`,
    );
    if (indexMode === 'daily') {
      expect(resolved.indices.map((i) => i.name).sort()).toEqual([
        `${prefix}_faulty-2026.01.01`,
        `${prefix}_faulty-2026.01.02`,
        `${prefix}_response-2026.01.01`,
        `${prefix}_response-2026.01.02`,
      ]);
    } else {
      expect(resolved.data_streams.map((s) => s.name).sort()).toEqual([
        `${prefix}_faulty`,
        `${prefix}_response`,
      ]);
    }
  });

  it('gax setup elasticsearch is idempotent on 9.x', async () => {
    const args = ['setup', 'elasticsearch', '--node', node.url, '--index-prefix', 'es9setup'];
    expect((await runCli(args)).stdout).toContain('4 created');
    expect((await runCli(args)).stdout).toContain('4 unchanged');
  });
});

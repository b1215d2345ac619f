/**
 * Failure scenarios of the Elasticsearch plugin against a real Elasticsearch 8.x, through a
 * fault-injecting loopback proxy: 429 storms, 503s, slow responses that time out, connections
 * closed mid-bulk, per-item 429s, the cluster stopped and restarted mid-run, and the daemon
 * SIGKILLed mid-bulk. Each asserts conservation: every event of the log is in its index exactly
 * once (no loss; no duplicate, thanks to the deterministic `_id`).
 */
import { readFileSync } from 'node:fs';
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Daemon } from '../../src/daemon.js';
import { parseLine } from '../../src/parsers/wso2-apim/parse.js';
import { createGenerator } from '../../src/parsers/wso2-apim/sim/generate.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { startCli } from '../helpers/cli.js';
import { sample, testConfig, waitFor } from '../helpers/daemon.js';
import { type EsNode, startElasticsearch } from '../helpers/elasticsearch.js';
import { countDocs, type KnownLog, knownLog, writeLog } from '../helpers/es-scenario.js';
import { type FaultProxy, startFaultProxy } from '../helpers/fault-proxy.js';

/** The RSS bound docs/operations.md promises for a backend outage at 5,000 lines/s (MiB). */
const RSS_BOUND_MIB = 250;

function readRssKib(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match === null ? undefined : Number(match[1]);
  } catch {
    return undefined; // exited
  }
}

async function lineCount(path: string): Promise<number> {
  const text = await readFile(path, 'utf8').catch(() => '');
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

let node: EsNode;
let proxy: FaultProxy;
let dir: string;
let daemon: Daemon | undefined;
let scenario = 0;

beforeAll(async () => {
  node = await startElasticsearch({ major: 8 });
  proxy = await startFaultProxy(node.url);
}, 300_000);

afterAll(async () => {
  await proxy?.close();
  await node?.destroy();
});

afterEach(async () => {
  proxy.clear();
  await daemon?.stop();
  daemon = undefined;
  await rm(dir, { recursive: true, force: true });
});

/** The YAML of a daemon writing to `prefix` through the proxy, with fast retries. */
function esSection(prefix: string, extra = ''): string {
  return `  elasticsearch: { enabled: true, node: ${JSON.stringify(proxy.url)}, indexPrefix: ${prefix}, requestTimeoutMs: 1000, templates: { numberOfReplicas: 0 }${extra} }`;
}

const PIPELINE =
  'pipeline: { batchMaxEvents: 200, batchMaxWaitMs: 10, queueMaxBatches: 4, shutdownTimeoutMs: 2000, retry: { initialIntervalMs: 50, maxIntervalMs: 500 } }';

async function startDaemon(prefix: string): Promise<Daemon> {
  const base = testConfig(dir, esSection(prefix));
  const { pipeline } = base;
  const config = {
    ...base,
    pipeline: {
      ...pipeline,
      batchMaxEvents: 200,
      queueMaxBatches: 4,
      retry: { ...pipeline.retry, initialIntervalMs: 50, maxIntervalMs: 500 },
    },
  };
  daemon = new Daemon({ config, logger: silentLogger(), version: 'test' });
  await daemon.start();
  return daemon;
}

async function expectExact(prefix: string, log: KnownLog, timeoutMs = 60_000): Promise<void> {
  await waitFor(
    async () => (await countDocs(node.url, `${prefix}_*`)) >= log.events.length,
    timeoutMs,
    `${log.events.length} documents in ${prefix}_*`,
  );
  await new Promise((r) => setTimeout(r, 300));
  expect(await countDocs(node.url, `${prefix}_response`)).toBe(log.response);
  expect(await countDocs(node.url, `${prefix}_faulty`)).toBe(log.faulty);
}

async function metric(series: string): Promise<number> {
  const text = await (await fetch(`${daemon?.url}/metrics`)).text();
  return sample(text, series) ?? 0;
}

async function newScenario(lines: number): Promise<{ prefix: string; log: KnownLog }> {
  dir = await mkdtemp(join(tmpdir(), 'gax-es-faults-'));
  scenario++;
  const log = knownLog(lines, { seed: 100 + scenario });
  return { prefix: `faults${scenario}`, log };
}

describe('elasticsearch failure scenarios', () => {
  it('es-429-storm: waits out 429s (honouring Retry-After) and indexes everything once', async () => {
    const { prefix, log } = await newScenario(2000);
    const before = proxy.stats.faulted;
    proxy.inject({ kind: 'status', status: 429, retryAfterSeconds: 1 }, { times: 4 });
    await writeLog(dir, log.lines);
    await startDaemon(prefix);
    await expectExact(prefix, log);
    expect(proxy.stats.faulted - before).toBe(4);
    expect(await metric('gax_elasticsearch_bulk_requests_total{plugin="elasticsearch",status="429"}')).toBe(
      4,
    );
  });

  it('es-503: retries a cluster that answers 503 and indexes everything once', async () => {
    const { prefix, log } = await newScenario(2000);
    proxy.inject({ kind: 'status', status: 503 }, { times: 5 });
    await writeLog(dir, log.lines);
    await startDaemon(prefix);
    await expectExact(prefix, log);
    expect(await metric('gax_events_retried_total{plugin="elasticsearch"}')).toBeGreaterThan(0);
  });

  it('es-slow: a bulk answered after the request timeout is resent, and its 409s count as delivered', async () => {
    const { prefix, log } = await newScenario(1500);
    proxy.inject({ kind: 'delay', ms: 1500 }, { times: 2 });
    await writeLog(dir, log.lines);
    await startDaemon(prefix);
    await expectExact(prefix, log);
    await waitFor(async () => (daemon?.counts().elasticsearch?.delivered ?? 0) === log.events.length, 10_000);
    expect(await metric('gax_elasticsearch_bulk_requests_total{plugin="elasticsearch",status="error"}')).toBe(
      2,
    );
  });

  it('es-reset-mid-bulk: connections closed before and after Elasticsearch applied a bulk lose and duplicate nothing', async () => {
    const { prefix, log } = await newScenario(2000);
    const before = proxy.stats.faulted;
    proxy.inject({ kind: 'reset-after' }, { times: 2 });
    const path = await writeLog(dir, log.lines.slice(0, 1000));
    await startDaemon(prefix);
    await waitFor(() => proxy.stats.faulted - before === 2, 20_000, 'two resets after the write');
    proxy.inject({ kind: 'reset-before' }, { times: 2 });
    await appendFile(path, `${log.lines.slice(1000).join('\n')}\n`);
    await waitFor(() => proxy.stats.faulted - before === 4, 20_000, 'two resets before the write');
    await expectExact(prefix, log);
    expect(
      await metric(
        'gax_elasticsearch_documents_total{plugin="elasticsearch",outcome="duplicate",error_type="version_conflict_engine_exception"}',
      ),
    ).toBeGreaterThan(0);
  });

  it('es-partial-429: resends only the items that failed with 429, never the ones indexed', async () => {
    const { prefix, log } = await newScenario(1000);
    proxy.inject({ kind: 'bulk-item-429', every: 3 }, { times: 3 });
    await writeLog(dir, log.lines);
    await startDaemon(prefix);
    await expectExact(prefix, log);
    const refused = await metric(
      'gax_elasticsearch_documents_total{plugin="elasticsearch",outcome="retryable",error_type="es_rejected_execution_exception"}',
    );
    expect(refused).toBeGreaterThan(50);
    expect(
      await metric(
        'gax_elasticsearch_documents_total{plugin="elasticsearch",outcome="duplicate",error_type="version_conflict_engine_exception"}',
      ),
    ).toBe(0);
    expect(
      await metric(
        'gax_elasticsearch_documents_total{plugin="elasticsearch",outcome="created",error_type="none"}',
      ),
    ).toBe(log.events.length);
  });

  it('es-down-then-up: a stopped cluster fills the queue and pauses reading, not readiness; after the restart every event is indexed once', async () => {
    const { prefix, log } = await newScenario(3000);
    const path = await writeLog(dir, log.lines.slice(0, 1000));
    const d = await startDaemon(prefix);
    await waitFor(async () => (await countDocs(node.url, `${prefix}_*`)) > 0, 30_000, 'first documents');
    await node.stop();
    let written = 1000;
    const writer = setInterval(() => {
      if (written >= log.lines.length) return;
      const next = log.lines.slice(written, written + 100);
      written += next.length;
      void appendFile(path, `${next.join('\n')}\n`);
    }, 50);
    try {
      await waitFor(() => written >= log.lines.length, 30_000, 'the writer to finish');
      await waitFor(
        async () => (await metric('gax_plugin_queue_batches{plugin="elasticsearch"}')) === 4,
        30_000,
        'the queue to fill (reading paused)',
      );
      expect(await metric('gax_plugin_up{plugin="elasticsearch"}')).toBe(0);
      expect((await fetch(`${d.url}/readyz`)).status).toBe(200);
    } finally {
      clearInterval(writer);
    }
    await node.start();
    await expectExact(prefix, log, 120_000);
    expect(await metric('gax_plugin_up{plugin="elasticsearch"}')).toBe(1);
  }, 240_000); // a node restart alone can take a minute on a loaded 2-core machine

  it('restart-mid-batch: a daemon SIGKILLed during a bulk request is restarted and nothing is lost or duplicated', async () => {
    const { prefix, log } = await newScenario(3000);
    await writeLog(dir, log.lines);
    const configPath = join(dir, 'gax.yaml');
    const config = [
      'inputs:',
      `  - paths: [${JSON.stringify(join(dir, 'logs', 'apim_metrics*.log'))}]`,
      '    pollIntervalMs: 20',
      `state: { dir: ${JSON.stringify(join(dir, 'state'))} }`,
      'server: { enabled: false }',
      PIPELINE,
      'log: { level: warn, format: json }',
      'plugins:',
      '  file: { enabled: false }',
      esSection(prefix),
    ].join('\n');
    await writeFile(configPath, config);
    proxy.inject({ kind: 'delay', ms: 400 }, { match: 'bulk' });
    const first = startCli(['run', '--config', configPath]);
    const bulks = proxy.stats.bulkRequests;
    await waitFor(() => proxy.stats.bulkRequests - bulks >= 3, 30_000, 'bulk requests in flight');
    first.child.kill('SIGKILL');
    await first.exited;
    expect(await countDocs(node.url, `${prefix}_*`)).toBeLessThan(log.events.length);
    proxy.clear();
    const second = startCli(['run', '--config', configPath]);
    try {
      await expectExact(prefix, log);
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
  });

  it('backpressure-5k: with Elasticsearch down for the whole run at 5,000 lines/s, RSS stays bounded, the file plugin keeps delivering, and afterwards every event is indexed once', async () => {
    const { prefix } = await newScenario(0);
    const seconds = 10;
    const rate = 5_000;
    await writeLog(dir, []);
    const logPath = join(dir, 'logs', 'apim_metrics.log');
    const out = join(dir, 'out', 'events.ndjson');
    const configPath = join(dir, 'gax.yaml');
    // Daemon defaults (batchMaxEvents 1000, queueMaxBatches 16) except faster retries, so the
    // catch-up after the outage does not wait out a 30 s backoff.
    await writeFile(
      configPath,
      [
        'inputs:',
        `  - paths: [${JSON.stringify(logPath)}]`,
        `state: { dir: ${JSON.stringify(join(dir, 'state'))} }`,
        'server: { host: 127.0.0.1, port: 0 }',
        'pipeline: { retry: { initialIntervalMs: 100, maxIntervalMs: 1000 } }',
        'log: { level: error, format: json }',
        'plugins:',
        `  file: { enabled: true, path: ${JSON.stringify(out)} }`,
        esSection(prefix),
      ].join('\n'),
    );
    proxy.inject({ kind: 'status', status: 503 }, { match: 'all' });
    const gax = startCli(['run', '--config', configPath]);
    const rss: number[] = [];
    const sampler = setInterval(() => {
      const kib = readRssKib(gax.child.pid);
      if (kib !== undefined) rss.push(kib / 1024);
    }, 250);
    const generator = createGenerator({ seed: 7, aiRatio: 0.1 });
    let expected = 0;
    let written = 0;
    try {
      // The writer: 50 lines every 10 ms, paced against the clock.
      const started = performance.now();
      while (written < rate * seconds) {
        const due = Math.min(rate * seconds, Math.floor(((performance.now() - started) / 1000) * rate));
        let chunk = '';
        for (; written < due; written++) {
          const line = generator.next();
          if (parseLine(line).kind === 'event') expected++;
          chunk += `${line}\n`;
        }
        if (chunk !== '') await appendFile(logPath, chunk);
        await new Promise((r) => setTimeout(r, 10));
      }
      // The other plugin kept delivering through the outage; Elasticsearch has nothing.
      await waitFor(
        async () => (await lineCount(out)) === expected,
        30_000,
        'the file plugin to have every event',
      );
      expect(await countDocs(node.url, `${prefix}_*`)).toBe(0);
      const during = Math.max(...rss);
      proxy.clear();
      await waitFor(
        async () => (await countDocs(node.url, `${prefix}_*`)) >= expected,
        180_000,
        `${expected} documents`,
      );
      await new Promise((r) => setTimeout(r, 500));
      expect(await countDocs(node.url, `${prefix}_*`)).toBe(expected);
      expect(await lineCount(out)).toBe(expected);
      // docs/operations.md, "Capacity planning": the bound this test holds the daemon to.
      expect(during).toBeLessThan(RSS_BOUND_MIB);
      process.stderr.write(
        `[backpressure-5k] ${written} lines at ${rate}/s, ES down: max RSS ${during.toFixed(0)} MiB (${rss.length} samples); ${expected} events indexed once after recovery\n`,
      );
    } finally {
      clearInterval(sampler);
      gax.child.kill('SIGTERM');
      await gax.exited;
    }
  }, 300_000);

  it('shared-reader: Elasticsearch down for a minute; the others deliver from the shared reader, Elasticsearch reads alone, catches up and rejoins; every line once per plugin', async () => {
    const { prefix, log } = await newScenario(7000);
    const out = join(dir, 'out', 'events.ndjson');
    const path = await writeLog(dir, log.lines.slice(0, 1000));
    await startDaemon(prefix);
    await waitFor(
      async () => (await countDocs(node.url, `${prefix}_*`)) >= 1000,
      30_000,
      'first 1,000 documents',
    );
    expect(await metric('gax_input_own_readers{plugin="elasticsearch"}')).toBe(0);

    // Down for a minute (every request answered 503) while a writer appends 100 lines/s.
    proxy.inject({ kind: 'status', status: 503 }, { match: 'all' });
    let written = 1000;
    const writer = setInterval(() => {
      const next = log.lines.slice(written, Math.min(written + 10, 7000 - 500));
      written += next.length;
      if (next.length > 0) void appendFile(path, `${next.join('\n')}\n`);
    }, 100);
    try {
      await new Promise((r) => setTimeout(r, 60_000));
    } finally {
      clearInterval(writer);
    }
    expect(written).toBe(6500);
    // The other plugins kept up with every line; Elasticsearch left the shared reader.
    const eventsIn = (n: number) => log.lines.slice(0, n).filter((l) => parseLine(l).kind === 'event').length;
    await waitFor(
      async () => (await lineCount(out)) === eventsIn(written),
      30_000,
      'the file plugin to have every event',
    );
    expect(await metric('gax_lines_read_total{plugin="file"}')).toBe(written);
    expect(await metric('gax_lines_read_total{plugin="prometheus"}')).toBe(written);
    expect(await metric('gax_input_own_readers{plugin="elasticsearch"}')).toBe(1);
    expect(await metric('gax_input_detaches_total{plugin="elasticsearch"}')).toBe(1);
    expect(await metric('gax_lines_read_total{plugin="elasticsearch"}')).toBeLessThan(written);

    // Back up: it catches up on its own reader, then rejoins.
    proxy.clear();
    await waitFor(
      async () => (await metric('gax_input_own_readers{plugin="elasticsearch"}')) === 0,
      120_000,
      'elasticsearch to rejoin the shared reader',
    );
    // Lines appended after the rejoin reach every plugin from the shared reader.
    await appendFile(path, `${log.lines.slice(6500).join('\n')}\n`);
    await expectExact(prefix, log, 120_000);
    await waitFor(
      async () => (await lineCount(out)) === log.events.length,
      30_000,
      'the file plugin to have all',
    );
    for (const plugin of ['file', 'prometheus', 'elasticsearch']) {
      // Every line handed to each plugin exactly once: no gap and no duplicate at the rejoin.
      expect(await metric(`gax_lines_read_total{plugin="${plugin}"}`)).toBe(7000);
      await waitFor(
        async () => (await metric(`gax_events_delivered_total{plugin="${plugin}"}`)) >= log.events.length,
        30_000,
        `${plugin} to count every event delivered`,
      );
      expect(await metric(`gax_events_delivered_total{plugin="${plugin}"}`)).toBe(log.events.length);
    }
    expect(await metric('gax_input_detaches_total{plugin="elasticsearch"}')).toBe(1);
    expect(await metric('gax_input_detaches_total{plugin="file"}')).toBe(0);
  }, 300_000);
});

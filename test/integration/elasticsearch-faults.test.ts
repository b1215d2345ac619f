/**
 * Failure scenarios of the Elasticsearch plugin against a real Elasticsearch 8.x, through a
 * fault-injecting loopback proxy: 429 storms, 503s, slow responses that time out, connections
 * closed mid-bulk, per-item 429s, the cluster stopped and restarted mid-run, and the daemon
 * SIGKILLed mid-bulk (the scenarios shared with OpenSearch: test/helpers/search-fault-scenarios.ts),
 * plus a long outage at 5,000 lines/s and a minute-long one with the shared reader. Each asserts
 * conservation: every event of the log is in its index exactly once (no loss; no duplicate, thanks
 * to the deterministic `_id`) and nothing is dead-lettered.
 */
import { readFileSync } from 'node:fs';
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseLine } from '../../src/parsers/wso2-apim/parse.js';
import { createGenerator } from '../../src/parsers/wso2-apim/sim/generate.js';
import { startCli } from '../helpers/cli.js';
import { waitFor } from '../helpers/daemon.js';
import { startElasticsearch } from '../helpers/elasticsearch.js';
import * as faults from '../helpers/search-fault-scenarios.js';
import { useFaultRig } from '../helpers/search-faults.js';
import { writeLog } from '../helpers/search-scenario.js';

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

const rig = useFaultRig(() => startElasticsearch({ major: 8 }), {
  plugin: 'elasticsearch',
  metrics: 'gax_elasticsearch',
  indexOf: (prefix, e) => `${prefix}_${e.eventType}`,
});

const metric = (series: string) => rig().metric(series);

describe('elasticsearch failure scenarios', () => {
  it('es-429-storm: waits out 429s (honouring Retry-After) and indexes everything once', async () => {
    await faults.storm429(rig(), await rig().newScenario(2000));
  });

  it('es-503: retries a cluster that answers 503 and indexes everything once', async () => {
    await faults.status5xx(rig(), await rig().newScenario(2000));
  });

  it('es-slow: a bulk answered after the request timeout is resent, and its 409s count as delivered', async () => {
    await faults.slowResponses(rig(), await rig().newScenario(1500));
  });

  it('es-reset-mid-bulk: connections closed before and after Elasticsearch applied a bulk lose and duplicate nothing', async () => {
    await faults.resetMidBulk(rig(), await rig().newScenario(2000));
  });

  it('es-partial-429: resends only the items that failed with 429, never the ones indexed', async () => {
    await faults.partial429(rig(), await rig().newScenario(1000), 50);
  });

  it('es-down-then-up: a stopped cluster fills the queue and pauses reading, not readiness; after the restart every event is indexed once', async () => {
    await faults.downThenUp(rig(), await rig().newScenario(3000), 1000);
  }, 240_000); // a node restart alone can take a minute on a loaded 2-core machine

  it('restart-mid-batch: a daemon SIGKILLed during a bulk request is restarted and nothing is lost or duplicated', async () => {
    await faults.killMidBulk(rig(), await rig().newScenario(3000));
  });

  it('backpressure-5k: with Elasticsearch down for the whole run at 5,000 lines/s, RSS stays bounded, the file plugin keeps delivering, and afterwards every event is indexed once', async () => {
    const { dir, prefix } = await rig().newScenario(0);
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
        rig().section(prefix),
      ].join('\n'),
    );
    rig().proxy.inject({ kind: 'status', status: 503 }, { match: 'all' });
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
      expect(await rig().count(prefix)).toBe(0);
      const during = Math.max(...rss);
      rig().proxy.clear();
      await waitFor(async () => (await rig().count(prefix)) >= expected, 180_000, `${expected} documents`);
      await new Promise((r) => setTimeout(r, 500));
      expect(await rig().count(prefix)).toBe(expected);
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
    const scenario = await rig().newScenario(7000);
    const { dir, prefix, log } = scenario;
    const out = join(dir, 'out', 'events.ndjson');
    const path = await writeLog(dir, log.lines.slice(0, 1000));
    await rig().startDaemon(scenario);
    await waitFor(async () => (await rig().count(prefix)) >= 1000, 30_000, 'first 1,000 documents');
    expect(await metric('gax_input_own_readers{plugin="elasticsearch"}')).toBe(0);

    // Down for a minute (every request answered 503) while a writer appends 100 lines/s.
    rig().proxy.inject({ kind: 'status', status: 503 }, { match: 'all' });
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
    rig().proxy.clear();
    await waitFor(
      async () => (await metric('gax_input_own_readers{plugin="elasticsearch"}')) === 0,
      120_000,
      'elasticsearch to rejoin the shared reader',
    );
    // Lines appended after the rejoin reach every plugin from the shared reader.
    await appendFile(path, `${log.lines.slice(6500).join('\n')}\n`);
    await rig().expectExact(scenario, 120_000);
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

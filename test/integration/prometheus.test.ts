import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Daemon } from '../../src/daemon.js';
import { parseLine } from '../../src/parsers/wso2-apim/parse.js';
import { createGenerator } from '../../src/parsers/wso2-apim/sim/generate.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { dashboardExpressions } from '../dashboards/grafana-expressions.js';
import { sample, testConfig, waitFor } from '../helpers/daemon.js';
import { ensurePrometheus, type RunningPrometheus, startPrometheus } from '../helpers/prometheus.js';

/** The Prometheus plugin against a real Prometheus server scraping the daemon on loopback. */

const LINES = 3000;
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

let dir: string;
let daemon: Daemon;
let prometheus: RunningPrometheus;
const expected = { events: 0, faulty: 0, latencies: [] as number[] };

beforeAll(async () => {
  await ensurePrometheus();
  dir = await mkdtemp(join(tmpdir(), 'gax-prom-it-'));
  await mkdir(join(dir, 'logs'));
  const generator = createGenerator({ seed: 11, startTime: Date.now() - 60_000, eventsPerSecond: 100 });
  const lines: string[] = [];
  for (let i = 0; i < LINES; i++) {
    const line = generator.next();
    lines.push(line);
    const result = parseLine(line);
    if (result.kind !== 'event') continue;
    expected.events++;
    if (result.event.eventType === 'faulty') expected.faulty++;
    if (result.event.responseLatency !== undefined)
      expected.latencies.push(result.event.responseLatency / 1000);
  }
  await writeFile(join(dir, 'logs', 'apim_metrics.log'), `${lines.join('\n')}\n`);
  const config = testConfig(dir);
  const prometheusSection = { ...config.plugins.prometheus, maxEventAge: '5m' };
  daemon = new Daemon({
    config: { ...config, plugins: { ...config.plugins, prometheus: prometheusSection } },
    logger: silentLogger(),
    version: 'test',
  });
  await daemon.start();
  const url = daemon.url as string;
  await waitFor(
    async () => {
      const text = await (await fetch(`${url}/metrics`)).text();
      return sample(text, 'gax_events_delivered_total{plugin="prometheus"}') === expected.events;
    },
    20_000,
    'the daemon to count every event',
  );
  prometheus = await startPrometheus(new URL(url).host);
}, 600_000);

afterAll(async () => {
  await prometheus?.stop();
  await daemon?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function scalar(expr: string): Promise<number> {
  let value = Number.NaN;
  await waitFor(
    async () => {
      const answer = await prometheus.query(expr);
      const first = answer.data?.result[0];
      if (answer.status !== 'success' || first === undefined) return false;
      value = Number(first.value[1]);
      return true;
    },
    30_000,
    `a result for ${expr}`,
  );
  return value;
}

describe('real Prometheus scraping the daemon', () => {
  it('sees the target up with no scrape error', async () => {
    expect(await scalar('up{job="gax"}')).toBe(1);
    const targets = (await (await fetch(`${prometheus.url}/api/v1/targets`)).json()) as {
      data: { activeTargets: { health: string; lastError: string }[] };
    };
    expect(targets.data.activeTargets).toEqual([expect.objectContaining({ health: 'up', lastError: '' })]);
  });

  it('counts exactly the response and faulty events of the log in apim_requests_total', async () => {
    expect(await scalar('sum(apim_requests_total)')).toBe(expected.events);
    expect(await scalar('sum(apim_requests_total{event_type="faulty"})')).toBe(expected.faulty);
    expect(await scalar('sum(apim_errors_total)')).toBe(expected.faulty);
  });

  it('answers a latency median inside the bucket that holds the true median', async () => {
    const sorted = [...expected.latencies].sort((a, b) => a - b);
    const median = sorted[Math.floor((sorted.length - 1) / 2)] as number;
    const upper = LATENCY_BUCKETS.find((b) => median <= b) as number;
    const lower = [0, ...LATENCY_BUCKETS][LATENCY_BUCKETS.indexOf(upper)] as number;
    const answer = await scalar(
      'histogram_quantile(0.5, sum by (le) (apim_request_duration_seconds_bucket))',
    );
    expect(answer).toBeGreaterThanOrEqual(lower);
    expect(answer).toBeLessThanOrEqual(upper);
  });

  it('serves an exposition promtool accepts without lint warnings', async () => {
    const text = await (await fetch(`${daemon.url}/metrics`)).text();
    const output = execFileSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(output.trim()).toBe('');
  });

  it('parses and answers every query of the bundled Grafana dashboard', async () => {
    const failures: string[] = [];
    for (const expr of dashboardExpressions({ job: 'gax' })) {
      const answer = await prometheus.query(expr);
      if (answer.status !== 'success') failures.push(`${expr}: ${answer.error ?? 'failed'}`);
    }
    expect(failures).toEqual([]);
  });
});

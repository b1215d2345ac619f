/**
 * The Datadog plugin end to end: a generated log of known content → daemon → a loopback receiver
 * that validates every request against Datadog's spec. Counts are read the way Datadog stores
 * them (last write wins per series and second, then summed), distributions must hold every
 * latency exactly once, and 429s (with rate-limit headers), 500s, timeouts and resets lose and
 * double-count nothing.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Daemon } from '../../src/daemon.js';
import type { CanonicalEvent } from '../../src/schema/event.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { readNdjson, sample, testConfig, waitFor } from '../helpers/daemon.js';
import { type DatadogReceiver, startDatadogReceiver } from '../helpers/datadog-receiver.js';
import { datadogValidator } from '../helpers/datadog-spec.js';
import { knownLog, writeLog } from '../helpers/es-scenario.js';

const API_KEY = 'test-api-key';
let receiver: DatadogReceiver;
let dir: string;
let daemon: Daemon | undefined;

beforeAll(async () => {
  datadogValidator('DistributionPointsPayload')({});
  receiver = await startDatadogReceiver({ apiKey: API_KEY });
});
afterAll(async () => {
  await receiver?.close();
});
afterEach(async () => {
  receiver.clear();
  receiver.reset();
  await daemon?.stop();
  daemon = undefined;
  await rm(dir, { recursive: true, force: true });
});

interface Series {
  metric: string;
  tags?: string[];
  points: { timestamp: number; value: number }[];
}
interface DistSeries {
  metric: string;
  tags?: string[];
  points: [number, number[]][];
}

/** Count totals as Datadog keeps them: the last value per (metric, tags, second), summed per tag set. */
function countsAsStored(metric: string): Map<string, number> {
  const last = new Map<string, number>();
  for (const r of receiver.requests) {
    if (r.path !== '/api/v2/series' || r.status !== 202) continue;
    for (const s of (r.body as { series: Series[] }).series) {
      if (s.metric !== metric) continue;
      for (const p of s.points) last.set(`${(s.tags ?? []).join(',')}@${p.timestamp}`, p.value);
    }
  }
  const sums = new Map<string, number>();
  for (const [key, value] of last) {
    const tags = key.slice(0, key.lastIndexOf('@'));
    sums.set(tags, (sums.get(tags) ?? 0) + value);
  }
  return sums;
}

/** Every distribution value accepted for `metric`, sorted. */
function valuesAccepted(metric: string): number[] {
  const values: number[] = [];
  for (const r of receiver.requests) {
    if (r.path !== '/api/v1/distribution_points' || r.status !== 202) continue;
    for (const s of (r.body as { series: DistSeries[] }).series) {
      if (s.metric !== metric) continue;
      for (const [, vs] of s.points) values.push(...vs);
    }
  }
  return values.sort((a, b) => a - b);
}

function expectedRequests(events: readonly CanonicalEvent[]): Map<string, number> {
  const sums = new Map<string, number>();
  for (const e of events) {
    const tags = [
      `api:${e.apiName}`,
      `api_version:${e.apiVersion}`,
      `method:${e.apiMethod ?? 'none'}`,
      `resource:${e.apiResourceTemplate ?? 'none'}`,
      `status_code:${e.proxyResponseCode}`,
      `event_type:${e.eventType}`,
      'env:test',
    ]
      .map((t) => t.replace(/[^\p{L}\p{N}_\-:./]/gu, '_'))
      .join(',');
    sums.set(tags, (sums.get(tags) ?? 0) + 1);
  }
  return sums;
}

async function run(lines: number, extra = ''): Promise<{ events: CanonicalEvent[]; daemon: Daemon }> {
  dir = await mkdtemp(join(tmpdir(), 'gax-dd-'));
  const log = knownLog(lines, {
    seed: 21,
    startTime: Date.now() - 10 * 60_000,
    eventsPerSecond: lines / 300,
    variants: false,
  });
  await writeLog(dir, log.lines);
  const base = testConfig(
    dir,
    `  datadog: { enabled: true, ${extra.includes('apiKeyFile') ? '' : `apiKey: ${API_KEY}, `}url: ${JSON.stringify(receiver.url)}, env: test, flushIntervalSeconds: 1, requestTimeoutMs: 1000${extra} }`,
  );
  const config = {
    ...base,
    pipeline: {
      ...base.pipeline,
      retry: { ...base.pipeline.retry, initialIntervalMs: 50, maxIntervalMs: 500 },
    },
  };
  daemon = new Daemon({ config, logger: silentLogger(), version: 'test' });
  await daemon.start();
  const d = daemon;
  await waitFor(
    () => {
      const c = d.counts().datadog;
      return c !== undefined && c.delivered + c.deadLettered === log.events.length;
    },
    60_000,
    'every event delivered to Datadog or dead-lettered',
  );
  return { events: log.events, daemon: d };
}

function latencies(events: readonly CanonicalEvent[]): number[] {
  return events
    .map((e) => e.responseLatency)
    .filter((v): v is number => v !== undefined)
    .sort((a, b) => a - b);
}

describe('datadog plugin against a spec-validating receiver', () => {
  it('sends counts whose stored totals equal the file per tag set, and every latency exactly once', async () => {
    const { events } = await run(3000);
    const problems = receiver.requests.flatMap((r) => r.problems.map((p) => `${r.path}: ${p}`));
    expect(problems).toEqual([]);
    expect(receiver.requests.every((r) => r.headers['dd-api-key'] === API_KEY)).toBe(true);
    expect(receiver.requests.some((r) => r.headers['content-encoding'] === 'gzip')).toBe(true);
    expect(countsAsStored('apim.requests')).toEqual(expectedRequests(events));
    expect(valuesAccepted('apim.latency.response')).toEqual(latencies(events));
    const faulty = events.filter((e) => e.eventType === 'faulty').length;
    const errors = [...countsAsStored('apim.errors').values()].reduce((a, b) => a + b, 0);
    expect(errors).toBe(faulty);
  });

  it('sends what waits for the next flush at once when the daemon stops', async () => {
    dir = await mkdtemp(join(tmpdir(), 'gax-dd-'));
    const log = knownLog(500, {
      seed: 22,
      startTime: Date.now() - 5 * 60_000,
      eventsPerSecond: 2,
      variants: false,
    });
    await writeLog(dir, log.lines);
    const config = testConfig(
      dir,
      `  datadog: { enabled: true, apiKey: ${API_KEY}, url: ${JSON.stringify(receiver.url)}, env: test, flushIntervalSeconds: 60 }`,
    );
    daemon = new Daemon({ config, logger: silentLogger(), version: 'test' });
    await daemon.start();
    const d = daemon;
    await waitFor(async () => (await readNdjson(join(dir, 'out', 'events.ndjson'))).length === 500, 10_000);
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.requests).toHaveLength(0); // nothing flushed yet: the interval is a minute
    const stopping = Date.now();
    await d.stop();
    daemon = undefined;
    expect(Date.now() - stopping).toBeLessThan(5_000);
    expect(d.counts().datadog).toEqual({ delivered: 500, deadLettered: 0, aborted: 0 });
    expect(countsAsStored('apim.requests')).toEqual(expectedRequests(log.events));
  });

  it('waits out 429s with rate-limit headers, 500s, timeouts and resets, losing and double-counting nothing', async () => {
    receiver.inject(
      {
        kind: 'status',
        status: 429,
        headers: {
          'X-RateLimit-Limit': '100',
          'X-RateLimit-Period': '10',
          'X-RateLimit-Remaining': '0',
          'X-RateLimit-Reset': '1',
        },
      },
      { times: 2 },
    );
    receiver.inject({ kind: 'status', status: 500 }, { times: 2 });
    receiver.inject({ kind: 'reset' }, { times: 2, path: '/api/v2/series' });
    receiver.inject({ kind: 'delay', ms: 1500 }, { times: 1, path: '/api/v2/series' });
    const { events, daemon: d } = await run(2000);
    expect(countsAsStored('apim.requests')).toEqual(expectedRequests(events));
    expect(valuesAccepted('apim.latency.response')).toEqual(latencies(events));
    const metrics = await (await fetch(`${d.url}/metrics`)).text();
    expect(
      sample(metrics, 'gax_datadog_requests_total{plugin="datadog",endpoint="series",status="429"}'),
    ).toBe(2);
    expect(sample(metrics, 'gax_events_retried_total{plugin="datadog"}')).toBeGreaterThan(0);
  });

  it('sends every event once as a log with the event time, source, service and tags (key from a file)', async () => {
    const keyFile = join(tmpdir(), `gax-dd-key-${process.pid}`);
    await writeFile(keyFile, `${API_KEY}\n`);
    try {
      const { events } = await run(
        500,
        `, apiKeyFile: ${JSON.stringify(keyFile)}, service: gw, logs: { enabled: true, source: wso2 }`,
      );
      const logs = receiver.requests
        .filter((r) => r.path === '/api/v2/logs' && r.status === 202)
        .flatMap(
          (r) =>
            r.body as {
              message: string;
              ddsource: string;
              service: string;
              ddtags: string;
              timestamp: number;
            }[],
        );
      expect(receiver.requests.filter((r) => r.path === '/api/v2/logs').flatMap((r) => r.problems)).toEqual(
        [],
      );
      expect(logs.map((l) => (JSON.parse(l.message) as CanonicalEvent).correlationId).sort()).toEqual(
        events.map((e) => e.correlationId).sort(),
      );
      const first = logs[0];
      const event = events.find(
        (e) => e.correlationId === (JSON.parse(first?.message ?? '{}') as CanonicalEvent).correlationId,
      );
      expect(first).toMatchObject({ ddsource: 'wso2', service: 'gw', ddtags: 'env:test,service:gw' });
      expect(first?.timestamp).toBe(Date.parse(event?.requestTimestamp ?? ''));
    } finally {
      await rm(keyFile, { force: true });
    }
  });

  it('dead-letters a payload Datadog refuses with its message', async () => {
    receiver.inject(
      { kind: 'status', status: 400, body: { errors: ['Invalid metric name'] } },
      { times: 1, path: '/api/v2/series' },
    );
    const { daemon: d } = await run(200);
    const metrics = await (await fetch(`${d.url}/metrics`)).text();
    expect(
      sample(metrics, 'gax_events_dead_lettered_total{plugin="datadog",kind="rejected"}'),
    ).toBeGreaterThan(0);
  });
});

/**
 * The OTLP plugin end to end: generated WSO2 lines → the gax daemon → a REAL OpenTelemetry
 * Collector (test/helpers/otelcol.ts: built from the Go module proxy, otlp receiver on loopback →
 * file exporter) → its files, read back. Every event arrives exactly as counted: one log record
 * per event (duplicates only within what a retry could re-send, none left after deduplicating on
 * `log.record.uid`), cumulative totals equal to the counts, including while the Collector is
 * killed, stopped and restarted mid-run and across a gax restart (a new start_time).
 */
import { appendFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LOGS_PER_REQUEST } from '../../plugins/otlp/plugin.js';
import type { Config } from '../../src/config/schema.js';
import { Daemon } from '../../src/daemon.js';
import type { CanonicalEvent } from '../../src/schema/event.js';
import { silentLogger } from '../../src/telemetry/logger.js';
import { sample, testConfig, waitFor } from '../helpers/daemon.js';
import { knownLog, writeLog } from '../helpers/es-scenario.js';
import {
  type Collector,
  OTELCOL_SETUP_TIMEOUT_MS,
  type OtlpDataPoint,
  type OtlpLogRecord,
  startOtelcol,
} from '../helpers/otelcol.js';

let collector: Collector;
let dir: string;
let daemon: Daemon | undefined;

beforeAll(async () => {
  collector = await startOtelcol({ stopGraceMs: 5000 });
}, OTELCOL_SETUP_TIMEOUT_MS);
afterAll(async () => {
  await collector?.destroy();
});
afterEach(async () => {
  await daemon?.stop();
  daemon = undefined;
  if (collector.pid === undefined) await collector.start();
  await rm(dir, { recursive: true, force: true });
});

/** A daemon config sending to the collector, its records told apart by `gax.test.run`. */
function otlpConfig(run: string, otlp: string): Config {
  const base = testConfig(
    dir,
    `  otlp: { enabled: true, endpoint: ${JSON.stringify(collector.endpoint)}, exportIntervalMs: 200, requestTimeoutMs: 3000, resource: { gax.test.run: ${run} }, ${otlp} }`,
  );
  return {
    ...base,
    pipeline: {
      ...base.pipeline,
      retry: { ...base.pipeline.retry, initialIntervalMs: 50, maxIntervalMs: 400 },
    },
  };
}

async function startDaemon(config: Config): Promise<Daemon> {
  daemon = new Daemon({ config, logger: silentLogger(), version: 'test' });
  await daemon.start();
  return daemon;
}

async function delivered(d: Daemon, count: number, timeoutMs = 60_000): Promise<void> {
  await waitFor(
    () => {
      const c = d.counts().otlp;
      return c !== undefined && c.delivered + c.deadLettered >= count;
    },
    timeoutMs,
    `${count} events delivered to the collector`,
  );
  expect(d.counts().otlp?.deadLettered).toBe(0);
}

const ofRun = <T extends { resource: Record<string, unknown> }>(all: T[], run: string): T[] =>
  all.filter((r) => r.resource['gax.test.run'] === run);
const uid = (r: OtlpLogRecord): string => String(r.attributes['log.record.uid']);

/**
 * The last point of every cumulative series (metric, attributes, start_time): what a backend
 * keeps. Series of different start times (gax restarts) are separate resets and add up.
 */
function finalPoints(points: OtlpDataPoint[], name: string): OtlpDataPoint[] {
  const last = new Map<string, OtlpDataPoint>();
  for (const p of points) {
    if (p.name !== name) continue;
    const key = `${JSON.stringify(p.attributes)}@${p.startTimeUnixNano}`;
    const seen = last.get(key);
    if (seen === undefined || BigInt(p.timeUnixNano) >= BigInt(seen.timeUnixNano)) last.set(key, p);
  }
  return [...last.values()];
}

/** A counter's value or a histogram's count (or sum), summed over `points`. */
function total(points: OtlpDataPoint[], of: 'value' | 'sum' = 'value'): number {
  let n = 0;
  for (const p of points) {
    if (p.type === 'sum' || p.type === 'gauge') n += p.value;
    else n += of === 'sum' ? (p.sum ?? 0) : p.count;
  }
  return n;
}

/** What the metrics must add up to, counted from the events the way the plugin counts them. */
function expected(events: readonly CanonicalEvent[]) {
  const byStatus = new Map<number, number>();
  for (const e of events)
    byStatus.set(e.proxyResponseCode ?? -1, (byStatus.get(e.proxyResponseCode ?? -1) ?? 0) + 1);
  return {
    requests: events.length,
    byStatus,
    faulty: events.filter((e) => e.eventType === 'faulty').length,
    latencies: events.filter((e) => typeof e.responseLatency === 'number').length,
    inputTokens: events.reduce((s, e) => s + (e.properties?.aiTokenUsage?.promptTokens ?? 0), 0),
    outputTokens: events.reduce((s, e) => s + (e.properties?.aiTokenUsage?.completionTokens ?? 0), 0),
  };
}

/** Asserts the collector's final cumulative metrics of `run` against the events. */
async function expectTotals(run: string, events: readonly CanonicalEvent[]): Promise<void> {
  const want = expected(events);
  const points = await collector.waitForMetrics(
    (all) => total(finalPoints(ofRun(all, run), 'apim.requests')) >= want.requests,
    20_000,
  );
  const mine = ofRun(points, run);
  const requests = finalPoints(mine, 'apim.requests');
  expect(total(requests)).toBe(want.requests);
  const byStatus = new Map<number, number>();
  for (const p of requests) {
    const status = Number(p.attributes['http.response.status_code'] ?? -1);
    byStatus.set(status, (byStatus.get(status) ?? 0) + total([p]));
  }
  expect(byStatus).toEqual(want.byStatus);
  expect(total(finalPoints(mine, 'apim.errors'))).toBe(want.faulty);
  expect(total(finalPoints(mine, 'http.server.request.duration'))).toBe(want.latencies);
  const tokens = finalPoints(mine, 'gen_ai.client.token.usage');
  const ofType = (t: string) =>
    total(
      tokens.filter((p) => p.attributes['gen_ai.token.type'] === t),
      'sum',
    );
  expect(ofType('input')).toBe(want.inputTokens);
  expect(ofType('output')).toBe(want.outputTokens);
  expect(want.inputTokens).toBeGreaterThan(0);
}

function generated(count: number, seed: number): { lines: string[]; events: CanonicalEvent[] } {
  return knownLog(count, {
    seed,
    startTime: Date.now() - 10 * 60_000,
    eventsPerSecond: count / 300,
    variants: false,
  });
}

describe('otlp plugin against a real OpenTelemetry Collector', () => {
  it('protobuf: every event arrives once as a log record and in the cumulative totals (explicit histograms)', async () => {
    dir = await mkdtemp(join(tmpdir(), 'gax-otlp-'));
    const { lines, events } = generated(3000, 61);
    await writeLog(dir, lines);
    const d = await startDaemon(otlpConfig('pb-clean', 'encoding: protobuf'));
    await delivered(d, events.length);
    const logs = ofRun(
      await collector.waitForLogs((all) => ofRun(all, 'pb-clean').length >= events.length),
      'pb-clean',
    );
    expect(logs.map(uid).sort()).toEqual(events.map((e) => e.correlationId).sort());
    const first = logs.find((r) => uid(r) === events[0]?.correlationId);
    expect(first?.eventName).toBe(`apim.${events[0]?.eventType}`);
    expect(first?.timeUnixNano).toBe(`${BigInt(Date.parse(events[0]?.requestTimestamp ?? '')) * 1_000_000n}`);
    expect(first?.resource['service.name']).toBe('gax');
    await expectTotals('pb-clean', events);
    const duration = ofRun(await collector.readMetrics(), 'pb-clean').find(
      (p) => p.name === 'http.server.request.duration',
    );
    expect(duration?.type).toBe('histogram');
  });

  it('JSON: the Collector killed, then stopped, mid-run loses nothing; duplicates stay within one request per outage', async () => {
    dir = await mkdtemp(join(tmpdir(), 'gax-otlp-'));
    const chunks = [0, 1, 2, 3].map((i) => generated(1500, 70 + i));
    const events = chunks.flatMap((c) => c.events);
    const path = await writeLog(dir, chunks[0]?.lines ?? []);
    const d = await startDaemon(otlpConfig('json-outages', 'encoding: json, histogram: exponential'));
    const append = (i: number) => appendFile(path, `${chunks[i]?.lines.join('\n')}\n`);
    await delivered(d, 1500);
    // Outage 1: killed between batches; events read meanwhile wait and are retried.
    await collector.kill();
    await append(1);
    await new Promise((r) => setTimeout(r, 1500));
    await collector.start();
    await delivered(d, 3000);
    // Outage 2: killed while records of the next chunk are arriving.
    await append(2);
    await collector.waitForLogs((all) => ofRun(all, 'json-outages').length > 3000, 20_000);
    await collector.kill();
    await new Promise((r) => setTimeout(r, 1000));
    await collector.start();
    // Outage 3: a graceful stop while the last chunk is sent.
    await append(3);
    await new Promise((r) => setTimeout(r, 150));
    await collector.stop();
    await new Promise((r) => setTimeout(r, 1000));
    await collector.start();
    await delivered(d, events.length);

    const logs = ofRun(
      await collector.waitForLogs(
        (all) => new Set(ofRun(all, 'json-outages').map(uid)).size >= events.length,
        20_000,
      ),
      'json-outages',
    );
    const unique = new Set(logs.map(uid));
    expect([...unique].sort()).toEqual(events.map((e) => e.correlationId).sort());
    // A record arrives twice only when the Collector took a request and the answer was lost:
    // at most the one logs request in flight per outage.
    expect(logs.length - unique.size).toBeLessThanOrEqual(3 * LOGS_PER_REQUEST);
    await expectTotals('json-outages', events);
    // The outages were real: requests failed without an answer and events were retried.
    const self = await (await fetch(`${d.url}/metrics`)).text();
    expect(
      sample(self, 'gax_otlp_requests_total{plugin="otlp",signal="metrics",status="error"}'),
    ).toBeGreaterThan(0);
    expect(sample(self, 'gax_events_retried_total{plugin="otlp"}')).toBeGreaterThan(0);
    const duration = ofRun(await collector.readMetrics(), 'json-outages').find(
      (p) => p.name === 'http.server.request.duration',
    );
    expect(duration?.type).toBe('exponentialHistogram');
  });

  it('a gax restart starts new cumulative series (a reset) whose last points add up to every event', async () => {
    dir = await mkdtemp(join(tmpdir(), 'gax-otlp-'));
    const first = generated(1200, 81);
    const second = generated(800, 82);
    const path = await writeLog(dir, first.lines);
    const config = otlpConfig('gax-restart', 'encoding: protobuf');
    const d1 = await startDaemon(config);
    await delivered(d1, first.events.length);
    await d1.stop();
    daemon = undefined;
    await appendFile(path, `${second.lines.join('\n')}\n`);
    const d2 = await startDaemon(config);
    await delivered(d2, second.events.length);
    const events = [...first.events, ...second.events];
    await expectTotals('gax-restart', events);
    const starts = new Set(
      ofRun(await collector.readMetrics(), 'gax-restart')
        .filter((p) => p.name === 'apim.requests')
        .map((p) => p.startTimeUnixNano),
    );
    expect(starts.size).toBe(2);
    const logs = ofRun(await collector.readLogs(), 'gax-restart');
    expect(logs.map(uid).sort()).toEqual(events.map((e) => e.correlationId).sort());
  });

  it('delta temporality: the points of every export add up to the counts', async () => {
    dir = await mkdtemp(join(tmpdir(), 'gax-otlp-'));
    const { lines, events } = generated(2000, 91);
    await writeLog(dir, lines);
    const d = await startDaemon(
      otlpConfig('delta', 'temporality: delta, signals: { metrics: true, logs: false }'),
    );
    await delivered(d, events.length);
    const points = ofRun(
      await collector.waitForMetrics(
        (all) => total(ofRun(all, 'delta').filter((p) => p.name === 'apim.requests')) >= events.length,
      ),
      'delta',
    );
    const requests = points.filter((p) => p.name === 'apim.requests');
    expect(requests.every((p) => p.type === 'sum' && p.temporality === 'delta')).toBe(true);
    expect(total(requests)).toBe(events.length);
    expect(total(points.filter((p) => p.name === 'apim.errors'))).toBe(expected(events).faulty);
    expect(ofRun(await collector.readLogs(), 'delta')).toHaveLength(0);
  });
});

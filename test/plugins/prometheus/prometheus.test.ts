import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { mappingOptions, SEMCONV_HTTP_BUCKETS } from '../../../plugins/prometheus/layout.js';
import {
  METRIC_LABELS,
  type Observation,
  OPTIONAL_LABELS,
  observe,
  type Recorder,
  SEMCONV_HTTP_METRIC,
} from '../../../plugins/prometheus/mapping.js';
import { create as createPrometheus } from '../../../plugins/prometheus/plugin.js';
import { OVERFLOW, SeriesGuard } from '../../../plugins/prometheus/series-guard.js';
import { parseConfig } from '../../../src/config/load.js';
import { parseLine } from '../../../src/parsers/wso2-apim/parse.js';
import { createGenerator } from '../../../src/parsers/wso2-apim/sim/generate.js';
import type { CanonicalEvent } from '../../../src/schema/event.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { testEvent } from '../../doubles/plugins.js';
import { expectGolden } from '../../helpers/golden.js';

function config(yaml = '') {
  const loaded = parseConfig(`inputs: [{ paths: [x.log] }]\nplugins:\n  prometheus:\n${yaml}`, { env: {} });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  return loaded.config.plugins.prometheus;
}

async function fixtureEvents(): Promise<CanonicalEvent[]> {
  const text = await readFile(
    fileURLToPath(new URL('../../fixtures/wso2-apim/SYNTHETIC_apim_metrics_fixtures.log', import.meta.url)),
    'utf8',
  );
  return text.split('\n').flatMap((line) => {
    const result = parseLine(line);
    return result.kind === 'event' ? [result.event] : [];
  });
}

/** Exposition text → { 'name{labels}': value }, ignoring comments. */
function samples(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    out[line.slice(0, at)] = Number(line.slice(at + 1));
  }
  return out;
}

async function expose(events: readonly CanonicalEvent[], yaml = ''): Promise<string> {
  const registry = new Registry();
  const plugin = createPrometheus(config(yaml), {
    id: 'prometheus',
    logger: silentLogger(),
    registry,
    stateDir: '/nonexistent',
  });
  await plugin.start(new AbortController().signal);
  const results = await plugin.send(events, new AbortController().signal);
  expect(results.every((r) => r.status === 'delivered')).toBe(true);
  const text = await registry.metrics();
  await plugin.stop(Date.now() + 1000);
  return text;
}

/** A recorder that keeps a copy of each observation (the labels object is reused). */
function collect(out: Observation[]): Recorder {
  return (metric, labels, value) => out.push({ metric, labels: { ...labels }, value });
}

describe('prometheus mapping', () => {
  const names = (e: CanonicalEvent) => {
    const out: Observation[] = [];
    observe(e, { application: false, user: false }, collect(out));
    return out.map((o) => `${o.metric}=${o.value}`);
  };

  it.each([
    [
      'a plain response',
      testEvent(1, {
        proxyResponseCode: 200,
        responseLatency: 87,
        backendLatency: 71,
        requestMediationLatency: 12,
        responseMediationLatency: 4,
      }),
      [
        'apim_requests_total=1',
        'apim_request_duration_seconds=0.087',
        'apim_backend_duration_seconds=0.071',
        'apim_mediation_duration_seconds=0.012',
        'apim_mediation_duration_seconds=0.004',
      ],
    ],
    [
      'a cache hit (backend latency not observed)',
      testEvent(2, { responseCacheHit: true, responseLatency: 3, backendLatency: 0 }),
      ['apim_requests_total=1', 'apim_request_duration_seconds=0.003', 'apim_cache_hits_total=1'],
    ],
    [
      'a fault',
      testEvent(3, { eventType: 'faulty', errorType: 'THROTTLED', errorCode: 900803 }),
      ['apim_requests_total=1', 'apim_errors_total=1'],
    ],
    [
      'an AI response with tokens and a size',
      testEvent(4, {
        properties: {
          responseSize: 2211,
          aiMetadata: { vendorName: 'OpenAI', model: 'gpt-4o-mini' },
          aiTokenUsage: { promptTokens: 412, completionTokens: 128, totalTokens: 540 },
        },
      }),
      [
        'apim_requests_total=1',
        'apim_response_size_bytes=2211',
        'apim_ai_requests_total=1',
        'apim_ai_tokens_total=412',
        'apim_ai_tokens_total=128',
      ],
    ],
  ])('records %s', (_name, event, expected) => {
    expect(names(event)).toEqual(expected);
  });

  it('uses the resource template, never a raw path, and adds application and user only when asked', () => {
    const event = testEvent(1, {
      apiResourceTemplate: '/orders/{orderId}',
      applicationName: 'WebShop',
      userName: 'alice',
    });
    const out: Observation[] = [];
    observe(event, { application: true, user: true }, collect(out));
    expect(out[0]?.labels).toMatchObject({
      resource: '/orders/{orderId}',
      application: 'WebShop',
      user: 'alice',
    });
    out.length = 0;
    observe(event, { application: false, user: false }, collect(out));
    expect(out[0]?.labels).not.toHaveProperty('application');
  });
});

describe('SeriesGuard', () => {
  it('lets known label sets through and collapses new ones past the cap into __overflow__', () => {
    const guard = new SeriesGuard(['api'], 2);
    expect(guard.admit({ api: 'a' })).toEqual({ api: 'a' });
    expect(guard.admit({ api: 'b' })).toEqual({ api: 'b' });
    expect(guard.admit({ api: 'c' })).toEqual({ api: OVERFLOW });
    expect(guard.admit({ api: 'a' })).toEqual({ api: 'a' });
    expect(guard.size).toBe(2);
    expect(guard.overflowed).toBe(1);
  });
});

describe('SeriesGuard keys', () => {
  it('tells label sets apart by position, also when they share values', () => {
    const guard = new SeriesGuard(['api', 'resource'], 10);
    guard.admit({ api: 'a', resource: 'b' });
    guard.admit({ api: 'b', resource: 'a' });
    guard.admit({ api: 'a', resource: 'a' });
    guard.admit({ api: 'b', resource: 'a' });
    expect(guard.size).toBe(3);
  });

  it('counts every distinct label set exactly, past 32,768 distinct values (two-character ids)', () => {
    const guard = new SeriesGuard(['api', 'resource'], 1_000_000);
    for (let i = 0; i < 40_000; i++) guard.admit({ api: `api-${i}`, resource: `/r/${i % 7}` });
    for (let i = 0; i < 40_000; i++) guard.admit({ api: `api-${i}`, resource: `/r/${i % 7}` });
    expect(guard.size).toBe(40_000);
    // Known values in a new combination are a new label set.
    expect(guard.admit({ api: 'api-39999', resource: '/r/0' })).toEqual({
      api: 'api-39999',
      resource: '/r/0',
    });
    expect(guard.size).toBe(40_001);
  });

  it('finds every admitted label set again, with number keys (≤ 4 labels, values below 8,192) and string keys', () => {
    for (const names of [
      ['api', 'api_version', 'method', 'resource'],
      ['api', 'api_version', 'method', 'resource', 'direction'],
    ] as const) {
      const guard = new SeriesGuard<string, { n: number }>(names, 1_000_000);
      const sets = Array.from({ length: 12_000 }, (_, i) =>
        Object.fromEntries(names.map((name, k) => [name, `${name}-${(i * (k + 1)) % (9_000 - k)}`])),
      );
      const made = sets.map((labels, n) => guard.admit(labels, () => ({ n })));
      const distinct = new Set(sets.map((l) => JSON.stringify(l))).size;
      expect(guard.size, names.join()).toBe(distinct);
      for (const [i, labels] of sets.entries()) expect(guard.find(labels)).toBe(made[i]);
      expect(guard.find({ ...sets[0], api: 'never-seen' })).toBeUndefined();
    }
  });

  it('collapses a new combination of known values once at the cap', () => {
    const guard = new SeriesGuard(['api', 'resource'], 2);
    guard.admit({ api: 'a', resource: 'x' });
    guard.admit({ api: 'b', resource: 'y' });
    expect(guard.admit({ api: 'a', resource: 'y' })).toEqual({ api: OVERFLOW, resource: OVERFLOW });
    expect(guard.admit({ api: 'b', resource: 'y' })).toEqual({ api: 'b', resource: 'y' });
    expect(guard.overflowed).toBe(1);
  });
});

describe('prometheus plugin', () => {
  it('exposes the gateway metrics of the reference fixtures', async () => {
    const text = await expose(await fixtureEvents());
    await expectGolden(
      fileURLToPath(new URL('golden/fixtures-exposition.json', import.meta.url)),
      samples(text),
    );
  });

  it('keeps memory bounded under a flood of distinct API names', async () => {
    const flood = Array.from({ length: 5000 }, (_, i) =>
      testEvent(i, { apiName: `api-${i}`, responseLatency: 5 }),
    );
    const text = await expose(flood, '    maxSeriesPerMetric: 100\n');
    const s = samples(text);
    const requestSeries = Object.keys(s).filter((k) => k.startsWith('apim_requests_total{'));
    expect(requestSeries).toHaveLength(101);
    const overflow = requestSeries.find((k) => k.includes(`api="${OVERFLOW}"`)) as string;
    expect(s[overflow]).toBe(4900);
    expect(s['gax_prometheus_series_overflow_total{metric="apim_requests_total"}']).toBe(4900);
    expect(s['gax_prometheus_series{metric="apim_requests_total"}']).toBe(100);
    const total = requestSeries.reduce((n, k) => n + (s[k] ?? 0), 0);
    expect(total).toBe(5000);
  });

  it("prints what prom-client's own Counter and Histogram print for the same observations", async () => {
    // 20,000 generated lines of every shape (AI, faults, cache hits, older versions), with the
    // optional labels and semconv.http on: the plugin's families against prom-client fed the mapping's output.
    const generator = createGenerator({ seed: 7, variants: true });
    const events: CanonicalEvent[] = [];
    for (let i = 0; i < 20_000; i++) {
      const result = parseLine(generator.next());
      if (result.kind === 'event') events.push(result.event);
    }
    const on = Object.values(OPTIONAL_LABELS).map((key) => `${key}: true`);
    const yaml = `    labels: { ${on.join(', ')} }\n    semconv: { http: true }\n    maxSeriesPerMetric: 1000000\n`;
    const text = await expose(events, yaml);
    const plugin = config(yaml);
    const reference = new Registry();
    const sinks = new Map<
      string,
      { inc?: (l: object, v: number) => void; observe?: (l: object, v: number) => void }
    >();
    for (const [metric, names] of Object.entries(METRIC_LABELS)) {
      const common = { name: metric, help: 'x', labelNames: [...names], registers: [reference] };
      const buckets =
        metric === SEMCONV_HTTP_METRIC
          ? [...SEMCONV_HTTP_BUCKETS]
          : metric === 'apim_response_size_bytes'
            ? plugin.buckets.responseSize
            : plugin.buckets.latency;
      sinks.set(
        metric,
        metric.endsWith('_total') ? new Counter(common) : new Histogram({ ...common, buckets }),
      );
    }
    const options = mappingOptions(plugin);
    for (const event of events) {
      observe(event, options, (metric, labels, value) => {
        const picked = Object.fromEntries(METRIC_LABELS[metric].map((n) => [n, labels[n] ?? '']));
        const sink = sinks.get(metric);
        if (sink?.inc !== undefined) sink.inc(picked, value);
        else sink?.observe?.(picked, value);
      });
    }
    const gateway = (t: string) => t.split('\n').filter((l) => /^(apim|http)_/.test(l));
    const ours = gateway(text);
    expect(ours.length).toBeGreaterThan(5_000);
    for (const name of [
      'http_server_request_duration_seconds_bucket',
      'apim_ai_request_duration_seconds_bucket',
    ])
      expect(ours.some((l) => l.startsWith(name))).toBe(true);
    expect(ours).toEqual(gateway(await reference.metrics()));
  });

  it('cuts label values past maxLabelValueLength and counts them', async () => {
    const long = 'r'.repeat(60_000);
    const emoji = `${'a'.repeat(60)}😀${'b'.repeat(100)}`; // the pair sits across code unit 61/62
    const events = [
      testEvent(1, { apiResourceTemplate: `/${long}`, responseLatency: 5 }),
      testEvent(2, { apiResourceTemplate: `/${long}x`, responseLatency: 5 }),
      testEvent(3, { apiName: emoji }),
      testEvent(4, { apiName: 'short' }),
    ];
    const text = await expose(events, '    maxLabelValueLength: 64\n');
    expect(text.length).toBeLessThan(20_000);
    const s = samples(text);
    const cut = `/${'r'.repeat(60)}...`;
    const requests = Object.keys(s).filter((k) => k.startsWith('apim_requests_total{'));
    // Both long resources share one cut value, hence one series.
    expect(requests.filter((k) => k.includes(`resource="${cut}"`)).map((k) => s[k])).toEqual([2]);
    // The surrogate pair is dropped whole, not halved.
    expect(requests.some((k) => k.includes(`api="${'a'.repeat(60)}..."`))).toBe(true);
    expect(requests.some((k) => k.includes('api="short"'))).toBe(true);
    expect(
      s['gax_prometheus_label_values_truncated_total{metric="apim_requests_total",label="resource"}'],
    ).toBe(2);
    expect(s['gax_prometheus_label_values_truncated_total{metric="apim_requests_total",label="api"}']).toBe(
      1,
    );
    expect(
      s[
        'gax_prometheus_label_values_truncated_total{metric="apim_request_duration_seconds",label="resource"}'
      ],
    ).toBe(2);
    for (const line of text.split('\n')) expect(line.length).toBeLessThan(1_000);
  });

  it('keeps only the allowed labels of a metric', async () => {
    const events = [
      testEvent(1, { proxyResponseCode: 200 }),
      testEvent(2, { proxyResponseCode: 500, apiName: 'Other' }),
    ];
    const text = await expose(events, '    allowLabels:\n      apim_requests_total: [status_code]\n');
    const keys = Object.keys(samples(text)).filter((k) => k.startsWith('apim_requests_total'));
    expect(keys.sort()).toEqual([
      'apim_requests_total{status_code="200"}',
      'apim_requests_total{status_code="500"}',
    ]);
  });

  it('unregisters its metrics on stop so it can start again', async () => {
    const registry = new Registry();
    const settings = { id: 'prometheus', logger: silentLogger(), registry, stateDir: '/nonexistent' };
    const plugin = createPrometheus(config(), settings);
    await plugin.start(new AbortController().signal);
    await plugin.stop(Date.now() + 1000);
    expect(registry.getMetricsAsArray()).toEqual([]);
    await plugin.start(new AbortController().signal);
    expect(registry.getMetricsAsArray().length).toBeGreaterThan(0);
  });
});

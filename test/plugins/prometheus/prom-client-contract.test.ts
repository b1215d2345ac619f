/**
 * The prom-client contract: what gax relies on beyond prom-client's typed API, so an upgrade that
 * changes it fails here, loudly, instead of breaking /metrics. prom-client is pinned to an exact
 * version in package.json for the same reason (plugins/prometheus/README.md "prom-client").
 *
 * Relied on: the registry takes gax's own families (plugins/prometheus/families.ts) through
 * `registerMetric` although they are not prom-client metrics (`family as never`), lists them in
 * registration order, finds and removes them by name, and renders them calling
 * `getForPromString()` when present, else `get()`; a prom-client Histogram has the untyped
 * `getForPromString()`, whose samples carry `metricName` and `sharedLabels`
 * (src/http/exposition.ts reads both), and Counter/Gauge `get()` have the shape exposition.ts reads.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { CounterFamily, HistogramFamily } from '../../../plugins/prometheus/families.js';
import { writeExposition } from '../../../src/http/exposition.js';

const root = join(import.meta.dirname, '..', '..', '..');

async function json(path: string): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(join(root, path), 'utf8')) as Record<string, unknown>;
}

async function render(registry: Registry): Promise<string> {
  let text = '';
  const out = new Writable({
    decodeStrings: false,
    write(chunk: string, _encoding, callback) {
      text += chunk;
      callback();
    },
  });
  expect(await writeExposition(registry, out, 'prometheus')).toBe(true);
  return text;
}

/** A prom-client Histogram's untyped method, as src/http/exposition.ts calls it. */
interface WithPromString {
  getForPromString?: () => Promise<unknown>;
}

describe('prom-client contract', () => {
  it('is pinned to one exact version, the one installed and locked', async () => {
    const pkg = (await json('package.json')) as { dependencies: Record<string, string> };
    const pinned = pkg.dependencies['prom-client'] ?? '';
    expect(pinned, 'package.json must pin prom-client exactly (no ^ or ~): see the header comment').toMatch(
      /^\d+\.\d+\.\d+$/,
    );
    const lock = (await json('package-lock.json')) as { packages: Record<string, { version?: string }> };
    expect(lock.packages['node_modules/prom-client']?.version).toBe(pinned);
    const installed = createRequire(import.meta.url)('prom-client/package.json') as { version: string };
    expect(installed.version).toBe(pinned);
  });

  it("gives a Histogram's samples through getForPromString with metricName and shared labels", async () => {
    const histogram = new Histogram({
      name: 'h_seconds',
      help: 'H.',
      labelNames: ['api'],
      buckets: [0.1, 1],
      registers: [],
    });
    histogram.observe({ api: 'a' }, 0.05);
    histogram.observe({ api: 'a' }, 5);
    const method = (histogram as unknown as WithPromString).getForPromString;
    expect(typeof method).toBe('function');
    const shared = { api: 'a' };
    const family = (await method?.call(histogram)) as { values: Record<string, unknown>[] };
    // The fields exposition.ts reads, exactly (others, such as `exemplar`, are not used).
    const values = family.values.map(({ labels, value, metricName, sharedLabels }) => ({
      labels,
      value,
      metricName,
      sharedLabels,
    }));
    expect({ ...family, values }).toEqual({
      name: 'h_seconds',
      help: 'H.',
      type: 'histogram',
      aggregator: 'sum',
      values: [
        { labels: { le: 0.1 }, value: 1, metricName: 'h_seconds_bucket', sharedLabels: shared },
        { labels: { le: 1 }, value: 1, metricName: 'h_seconds_bucket', sharedLabels: shared },
        { labels: { le: '+Inf' }, value: 2, metricName: 'h_seconds_bucket', sharedLabels: shared },
        { labels: {}, value: 5.05, metricName: 'h_seconds_sum', sharedLabels: shared },
        { labels: {}, value: 2, metricName: 'h_seconds_count', sharedLabels: shared },
      ],
    });
  });

  it('gives Counter and Gauge samples through get() as value and labels', async () => {
    const counter = new Counter({ name: 'c_total', help: 'C.', labelNames: ['plugin'], registers: [] });
    counter.inc({ plugin: 'file' }, 2);
    expect(await counter.get()).toEqual({
      name: 'c_total',
      help: 'C.',
      type: 'counter',
      aggregator: 'sum',
      values: [{ value: 2, labels: { plugin: 'file' } }],
    });
    const gauge = new Gauge({ name: 'g', help: 'G.', registers: [] });
    gauge.set(3);
    expect(await gauge.get()).toEqual({
      name: 'g',
      help: 'G.',
      type: 'gauge',
      aggregator: 'sum',
      values: [{ value: 3, labels: {} }],
    });
  });

  it("keeps gax's own families in the registry: in order, by name, removable, one per name", () => {
    const registry = new Registry();
    const before = new Counter({ name: 'before_total', help: 'B.', registers: [registry] });
    const counter = new CounterFamily('apim_requests_total', 'Requests.', ['api']);
    const histogram = new HistogramFamily('apim_request_duration_seconds', 'Latency.', ['api'], [0.1]);
    registry.registerMetric(counter as never);
    registry.registerMetric(histogram as never);
    const after = new Gauge({ name: 'after', help: 'A.', registers: [registry] });
    expect(registry.getMetricsAsArray()).toEqual([before, counter, histogram, after]);
    expect(registry.getSingleMetric('apim_requests_total')).toBe(counter);
    expect(() =>
      registry.registerMetric(new CounterFamily('apim_requests_total', 'Again.', []) as never),
    ).toThrow(/already been registered/);
    registry.removeSingleMetric('apim_requests_total');
    expect(registry.getSingleMetric('apim_requests_total')).toBeUndefined();
    expect(registry.getMetricsAsArray()).toEqual([before, histogram, after]);
  });

  it("renders prom-client's metrics and gax's families as this known text, in registry.metrics() and writeExposition", async () => {
    const registry = new Registry();
    const registers = [registry];
    new Counter({ name: 'gax_events_total', help: 'Events.', labelNames: ['plugin'], registers }).inc(
      { plugin: 'file' },
      3,
    );
    const requests = new CounterFamily('apim_requests_total', 'Requests.', ['api', 'status_code']);
    registry.registerMetric(requests as never);
    requests.series({ api: 'Pizza "Shack"', status_code: '200' }).value += 2;
    const latency = new HistogramFamily('apim_request_duration_seconds', 'Latency.', ['api'], [0.1, 1]);
    registry.registerMetric(latency as never);
    latency.observe(latency.series({ api: 'a' }), 0.5);
    const batch = new Histogram({
      name: 'gax_batch_seconds',
      help: 'Batch.',
      labelNames: ['plugin'],
      buckets: [1],
      registers,
    });
    batch.observe({ plugin: 'file' }, 0.25);
    const expected = [
      '# HELP gax_events_total Events.',
      '# TYPE gax_events_total counter',
      'gax_events_total{plugin="file"} 3',
      '',
      '# HELP apim_requests_total Requests.',
      '# TYPE apim_requests_total counter',
      'apim_requests_total{api="Pizza \\"Shack\\"",status_code="200"} 2',
      '',
      '# HELP apim_request_duration_seconds Latency.',
      '# TYPE apim_request_duration_seconds histogram',
      'apim_request_duration_seconds_bucket{le="0.1",api="a"} 0',
      'apim_request_duration_seconds_bucket{le="1",api="a"} 1',
      'apim_request_duration_seconds_bucket{le="+Inf",api="a"} 1',
      'apim_request_duration_seconds_sum{api="a"} 0.5',
      'apim_request_duration_seconds_count{api="a"} 1',
      '',
      '# HELP gax_batch_seconds Batch.',
      '# TYPE gax_batch_seconds histogram',
      'gax_batch_seconds_bucket{le="1",plugin="file"} 1',
      'gax_batch_seconds_bucket{le="+Inf",plugin="file"} 1',
      'gax_batch_seconds_sum{plugin="file"} 0.25',
      'gax_batch_seconds_count{plugin="file"} 1',
      '',
    ].join('\n');
    expect(await registry.metrics()).toBe(expected);
    expect(await render(registry)).toBe(expected);
    expect(registry.contentType).toBe('text/plain; version=0.0.4; charset=utf-8');
  });
});

import { Writable } from 'node:stream';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { type ExpositionFormat, writeExposition } from '../../../src/http/exposition.js';

/** A sink that keeps every write and acknowledges it on a later turn (as a socket would). */
function sink(highWaterMark = 16 * 1024): { out: Writable; writes: string[] } {
  const writes: string[] = [];
  const out = new Writable({
    highWaterMark,
    decodeStrings: false,
    write(chunk: string, _encoding, callback) {
      writes.push(chunk);
      setImmediate(callback);
    },
  });
  return { out, writes };
}

async function render(registry: Registry, format: ExpositionFormat): Promise<string> {
  const { out, writes } = sink();
  expect(await writeExposition(registry, out, format)).toBe(true);
  return writes.join('');
}

/** Every metric type and label shape the daemon's registry has, with values that need care. */
function varied(): Registry {
  const registry = new Registry();
  const registers = [registry];
  const requests = new Counter({
    name: 'apim_requests_total',
    help: 'Requests, with a \\ backslash and a\nnewline.',
    labelNames: ['api', 'status_code'],
    registers,
  });
  requests.inc({ api: 'Pizza "Shack"', status_code: '200' }, 3);
  requests.inc({ status_code: '500', api: 'back\\slash\nnew line' }, 1e21);
  new Counter({ name: 'gax_unused_total', help: 'Never incremented.', labelNames: ['plugin'], registers });
  new Counter({ name: 'gax_plain_total', help: 'No labels.', registers }).inc(0.5);
  new Gauge({
    name: 'gax_collected',
    help: 'Set at scrape time.',
    labelNames: ['metric'],
    registers,
    collect() {
      this.set({ metric: 'a' }, Number.NaN);
      this.set({ metric: 'b' }, Number.NEGATIVE_INFINITY);
      this.set({ metric: 'c' }, Number.POSITIVE_INFINITY);
    },
  });
  const latency = new Histogram({
    name: 'apim_request_duration_seconds',
    help: 'Latency.',
    labelNames: ['api', 'resource'],
    buckets: [0.01, 0.1, 1],
    registers,
  });
  latency.observe({ api: 'a', resource: '/x' }, 0.05);
  latency.observe({ resource: '/y', api: 'b' }, 3);
  new Histogram({ name: 'gax_batch_seconds', help: 'No labels.', buckets: [1], registers }).observe(0.2);
  return registry;
}

describe('writeExposition', () => {
  it('writes byte for byte what registry.metrics() returns in text format', async () => {
    const registry = varied();
    expect(await render(registry, 'prometheus')).toBe(await registry.metrics());
  });

  it('answers one newline for an empty registry, as prom-client does', async () => {
    const registry = new Registry();
    expect(await render(registry, 'prometheus')).toBe(await registry.metrics());
  });

  it('names counter families without _total in OpenMetrics, drops blank lines and ends with # EOF', async () => {
    const registry = new Registry();
    const registers = [registry];
    new Counter({ name: 'apim_requests_total', help: 'Requests.', labelNames: ['api'], registers }).inc(
      { api: 'a' },
      3,
    );
    new Histogram({
      name: 'apim_request_duration_seconds',
      help: 'Latency.',
      buckets: [],
      registers,
    }).observe(1);
    new Gauge({ name: 'nodejs_heap_size_total_bytes', help: 'Heap.', registers }).set(10);
    expect(await render(registry, 'openmetrics')).toBe(
      [
        '# HELP apim_requests Requests.',
        '# TYPE apim_requests counter',
        'apim_requests_total{api="a"} 3',
        '# HELP apim_request_duration_seconds Latency.',
        '# TYPE apim_request_duration_seconds histogram',
        'apim_request_duration_seconds_bucket{le="+Inf"} 1',
        'apim_request_duration_seconds_sum 1',
        'apim_request_duration_seconds_count 1',
        '# HELP nodejs_heap_size_total_bytes Heap.',
        '# TYPE nodejs_heap_size_total_bytes gauge',
        'nodejs_heap_size_total_bytes 10',
        '# EOF',
        '',
      ].join('\n'),
    );
  });

  it('writes a large exposition in chunks of about 64 KiB, waiting for the sink to drain', async () => {
    const registry = new Registry();
    const histogram = new Histogram({
      name: 'apim_backend_duration_seconds',
      help: 'Backend latency.',
      labelNames: ['api', 'resource'],
      registers: [registry],
    });
    for (let i = 0; i < 5_000; i++)
      histogram.observe({ api: `api-${i % 50}`, resource: `/r/${i}` }, i / 1000);
    const { out, writes } = sink();
    expect(await writeExposition(registry, out, 'prometheus')).toBe(true);
    const body = writes.join('');
    // Not toBe: a failing diff of megabytes takes minutes.
    expect(body === (await registry.metrics()), 'same bytes as registry.metrics()').toBe(true);
    expect(body.length).toBeGreaterThan(4_000_000);
    expect(writes.length).toBeGreaterThan(body.length / (70 * 1024));
    for (const chunk of writes) expect(chunk.length).toBeLessThan(65 * 1024);
  });

  it('stops and resolves false when the sink closes mid-exposition', async () => {
    const registry = new Registry();
    const counter = new Counter({ name: 'c_total', help: 'c', labelNames: ['i'], registers: [registry] });
    for (let i = 0; i < 20_000; i++) counter.inc({ i: String(i) });
    const { out, writes } = sink();
    const done = writeExposition(registry, out, 'prometheus');
    await new Promise((resolve) => setImmediate(resolve));
    out.destroy();
    expect(await done).toBe(false);
    expect(writes.join('').length).toBeLessThan((await registry.metrics()).length);
  });
});

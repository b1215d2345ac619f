import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { type AggregateSettings, Aggregator } from '../../../plugins/otlp/aggregate.js';
import { MetricsExport, type SendMetrics } from '../../../plugins/otlp/metrics-export.js';
import type { Temporality } from '../../../plugins/otlp/resource-metrics.js';
import { DELIVERED, type EventResult, rejected, retryable } from '../../../src/plugin/result.js';
import { knownLog } from '../../helpers/es-scenario.js';

const SETTINGS: AggregateSettings = {
  histogram: 'exponential',
  maxBuckets: 160,
  buckets: { latency: [0.1, 1], responseSize: [1000] },
  labels: { application: false, user: false },
  maxSeriesPerMetric: 10_000,
};
const resource = resourceFromAttributes({ 'service.name': 'gax' });
const events = knownLog(400, { seed: 61, variants: false }).events;
const [a, b, c] = [events.slice(0, 100), events.slice(100, 250), events.slice(250)];

/** `apim.requests`' total and the start time of an export. */
function requests(rm: ResourceMetrics): { total: number; start: number } {
  const metric = rm.scopeMetrics[0]?.metrics.find((m) => m.descriptor.name === 'apim.requests');
  const points = metric?.dataPoints ?? [];
  return { total: points.reduce((n, p) => n + (p.value as number), 0), start: points[0]?.startTime[0] ?? 0 };
}

/** An export whose receiver answers `answers` in turn (then delivered), recording what it was sent. */
function receiver(...answers: EventResult[]) {
  const sent: { total: number; start: number }[] = [];
  const send: SendMetrics = async (rm) => {
    sent.push(requests(rm));
    return answers.shift() ?? DELIVERED;
  };
  return { sent, send };
}

function exporter(temporality: Temporality = 'cumulative'): MetricsExport {
  const m = new MetricsExport(new Aggregator(SETTINGS), temporality);
  m.start(Date.now());
  return m;
}

describe('otlp metrics export: what the aggregates hold', () => {
  it('keeps the events of an export that failed retryably, counts their retry once, and never sends a smaller total', async () => {
    const m = exporter();
    const r = receiver(retryable('timed out'), retryable('503'));
    expect((await m.export(a, resource, r.send)).status).toBe('retryable'); // its answer was lost
    expect((await m.export([], resource, r.send)).status).toBe('retryable'); // an idle export
    expect(await m.export([...a, ...b], resource, r.send)).toBe(DELIVERED); // the retried batch, with a new one
    expect(r.sent.map((s) => s.total)).toEqual([100, 100, 250]);
  });

  it('takes a refused export and every unconfirmed one back out; their events count again when they return', async () => {
    const m = exporter();
    const r = receiver(DELIVERED, retryable('503'), rejected('400: bad'));
    await m.export(a, resource, r.send);
    await m.export(b, resource, r.send);
    expect((await m.export(c, resource, r.send)).status).toBe('rejected');
    await m.export([...b, ...c], resource, r.send);
    expect(r.sent.map((s) => s.total)).toEqual([100, 250, 400, 400]);
    await m.export([], resource, r.send);
    expect(r.sent.at(-1)?.total).toBe(400);
  });

  it('takes back what an export added when building it throws', async () => {
    const m = exporter();
    const r = receiver();
    await m.export(a, resource, r.send);
    const failing: SendMetrics = async () => {
      throw new Error('boom');
    };
    await expect(m.export(b, resource, failing)).rejects.toThrow('boom');
    await m.export([], resource, r.send);
    expect(r.sent.map((s) => s.total)).toEqual([100, 100]);
  });

  it('delta: carries a failed export into the next one and starts each at the last success', async () => {
    const m = exporter('delta');
    const r = receiver(DELIVERED, retryable('503'));
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await m.export(a, resource, r.send);
    await m.export(b, resource, r.send);
    await m.export(c, resource, r.send);
    expect(r.sent.map((s) => s.total)).toEqual([100, 150, 300]);
    expect(r.sent[1]?.start).toBe(r.sent[2]?.start);
    expect(r.sent[1]?.start).toBeGreaterThan(r.sent[0]?.start ?? 0);
    await m.export([], resource, r.send);
    expect(r.sent).toHaveLength(3); // nothing new: no request
  });
});

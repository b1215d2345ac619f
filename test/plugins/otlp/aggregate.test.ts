import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationTemporality, DataPointType, type MetricData } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { type AggregateSettings, Aggregator, OVERFLOW_ATTRIBUTE } from '../../../plugins/otlp/aggregate.js';
import { resourceMetrics } from '../../../plugins/otlp/resource-metrics.js';
import type { CanonicalEvent } from '../../../src/schema/event.js';
import { knownLog } from '../../helpers/es-scenario.js';

const SETTINGS: AggregateSettings = {
  histogram: 'explicit',
  maxBuckets: 160,
  buckets: {
    latency: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    responseSize: [100, 1000],
  },
  labels: { application: false, user: false },
  maxSeriesPerMetric: 10_000,
};
const resource = resourceFromAttributes({ 'service.name': 'gax' });

function metric(
  agg: Aggregator,
  name: string,
  temporality: 'cumulative' | 'delta' = 'cumulative',
): MetricData | undefined {
  const rm = resourceMetrics(agg.stores, resource, temporality, 1000, 2000);
  return rm.scopeMetrics[0]?.metrics.find((m) => m.descriptor.name === name);
}

/** The sum of a counter's points, or of a histogram's counts. */
function total(data: MetricData | undefined): number {
  if (data === undefined) return 0;
  let n = 0;
  for (const p of data.dataPoints)
    n += typeof p.value === 'number' ? p.value : (p.value as { count: number }).count;
  return n;
}

const log = knownLog(2000, { seed: 31, aiRatio: 0.2, variants: false });
const events: CanonicalEvent[] = log.events;

describe('otlp aggregates', () => {
  it('counts every event in apim.requests and every latency in http.server.request.duration', () => {
    const agg = new Aggregator(SETTINGS);
    agg.apply(events);
    expect(total(metric(agg, 'apim.requests'))).toBe(events.length);
    expect(total(metric(agg, 'apim.errors'))).toBe(log.faulty);
    const latencies = events.filter((e) => typeof e.responseLatency === 'number').length;
    expect(total(metric(agg, 'http.server.request.duration'))).toBe(latencies);
    const duration = metric(agg, 'http.server.request.duration');
    expect(duration?.dataPointType).toBe(DataPointType.HISTOGRAM);
    const sum = duration?.dataPoints.reduce((s, p) => s + ((p.value as { sum: number }).sum ?? 0), 0) ?? 0;
    const want = events.reduce((s, e) => s + (e.responseLatency ?? 0) / 1000, 0);
    expect(sum).toBeCloseTo(want, 6);
  });

  it('sums token usage per token type as the Prometheus plugin sums apim_ai_tokens_total', () => {
    const agg = new Aggregator(SETTINGS);
    agg.apply(events);
    const usage = metric(agg, 'gen_ai.client.token.usage');
    const byType = new Map<string, number>();
    for (const p of usage?.dataPoints ?? []) {
      const type = p.attributes['gen_ai.token.type'] as string;
      byType.set(type, (byType.get(type) ?? 0) + (p.value as { sum: number }).sum);
    }
    const input = events.reduce((s, e) => s + (e.properties?.aiTokenUsage?.promptTokens ?? 0), 0);
    const output = events.reduce((s, e) => s + (e.properties?.aiTokenUsage?.completionTokens ?? 0), 0);
    expect(input).toBeGreaterThan(0);
    expect(byType).toEqual(
      new Map([
        ['input', input],
        ['output', output],
      ]),
    );
  });

  it('puts a value on a bound into that bucket (le semantics) and the rest into +Inf', () => {
    const agg = new Aggregator({ ...SETTINGS, buckets: { ...SETTINGS.buckets, latency: [0.1, 1] } });
    const at = (ms: number, id: string): CanonicalEvent => ({
      ...(events[0] as CanonicalEvent),
      correlationId: id,
      responseLatency: ms,
    });
    agg.apply([at(100, 'a'), at(100.5, 'b'), at(5000, 'c')]);
    const points = metric(agg, 'http.server.request.duration')?.dataPoints ?? [];
    const counts = points.map((p) => (p.value as { buckets: { counts: number[] } }).buckets.counts);
    expect(counts.reduce((acc, c) => acc.map((x, i) => x + (c[i] ?? 0)), [0, 0, 0])).toEqual([1, 1, 1]);
  });

  it('keeps cumulative totals across exports and takes a failed export back out exactly', () => {
    const agg = new Aggregator(SETTINGS);
    const [first, second] = [events.slice(0, 700), events.slice(700)];
    agg.apply(first);
    const failed = agg.apply(second);
    expect(total(metric(agg, 'apim.requests'))).toBe(events.length);
    agg.revert(failed);
    expect(total(metric(agg, 'apim.requests'))).toBe(700);
    expect(total(metric(agg, 'http.server.request.duration'))).toBe(
      first.filter((e) => typeof e.responseLatency === 'number').length,
    );
    agg.apply(second);
    expect(total(metric(agg, 'apim.requests'))).toBe(events.length);
  });

  it('starts each delta export from nothing once the previous one is cleared', () => {
    const agg = new Aggregator(SETTINGS);
    agg.apply(events.slice(0, 500));
    expect(total(metric(agg, 'apim.requests', 'delta'))).toBe(500);
    agg.clear();
    agg.apply(events.slice(500, 600));
    const data = metric(agg, 'apim.requests', 'delta');
    expect(total(data)).toBe(100);
    expect(data?.aggregationTemporality).toBe(AggregationTemporality.DELTA);
  });

  it('caps attribute sets per metric and counts the rest in one otel.metric.overflow series', () => {
    const agg = new Aggregator({ ...SETTINGS, maxSeriesPerMetric: 3 });
    const overflowed: string[] = [];
    agg.onOverflow = (m) => overflowed.push(m);
    agg.apply(events);
    const requests = metric(agg, 'apim.requests');
    expect(requests?.dataPoints).toHaveLength(4);
    expect(requests?.dataPoints.at(-1)?.attributes).toEqual({ [OVERFLOW_ATTRIBUTE]: true });
    expect(total(requests)).toBe(events.length);
    expect(overflowed.filter((m) => m === 'apim.requests').length).toBe(
      events.length - requests!.dataPoints.slice(0, 3).reduce((s, p) => s + (p.value as number), 0),
    );
  });

  it('makes exponential histograms when asked, with the same counts', () => {
    const agg = new Aggregator({ ...SETTINGS, histogram: 'exponential' });
    agg.apply(events);
    const duration = metric(agg, 'http.server.request.duration');
    expect(duration?.dataPointType).toBe(DataPointType.EXPONENTIAL_HISTOGRAM);
    expect(total(duration)).toBe(events.filter((e) => typeof e.responseLatency === 'number').length);
  });
});

import type { HrTime } from '@opentelemetry/api';
import { ValueType } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import {
  AggregationTemporality,
  type DataPoint,
  DataPointType,
  type ExponentialHistogram,
  type Histogram,
  type MetricData,
  type MetricDescriptor,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import type { MetricStore, Series } from './aggregate.js';

/** The instrumentation scope of everything the plugin sends. */
export const SCOPE = { name: 'gateway-analytics-exporter/otlp' } as const;

export type Temporality = 'cumulative' | 'delta';

/** Epoch milliseconds → the SDK's `[seconds, nanoseconds]`. */
export function hrTime(ms: number): HrTime {
  const seconds = Math.floor(ms / 1000);
  return [seconds, Math.round((ms - seconds * 1000) * 1e6)];
}

/**
 * The metric stores as `@opentelemetry/sdk-metrics` data for the OTLP serializers: one metric
 * per store with series, each series one data point from `startMs` (the process's first export
 * window for cumulative, the last successful export for delta) to `endMs`. Cumulative exports
 * leave out series that hold nothing yet (made by an export that failed and was taken back).
 */
export function resourceMetrics(
  stores: readonly MetricStore[],
  resource: Resource,
  temporality: Temporality,
  startMs: number,
  endMs: number,
): ResourceMetrics {
  const aggregationTemporality =
    temporality === 'delta' ? AggregationTemporality.DELTA : AggregationTemporality.CUMULATIVE;
  const startTime = hrTime(startMs);
  const endTime = hrTime(endMs);
  const metrics: MetricData[] = [];
  for (const store of stores) {
    const all = [...store.series.values(), ...(store.overflow === undefined ? [] : [store.overflow])];
    const series = all.filter((s) => !empty(s));
    if (series.length === 0) continue;
    const descriptor: MetricDescriptor = {
      name: store.def.name,
      description: store.def.description,
      unit: store.def.unit,
      valueType: store.def.integer ? ValueType.INT : ValueType.DOUBLE,
    };
    const point = <T>(s: Series, value: T): DataPoint<T> => ({
      startTime,
      endTime,
      attributes: s.attributes,
      value,
    });
    const first = series[0] as Series;
    switch (first.kind) {
      case 'sum':
        metrics.push({
          descriptor,
          aggregationTemporality,
          dataPointType: DataPointType.SUM,
          isMonotonic: true,
          dataPoints: series.map((s) => point(s, s.kind === 'sum' ? s.value : 0)),
        });
        break;
      case 'explicit':
        metrics.push({
          descriptor,
          aggregationTemporality,
          dataPointType: DataPointType.HISTOGRAM,
          dataPoints: series.map((s) => point<Histogram>(s, explicitValue(s))),
        });
        break;
      case 'exponential':
        metrics.push({
          descriptor,
          aggregationTemporality,
          dataPointType: DataPointType.EXPONENTIAL_HISTOGRAM,
          dataPoints: series.map((s) => point<ExponentialHistogram>(s, exponentialValue(s))),
        });
        break;
    }
  }
  return { resource, scopeMetrics: [{ scope: SCOPE, metrics }] };
}

/** Data points in `rm` (self-metrics count them). */
export function pointCount(rm: ResourceMetrics): number {
  return rm.scopeMetrics.reduce((n, s) => n + s.metrics.reduce((m, d) => m + d.dataPoints.length, 0), 0);
}

function empty(s: Series): boolean {
  if (s.kind === 'sum') return s.value === 0;
  if (s.kind === 'explicit') return s.count === 0;
  return s.hist.count === 0;
}

function explicitValue(s: Series): Histogram {
  if (s.kind !== 'explicit') throw new Error('series kinds differ within a metric');
  return { buckets: { boundaries: [...s.bounds], counts: [...s.counts] }, sum: s.sum, count: s.count };
}

function exponentialValue(s: Series): ExponentialHistogram {
  if (s.kind !== 'exponential') throw new Error('series kinds differ within a metric');
  return s.hist.value();
}

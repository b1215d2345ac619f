import type { PrometheusConfig } from './config.js';
import {
  type LabelName,
  type MappingOptions,
  METRIC_LABELS,
  type MetricName,
  OPTIONAL_LABELS,
  SEMCONV_HTTP_METRIC,
} from './mapping.js';

/**
 * What gateway metrics an instance has and how each is shaped: pure, so that the main thread's
 * families (metrics.ts) and a parse worker's delta recorder (delta.ts) agree without the worker
 * loading prom-client.
 */

/** The settings the metrics are built from (a section, or the defaults the docs check uses). */
export type MetricsSettings = Pick<
  PrometheusConfig,
  | 'metricPrefix'
  | 'labels'
  | 'allowLabels'
  | 'maxSeriesPerMetric'
  | 'maxLabelValueLength'
  | 'buckets'
  | 'semconv'
>;

/** One gateway metric of an instance. */
export interface MetricLayout {
  readonly metric: MetricName;
  /** Exposed name, with the instance's `metricPrefix`. */
  readonly name: string;
  /** Its labels after `labels.*` and `allowLabels`. */
  readonly names: readonly LabelName[];
  readonly counter: boolean;
  /** Histogram bucket bounds as HistogramFamily keeps them (ascending, no duplicates); [] for a counter. */
  readonly bounds: readonly number[];
}

/** The buckets OpenTelemetry's stable HTTP conventions give `http.server.request.duration`, in seconds. */
export const SEMCONV_HTTP_BUCKETS: readonly number[] = [
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
];

/** Every gateway metric, in the order of METRIC_LABELS (the order of a delta's metric indices). */
export const METRICS = Object.keys(METRIC_LABELS) as readonly MetricName[];

/**
 * What a gateway metric is exposed as under `prefix`: `apim_requests_total` → `<prefix>_requests_total`;
 * OpenTelemetry's standard names are never prefixed.
 */
export function exposedName(prefix: string, metric: MetricName): string {
  if (!metric.startsWith('apim_')) return metric;
  return `${prefix}${metric.slice('apim'.length)}`;
}

/** What `observe` (mapping.ts) records for an instance: its opt-in labels and `semconv.http`. */
export function mappingOptions(settings: MetricsSettings): MappingOptions {
  return { ...settings.labels, semconvHttp: settings.semconv.http };
}

/** The instance's gateway metrics, in {@link METRICS} order (the OpenTelemetry one only with `semconv.http`). */
export function metricLayout(settings: MetricsSettings): MetricLayout[] {
  const metrics = settings.semconv.http ? METRICS : METRICS.filter((m) => m !== SEMCONV_HTTP_METRIC);
  return metrics.map((metric) => {
    const name = exposedName(settings.metricPrefix, metric);
    const counter = metric.endsWith('_total');
    const buckets =
      metric === SEMCONV_HTTP_METRIC
        ? SEMCONV_HTTP_BUCKETS
        : metric === 'apim_response_size_bytes'
          ? settings.buckets.responseSize
          : settings.buckets.latency;
    return {
      metric,
      name,
      names: labelNames(metric, name, settings),
      counter,
      bounds: counter ? [] : [...new Set(buckets)].sort((a, b) => a - b),
    };
  });
}

function labelNames(metric: MetricName, name: string, settings: MetricsSettings): LabelName[] {
  const options: Readonly<Record<string, string>> = OPTIONAL_LABELS;
  const all = METRIC_LABELS[metric].filter((l) => {
    const key = options[l] as keyof MetricsSettings['labels'] | undefined;
    return key === undefined || settings.labels[key];
  });
  const allowed = settings.allowLabels[name];
  return allowed === undefined ? all : all.filter((l) => allowed.includes(l));
}

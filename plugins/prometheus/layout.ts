import type { PrometheusConfig } from './config.js';
import { type LabelName, METRIC_LABELS, type MetricName } from './mapping.js';

/**
 * What gateway metrics an instance has and how each is shaped: pure, so that the main thread's
 * families (metrics.ts) and a parse worker's delta recorder (delta.ts) agree without the worker
 * loading prom-client.
 */

/** The settings the metrics are built from (a section, or the defaults the docs check uses). */
export type MetricsSettings = Pick<
  PrometheusConfig,
  'metricPrefix' | 'labels' | 'allowLabels' | 'maxSeriesPerMetric' | 'maxLabelValueLength' | 'buckets'
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

/** Every gateway metric, in the order of METRIC_LABELS (the order of a delta's metric indices). */
export const METRICS = Object.keys(METRIC_LABELS) as readonly MetricName[];

/** What a gateway metric is exposed as under `prefix`: `apim_requests_total` → `<prefix>_requests_total`. */
export function exposedName(prefix: string, metric: MetricName): string {
  return `${prefix}${metric.slice('apim'.length)}`;
}

/** The instance's gateway metrics, in {@link METRICS} order. */
export function metricLayout(settings: MetricsSettings): MetricLayout[] {
  return METRICS.map((metric) => {
    const name = exposedName(settings.metricPrefix, metric);
    const counter = metric.endsWith('_total');
    const buckets =
      metric === 'apim_response_size_bytes' ? settings.buckets.responseSize : settings.buckets.latency;
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
  const all = METRIC_LABELS[metric].filter(
    (l) => (l !== 'application' || settings.labels.application) && (l !== 'user' || settings.labels.user),
  );
  const allowed = settings.allowLabels[name];
  return allowed === undefined ? all : all.filter((l) => allowed.includes(l));
}

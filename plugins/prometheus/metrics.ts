import { Counter, Gauge, type Registry } from 'prom-client';
import type { PrometheusConfig } from './config.js';
import { CounterFamily, type CounterSeries, HistogramFamily, type HistogramSeries } from './families.js';
import { type LabelName, type Labels, METRIC_LABELS, type MetricName } from './mapping.js';
import { SeriesGuard } from './series-guard.js';

const HELP: Record<MetricName, string> = {
  apim_requests_total:
    'Requests seen by the gateway (analytics events), by API, resource template, method, status and event type.',
  apim_request_duration_seconds: 'Total gateway latency of successful-path requests (responseLatency).',
  apim_backend_duration_seconds: 'Backend latency (backendLatency); cache hits are not observed.',
  apim_mediation_duration_seconds: 'Gateway mediation latency, request or response direction.',
  apim_errors_total: 'Gateway faults (apim:faulty events) by error type and code.',
  apim_cache_hits_total: 'Requests answered from the gateway response cache.',
  apim_response_size_bytes: 'Response size in bytes, where the gateway reports it.',
  apim_ai_tokens_total: 'AI tokens used through AI (egress) APIs, by vendor, model and token type.',
  apim_ai_requests_total: 'Requests to AI (egress) APIs, by vendor, model and status.',
};

type Recorder = {
  guard: SeriesGuard<LabelName, unknown>;
  record(labels: Labels, value: number): void;
};

/** The gateway metrics, each behind its series cap, plus the plugin's own metrics. */
export class GatewayMetrics {
  readonly #registry: Registry;
  readonly #recorders = new Map<MetricName, Recorder>();
  readonly #names: string[] = [];

  constructor(config: PrometheusConfig, registry: Registry) {
    this.#registry = registry;
    const registers = [registry];
    const truncated = new Map<MetricName, Map<LabelName, number>>();
    const max = config.maxLabelValueLength;
    for (const metric of Object.keys(METRIC_LABELS) as MetricName[]) {
      const names = labelNames(metric, config);
      const cut = new Map<LabelName, number>();
      truncated.set(metric, cut);
      this.#names.push(metric);
      // Known label sets are found by their key alone; only a new one builds its label object.
      if (metric.endsWith('_total')) {
        const family = new CounterFamily(metric, HELP[metric], names);
        registry.registerMetric(family as never);
        const guard = new SeriesGuard<LabelName, CounterSeries>(names, config.maxSeriesPerMetric);
        const make = (labels: Record<LabelName, string>) => family.series(labels);
        const record = (labels: Labels, value: number): void => {
          const series = guard.find(labels) ?? guard.admit(pick(labels, names, max, cut), make);
          series.value += value;
        };
        this.#recorders.set(metric, { guard, record });
      } else {
        const buckets =
          metric === 'apim_response_size_bytes' ? config.buckets.responseSize : config.buckets.latency;
        const family = new HistogramFamily(metric, HELP[metric], names, buckets);
        registry.registerMetric(family as never);
        const guard = new SeriesGuard<LabelName, HistogramSeries>(names, config.maxSeriesPerMetric);
        const make = (labels: Record<LabelName, string>) => family.series(labels);
        const record = (labels: Labels, value: number): void => {
          family.observe(guard.find(labels) ?? guard.admit(pick(labels, names, max, cut), make), value);
        };
        this.#recorders.set(metric, { guard, record });
      }
    }
    const recorders = this.#recorders;
    new Gauge({
      name: 'gax_prometheus_series',
      help: 'Label sets (series) per gateway metric.',
      labelNames: ['metric'],
      registers,
      collect() {
        for (const [metric, r] of recorders) this.set({ metric }, r.guard.size);
      },
    });
    new Counter({
      name: 'gax_prometheus_series_overflow_total',
      help: 'Observations recorded in the __overflow__ series because the metric was at maxSeriesPerMetric.',
      labelNames: ['metric'],
      registers,
      collect() {
        this.reset();
        for (const [metric, r] of recorders) this.inc({ metric }, r.guard.overflowed);
      },
    });
    new Counter({
      name: 'gax_prometheus_label_values_truncated_total',
      help: 'Label values cut to plugins.prometheus.maxLabelValueLength, by metric and label.',
      labelNames: ['metric', 'label'],
      registers,
      collect() {
        this.reset();
        for (const [metric, cut] of truncated) {
          for (const [label, n] of cut) this.inc({ metric, label }, n);
        }
      },
    });
    this.#names.push(
      'gax_prometheus_series',
      'gax_prometheus_series_overflow_total',
      'gax_prometheus_label_values_truncated_total',
    );
  }

  record(metric: MetricName, labels: Labels, value: number): void {
    this.#recorders.get(metric)?.record(labels, value);
  }

  /** Unregisters every metric of the plugin. */
  remove(): void {
    for (const name of this.#names) this.#registry.removeSingleMetric(name);
  }
}

function labelNames(metric: MetricName, config: PrometheusConfig): LabelName[] {
  const all = METRIC_LABELS[metric].filter(
    (l) => (l !== 'application' || config.labels.application) && (l !== 'user' || config.labels.user),
  );
  const allowed = config.allowLabels[metric];
  return allowed === undefined ? all : all.filter((l) => allowed.includes(l));
}

/** The labels of `names` ('' when absent), each cut to `max` code units (counted in `cut`). */
function pick(
  labels: Labels,
  names: readonly LabelName[],
  max: number,
  cut: Map<LabelName, number>,
): Record<LabelName, string> {
  const out = {} as Record<LabelName, string>;
  for (const name of names) {
    const value = labels[name] ?? '';
    if (value.length <= max) {
      out[name] = value;
      continue;
    }
    out[name] = truncateLabelValue(value, max);
    cut.set(name, (cut.get(name) ?? 0) + 1);
  }
  return out;
}

/** `value` cut to `max` code units ending in `...`, never between the halves of a surrogate pair. */
export function truncateLabelValue(value: string, max: number): string {
  let end = max - 3;
  const last = value.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${value.slice(0, end)}...`;
}

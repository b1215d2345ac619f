import { Counter, Gauge, type Registry } from 'prom-client';
import { releaseShared, sharedMetric } from '../../src/telemetry/instance-metrics.js';
import type { LabelName } from './mapping.js';
import type { SeriesGuard } from './series-guard.js';

/** What the self-metrics report of one instance: its recorders and cut label values, by exposed name. */
export interface InstanceStats {
  readonly prefix: string;
  /** It exposes `http_server_request_duration_seconds` (`semconv.http`). */
  readonly semconvHttp: boolean;
  readonly guards: Map<string, SeriesGuard<LabelName, unknown>>;
  readonly truncated: Map<string, Map<LabelName, number>>;
}

const SELF_METRICS = [
  'gax_prometheus_series',
  'gax_prometheus_series_overflow_total',
  'gax_prometheus_label_values_truncated_total',
];

/** The running instances of each registry, which the shared self-metrics read when scraped. */
const running = new WeakMap<Registry, Map<string, InstanceStats>>();

/** The running instances of `registry` (by instance id), created on first use. */
export function instancesOf(registry: Registry): Map<string, InstanceStats> {
  let instances = running.get(registry);
  if (instances === undefined) {
    instances = new Map();
    running.set(registry, instances);
  }
  return instances;
}

/**
 * The plugin's own metrics, shared by every instance of a registry: each reports its gateway
 * metrics by their exposed name in the `metric` label (prefixes differ, so series do not).
 */
export function registerSelfMetrics(registry: Registry, plugin: string): void {
  const instances = instancesOf(registry);
  sharedMetric(
    registry,
    'gax_prometheus_series',
    (registers) =>
      new Gauge({
        name: 'gax_prometheus_series',
        help: 'Label sets (series) per gateway metric.',
        labelNames: ['metric'],
        registers,
        collect() {
          this.reset();
          for (const i of instances.values())
            for (const [metric, g] of i.guards) this.set({ metric }, g.size);
        },
      }),
    plugin,
  );
  sharedMetric(
    registry,
    'gax_prometheus_series_overflow_total',
    (registers) =>
      new Counter({
        name: 'gax_prometheus_series_overflow_total',
        help: 'Observations recorded in the __overflow__ series because the metric was at maxSeriesPerMetric.',
        labelNames: ['metric'],
        registers,
        collect() {
          this.reset();
          for (const i of instances.values())
            for (const [metric, g] of i.guards) this.inc({ metric }, g.overflowed);
        },
      }),
    plugin,
  );
  sharedMetric(
    registry,
    'gax_prometheus_label_values_truncated_total',
    (registers) =>
      new Counter({
        name: 'gax_prometheus_label_values_truncated_total',
        help: 'Label values cut to plugins.prometheus.maxLabelValueLength, by metric and label.',
        labelNames: ['metric', 'label'],
        registers,
        collect() {
          this.reset();
          for (const i of instances.values())
            for (const [metric, cut] of i.truncated)
              for (const [label, n] of cut) this.inc({ metric, label }, n);
        },
      }),
    plugin,
  );
}

/** Instance `plugin` stopped: its metrics leave the shared self-metrics (unregistered with the last). */
export function releaseSelfMetrics(registry: Registry, plugin: string): void {
  instancesOf(registry).delete(plugin);
  releaseShared(registry, SELF_METRICS, plugin);
}

import type { Registry } from 'prom-client';
import { CounterFamily, type CounterSeries, HistogramFamily, type HistogramSeries } from './families.js';
import { exposedName, type MetricLayout, type MetricsSettings, metricLayout } from './layout.js';
import { type LabelName, type Labels, METRIC_LABELS, type MetricName } from './mapping.js';
import { type InstanceStats, instancesOf, registerSelfMetrics, releaseSelfMetrics } from './metrics-self.js';
import { SeriesGuard } from './series-guard.js';

export { exposedName, type MetricsSettings };

const HELP: Record<MetricName, string> = {
  apim_requests_total:
    'Requests seen by the gateway (analytics events), by API, resource template, method, status and event type.',
  apim_request_duration_seconds: 'Total gateway latency of successful-path requests (responseLatency).',
  apim_backend_duration_seconds: 'Backend latency (backendLatency); cache hits are not observed.',
  apim_mediation_duration_seconds: 'Gateway mediation latency, request or response direction.',
  apim_errors_total: 'Gateway faults (apim:faulty events) by error type and code.',
  apim_cache_hits_total: 'Requests answered from the gateway response cache.',
  apim_response_size_bytes: 'Response size in bytes, where the gateway reports it.',
  apim_ai_tokens_total:
    'AI tokens used through AI (egress) APIs, by API, vendor, model and token type (prompt, completion, other: the rest of totalTokens).',
  apim_ai_requests_total: 'Requests to AI (egress) APIs, by API, vendor, model and status.',
  apim_ai_request_duration_seconds:
    'Total gateway latency (responseLatency) of AI (egress) API requests, by API, vendor and model.',
  http_server_request_duration_seconds:
    'Duration of HTTP server requests (OpenTelemetry semantic conventions, http.server.request.duration): the gateway responseLatency.',
};

type Recorder = {
  guard: SeriesGuard<LabelName, unknown>;
  record(labels: Labels, value: number): void;
};

/**
 * One gateway metric's storage: its series cap (the guard), family and truncation counts. The
 * worker path's applier (delta-apply.ts) admits label sets and adds to series through these.
 */
export type MetricTarget = {
  readonly layout: MetricLayout;
  readonly cut: Map<LabelName, number>;
} & (
  | {
      readonly kind: 'counter';
      readonly guard: SeriesGuard<LabelName, CounterSeries>;
      readonly family: CounterFamily;
    }
  | {
      readonly kind: 'histogram';
      readonly guard: SeriesGuard<LabelName, HistogramSeries>;
      readonly family: HistogramFamily;
    }
);

/** Registers every metric a Prometheus instance with the default prefix registers (`selfMetrics`). */
export function registerPrometheusMetrics(registry: Registry): void {
  if (registry.getSingleMetric(exposedName('apim', 'apim_requests_total')) !== undefined) return;
  const defaults: MetricsSettings = {
    metricPrefix: 'apim',
    labels: {
      application: true,
      user: true,
      platform: true,
      userAgent: true,
      destination: true,
      targetStatusCode: true,
      errorMessage: true,
      tenant: true,
      region: true,
      apiCreator: true,
      applicationOwner: true,
    },
    allowLabels: {},
    maxSeriesPerMetric: 1,
    maxLabelValueLength: 16,
    buckets: { latency: [1], responseSize: [1] },
    semconv: { http: true },
  };
  new GatewayMetrics(defaults, registry, 'prometheus');
}

/** The `allowLabels` keys that name no gateway metric under the instance's prefix. */
export function unknownAllowLabels(config: MetricsSettings): string[] {
  const names = new Set(
    (Object.keys(METRIC_LABELS) as MetricName[]).map((m) => exposedName(config.metricPrefix, m)),
  );
  return Object.keys(config.allowLabels).filter((key) => !names.has(key));
}

/**
 * The gateway metrics of one instance, each behind its series cap, named with its
 * `metricPrefix`; the plugin's own metrics are shared with other instances of the registry.
 * Throws when another instance of the registry already uses the prefix.
 */
export class GatewayMetrics {
  readonly #registry: Registry;
  readonly #plugin: string;
  readonly #recorders = new Map<MetricName, Recorder>();
  readonly #names: string[] = [];
  /** The gateway metrics in layout order (a delta's metric indices), for the worker path. */
  readonly targets: readonly MetricTarget[];
  readonly maxLabelValueLength: number;

  constructor(config: MetricsSettings, registry: Registry, plugin: string) {
    this.#registry = registry;
    this.#plugin = plugin;
    const prefix = config.metricPrefix;
    const instances = instancesOf(registry);
    const clash = [...instances].find(([, i]) => i.prefix === prefix);
    if (clash !== undefined) {
      throw new Error(
        `metricPrefix "${prefix}" is already used by plugin "${clash[0]}": give each prometheus instance its own metricPrefix`,
      );
    }
    const semconv = [...instances].find(([, i]) => i.semconvHttp);
    if (config.semconv.http && semconv !== undefined) {
      throw new Error(
        `semconv.http is already enabled on plugin "${semconv[0]}": http_server_request_duration_seconds has a standard name, so only one prometheus instance may enable it`,
      );
    }
    const stats: InstanceStats = {
      prefix,
      semconvHttp: config.semconv.http,
      guards: new Map(),
      truncated: new Map(),
    };
    const max = config.maxLabelValueLength;
    this.maxLabelValueLength = max;
    const targets: MetricTarget[] = [];
    for (const layout of metricLayout(config)) {
      const { metric, name, names } = layout;
      const cut = new Map<LabelName, number>();
      stats.truncated.set(name, cut);
      this.#names.push(name);
      // Known label sets are found by their key alone; only a new one builds its label object.
      if (layout.counter) {
        const family = new CounterFamily(name, HELP[metric], names);
        registry.registerMetric(family as never);
        const guard = new SeriesGuard<LabelName, CounterSeries>(names, config.maxSeriesPerMetric);
        const make = (labels: Record<LabelName, string>) => family.series(labels);
        const record = (labels: Labels, value: number): void => {
          const series = guard.find(labels) ?? guard.admit(pick(labels, names, max, cut), make);
          series.value += value;
        };
        this.#recorders.set(metric, { guard, record });
        stats.guards.set(name, guard);
        targets.push({ layout, cut, kind: 'counter', guard, family });
      } else {
        const family = new HistogramFamily(name, HELP[metric], names, layout.bounds);
        registry.registerMetric(family as never);
        const guard = new SeriesGuard<LabelName, HistogramSeries>(names, config.maxSeriesPerMetric);
        const make = (labels: Record<LabelName, string>) => family.series(labels);
        const record = (labels: Labels, value: number): void => {
          family.observe(guard.find(labels) ?? guard.admit(pick(labels, names, max, cut), make), value);
        };
        this.#recorders.set(metric, { guard, record });
        stats.guards.set(name, guard);
        targets.push({ layout, cut, kind: 'histogram', guard, family });
      }
    }
    this.targets = targets;
    registerSelfMetrics(registry, plugin);
    instances.set(plugin, stats);
  }

  record(metric: MetricName, labels: Labels, value: number): void {
    this.#recorders.get(metric)?.record(labels, value);
  }

  /** Unregisters the instance's gateway metrics; its series leave the shared self-metrics. */
  remove(): void {
    for (const name of this.#names) this.#registry.removeSingleMetric(name);
    releaseSelfMetrics(this.#registry, this.#plugin);
  }
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

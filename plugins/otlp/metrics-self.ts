import { Counter, Histogram, type Registry } from 'prom-client';
import { InstanceMetrics, sharedMetric } from '../../src/telemetry/instance-metrics.js';

const REQUESTS = 'gax_otlp_requests_total';
const DURATION = 'gax_otlp_request_duration_seconds';
const POINTS = 'gax_otlp_data_points_total';
const LOGS = 'gax_otlp_log_records_total';
const REJECTED = 'gax_otlp_rejected_items_total';
const OVERFLOW = 'gax_otlp_series_overflow_total';

/** The plugin's metric families in `registry`, registered by its first instance and shared. */
function families(registry: Registry, plugin?: string) {
  return {
    requests: sharedMetric(
      registry,
      REQUESTS,
      (registers) =>
        new Counter({
          name: REQUESTS,
          help: 'OTLP export requests, by signal (metrics, logs) and HTTP status (`error`: no response).',
          labelNames: ['plugin', 'signal', 'status'],
          registers,
        }),
      plugin,
    ),
    duration: sharedMetric(
      registry,
      DURATION,
      (registers) =>
        new Histogram({
          name: DURATION,
          help: 'Time from sending an OTLP export request to its response.',
          labelNames: ['plugin', 'signal'],
          buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
          registers,
        }),
      plugin,
    ),
    points: sharedMetric(
      registry,
      POINTS,
      (registers) =>
        new Counter({
          name: POINTS,
          help: 'Metric data points the receiver accepted (a cumulative export re-sends every series).',
          labelNames: ['plugin'],
          registers,
        }),
      plugin,
    ),
    logs: sharedMetric(
      registry,
      LOGS,
      (registers) =>
        new Counter({
          name: LOGS,
          help: 'Log records the receiver accepted.',
          labelNames: ['plugin'],
          registers,
        }),
      plugin,
    ),
    rejected: sharedMetric(
      registry,
      REJECTED,
      (registers) =>
        new Counter({
          name: REJECTED,
          help: 'Log records or data points a receiver refused in a partial-success answer, by signal.',
          labelNames: ['plugin', 'signal'],
          registers,
        }),
      plugin,
    ),
    overflow: sharedMetric(
      registry,
      OVERFLOW,
      (registers) =>
        new Counter({
          name: OVERFLOW,
          help: "Observations recorded in a metric's overflow series (`otel.metric.overflow`) because it reached maxSeriesPerMetric attribute sets.",
          labelNames: ['plugin', 'metric'],
          registers,
        }),
      plugin,
    ),
  };
}

/** Registers every metric an OTLP instance registers (the definition's `selfMetrics`). */
export function registerOtlpMetrics(registry: Registry): void {
  families(registry);
}

/**
 * The plugin's own metrics: export requests by signal and status, points and log records
 * accepted, items refused in partial successes, and overflowing attribute sets. Labels are
 * bounded unions (the metric label is one of the plugin's nine metric names).
 */
export class OtlpMetrics extends InstanceMetrics<ReturnType<typeof families>> {
  constructor(registry: Registry, plugin: string) {
    super(registry, plugin, families);
    this.families.points.inc({ plugin }, 0);
    this.families.logs.inc({ plugin }, 0);
  }

  startRequest(signal: string): (status: string) => void {
    const end = this.families.duration.startTimer({ plugin: this.plugin, signal });
    return (status) => {
      end();
      this.families.requests.inc({ plugin: this.plugin, signal, status });
    };
  }

  points(n: number): void {
    this.families.points.inc({ plugin: this.plugin }, n);
  }

  logs(n: number): void {
    this.families.logs.inc({ plugin: this.plugin }, n);
  }

  rejected(signal: string, n: number): void {
    this.families.rejected.inc({ plugin: this.plugin, signal }, n);
  }

  overflow(metric: string): void {
    this.families.overflow.inc({ plugin: this.plugin, metric });
  }
}

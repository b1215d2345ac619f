import { Counter, Histogram, type Registry } from 'prom-client';
import { InstanceMetrics, sharedMetric } from '../../src/telemetry/instance-metrics.js';

const REQUESTS = 'gax_datadog_requests_total';
const DURATION = 'gax_datadog_request_duration_seconds';
const POINTS = 'gax_datadog_points_total';
const LOGS = 'gax_datadog_logs_total';
const COLLAPSED = 'gax_datadog_tag_sets_collapsed_total';

/** The plugin's metric families in `registry`, registered by its first instance and shared. */
function families(registry: Registry, plugin?: string) {
  return {
    requests: sharedMetric(
      registry,
      REQUESTS,
      (registers) =>
        new Counter({
          name: REQUESTS,
          help: 'Datadog API requests, by endpoint (series, distribution_points, logs) and HTTP status (`error`: no response).',
          labelNames: ['plugin', 'endpoint', 'status'],
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
          help: 'Time from sending a Datadog API request to its response.',
          labelNames: ['plugin', 'endpoint'],
          buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
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
          help: 'Points Datadog accepted: count points (one per series and bucket) and distribution values.',
          labelNames: ['plugin', 'type'],
          registers,
        }),
      plugin,
    ),
    logs: sharedMetric(
      registry,
      LOGS,
      (registers) =>
        new Counter({ name: LOGS, help: 'Logs Datadog accepted.', labelNames: ['plugin'], registers }),
      plugin,
    ),
    collapsed: sharedMetric(
      registry,
      COLLAPSED,
      (registers) =>
        new Counter({
          name: COLLAPSED,
          help: 'Tag sets collapsed to `other` because a metric reached maxTagSetsPerFlush in one flush.',
          labelNames: ['plugin', 'metric'],
          registers,
        }),
      plugin,
    ),
  };
}

/** Registers every metric a Datadog instance registers (the definition's `selfMetrics`). */
export function registerDdMetrics(registry: Registry): void {
  families(registry);
}

/**
 * The plugin's own metrics: API requests by endpoint and status, points and logs accepted, and
 * tag sets collapsed to `other` by the cost cap. Labels are bounded unions. Every instance
 * (`datadog`, `datadog/eu`) shares the families and has its own `plugin` label.
 */
export class DdMetrics extends InstanceMetrics<ReturnType<typeof families>> {
  constructor(registry: Registry, plugin: string) {
    super(registry, plugin, families);
    for (const type of ['count', 'distribution']) this.families.points.inc({ plugin, type }, 0);
  }

  startRequest(endpoint: string): (status: string) => void {
    const end = this.families.duration.startTimer({ plugin: this.plugin, endpoint });
    return (status) => {
      end();
      this.families.requests.inc({ plugin: this.plugin, endpoint, status });
    };
  }

  points(type: 'count' | 'distribution', n: number): void {
    this.families.points.inc({ plugin: this.plugin, type }, n);
  }

  logs(n: number): void {
    this.families.logs.inc({ plugin: this.plugin }, n);
  }

  collapsed(metric: string): void {
    this.families.collapsed.inc({ plugin: this.plugin, metric });
  }
}

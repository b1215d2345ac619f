import { Counter, Histogram, type Registry } from 'prom-client';

const REQUESTS = 'gax_datadog_requests_total';
const DURATION = 'gax_datadog_request_duration_seconds';
const POINTS = 'gax_datadog_points_total';
const LOGS = 'gax_datadog_logs_total';
const COLLAPSED = 'gax_datadog_tag_sets_collapsed_total';

/**
 * The plugin's own metrics: API requests by endpoint and status, points and logs accepted, and
 * tag sets collapsed to `other` by the cost cap. Labels are bounded unions.
 */
export class DdMetrics {
  readonly #registry: Registry;
  readonly #plugin: string;
  readonly #requests: Counter<'plugin' | 'endpoint' | 'status'>;
  readonly #duration: Histogram<'plugin' | 'endpoint'>;
  readonly #points: Counter<'plugin' | 'type'>;
  readonly #logs: Counter<'plugin'>;
  readonly #collapsed: Counter<'plugin' | 'metric'>;

  constructor(registry: Registry, plugin: string) {
    this.#registry = registry;
    this.#plugin = plugin;
    const registers = [registry];
    this.#requests = new Counter({
      name: REQUESTS,
      help: 'Datadog API requests, by endpoint (series, distribution_points, logs) and HTTP status (`error`: no response).',
      labelNames: ['plugin', 'endpoint', 'status'],
      registers,
    });
    this.#duration = new Histogram({
      name: DURATION,
      help: 'Time from sending a Datadog API request to its response.',
      labelNames: ['plugin', 'endpoint'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.#points = new Counter({
      name: POINTS,
      help: 'Points Datadog accepted: count points (one per series and bucket) and distribution values.',
      labelNames: ['plugin', 'type'],
      registers,
    });
    this.#logs = new Counter({
      name: LOGS,
      help: 'Logs Datadog accepted.',
      labelNames: ['plugin'],
      registers,
    });
    this.#collapsed = new Counter({
      name: COLLAPSED,
      help: 'Tag sets collapsed to `other` because a metric reached maxTagSetsPerFlush in one flush.',
      labelNames: ['plugin', 'metric'],
      registers,
    });
    for (const type of ['count', 'distribution']) this.#points.inc({ plugin, type }, 0);
  }

  startRequest(endpoint: string): (status: string) => void {
    const end = this.#duration.startTimer({ plugin: this.#plugin, endpoint });
    return (status) => {
      end();
      this.#requests.inc({ plugin: this.#plugin, endpoint, status });
    };
  }

  points(type: 'count' | 'distribution', n: number): void {
    this.#points.inc({ plugin: this.#plugin, type }, n);
  }

  logs(n: number): void {
    this.#logs.inc({ plugin: this.#plugin }, n);
  }

  collapsed(metric: string): void {
    this.#collapsed.inc({ plugin: this.#plugin, metric });
  }

  remove(): void {
    for (const name of [REQUESTS, DURATION, POINTS, LOGS, COLLAPSED]) this.#registry.removeSingleMetric(name);
  }
}

import { definePlugin, sectionSchema } from '../../src/plugin/define.js';
import { prometheusConfig } from './config.js';

/** The Prometheus plugin: request metrics on the daemon's `/metrics`. */
export const prometheusPlugin = definePlugin({
  type: 'prometheus',
  summary: 'The Prometheus plugin: request metrics.',
  enabled: {
    default: true,
    description: 'Aggregate events into Prometheus metrics on `/metrics` (needs `server.enabled`).',
  },
  maxEventAge: {
    default: '5m',
    why: 'Counters count live traffic: replayed history (a first run on a backlog, a restart) would distort rates.',
  },
  config: prometheusConfig,
  history: {
    accepts: 'none',
    reason:
      'its counters are live: they start at zero with the process and Prometheus scrapes only their current value, so history replayed into them is never stored with its own time (and is gone when the command exits). Send history to Elasticsearch instead: --plugin elasticsearch',
  },
  load: () => import('./plugin.js'),
  selfMetrics: async (registry) => (await import('./metrics.js')).registerPrometheusMetrics(registry),
  describe: (section, { id }) => {
    const on = Object.entries(section.labels)
      .filter(([, enabled]) => enabled)
      .map(([key]) => key);
    const labels = on.length === 0 ? '' : `, with labels ${on.join(', ')}`;
    const semconv = section.semconv.http ? ', and http_server_request_duration_seconds' : '';
    return [
      `  ${id}: ${section.metricPrefix}_* on /metrics (at most ${section.maxSeriesPerMetric} series per metric${labels})${semconv}`,
    ];
  },
  conflicts: (section, { serverEnabled, earlier }) => [
    ...(serverEnabled
      ? []
      : [
          {
            path: ['enabled'],
            message:
              'the prometheus plugin is served on the HTTP server’s /metrics, but server.enabled is false: nothing can scrape it (enable the server, or disable the plugin)',
          },
        ]),
    ...earlier
      .filter((other) => other.section.metricPrefix === section.metricPrefix)
      .map((other) => ({
        path: ['metricPrefix'],
        message: `${other.id} already exposes its metrics as ${section.metricPrefix}_*: this instance would fail to start; give it its own metricPrefix`,
      })),
    ...earlier
      .filter((other) => section.semconv.http && other.section.semconv.http)
      .map((other) => ({
        path: ['semconv', 'http'],
        message: `${other.id} already enables semconv.http: http_server_request_duration_seconds has a standard name (no metricPrefix), so only one prometheus instance may enable it`,
      })),
  ],
});

/** `plugins.prometheus`, as validated. */
export const PrometheusConfigSchema = sectionSchema(prometheusPlugin);

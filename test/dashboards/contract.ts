/**
 * The metrics the bundled dashboard and rules may use: what gax serves on `/metrics` (the
 * prometheus plugin's `apim_*` metrics and the daemon's own `gax_*` ones) plus Prometheus' `up`.
 * contract.test.ts checks this list against the metrics the code registers.
 */

export type MetricType = 'counter' | 'gauge' | 'histogram';

export interface MetricContract {
  readonly type: MetricType;
  readonly labels: readonly string[];
}

const ROUTE = ['api', 'api_version', 'method', 'resource'] as const;

export const METRIC_CONTRACT = {
  apim_requests_total: {
    type: 'counter',
    labels: [
      ...ROUTE,
      'status_code',
      'event_type',
      'key_type',
      'application',
      'user',
      'platform',
      'user_agent',
      'destination',
      'target_status_code',
      'tenant',
      'region',
      'api_creator',
      'application_owner',
    ],
  },
  apim_request_duration_seconds: { type: 'histogram', labels: ROUTE },
  apim_backend_duration_seconds: { type: 'histogram', labels: [...ROUTE, 'destination'] },
  apim_mediation_duration_seconds: { type: 'histogram', labels: [...ROUTE, 'direction'] },
  apim_errors_total: {
    type: 'counter',
    labels: ['api', 'api_version', 'error_type', 'error_code', 'error_message'],
  },
  apim_cache_hits_total: { type: 'counter', labels: ['api', 'api_version'] },
  apim_response_size_bytes: { type: 'histogram', labels: ['api', 'api_version'] },
  apim_ai_tokens_total: { type: 'counter', labels: ['api', 'vendor', 'model', 'token_type'] },
  apim_ai_requests_total: { type: 'counter', labels: ['api', 'vendor', 'model', 'status_code'] },
  apim_ai_request_duration_seconds: { type: 'histogram', labels: ['api', 'vendor', 'model'] },
  /** OpenTelemetry's HTTP server histogram (`semconv.http`), unprefixed. */
  http_server_request_duration_seconds: {
    type: 'histogram',
    labels: ['http_request_method', 'http_response_status_code', 'http_route', 'error_type'],
  },
  gax_prometheus_series_overflow_total: { type: 'counter', labels: ['metric'] },
  gax_prometheus_series: { type: 'gauge', labels: ['metric'] },
  gax_input_lag_seconds: { type: 'gauge', labels: ['plugin', 'file'] },
  gax_input_lag_bytes: { type: 'gauge', labels: ['plugin', 'file'] },
  gax_events_delivered_total: { type: 'counter', labels: ['plugin'] },
  gax_lines_read_total: { type: 'counter', labels: ['plugin'] },
  gax_lines_rejected_total: { type: 'counter', labels: ['plugin', 'reason'] },
  gax_events_dead_lettered_total: { type: 'counter', labels: ['plugin', 'kind'] },
  gax_plugin_up: { type: 'gauge', labels: ['plugin'] },
  gax_checkpoint_write_failures: { type: 'gauge', labels: [] },
  gax_input_read_errors_total: { type: 'counter', labels: ['plugin', 'code'] },
  up: { type: 'gauge', labels: [] },
} as const satisfies Record<string, MetricContract>;

export type ContractMetric = keyof typeof METRIC_CONTRACT;

/** Labels Prometheus adds to every scraped series. */
export const SCRAPE_LABELS: readonly string[] = ['job', 'instance'];

export const CONTRACT_METRICS = Object.keys(METRIC_CONTRACT) as ContractMetric[];

/** Series names a metric is queried by: a histogram by its `_bucket`, `_sum` and `_count` series. */
export function seriesNames(metric: ContractMetric): string[] {
  const { type } = METRIC_CONTRACT[metric];
  return type === 'histogram' ? [`${metric}_bucket`, `${metric}_sum`, `${metric}_count`] : [metric];
}

/** Every queryable series name → the contract metric it belongs to and the labels it carries. */
export function queryableSeries(): Map<string, { metric: ContractMetric; labels: Set<string> }> {
  const out = new Map<string, { metric: ContractMetric; labels: Set<string> }>();
  for (const metric of CONTRACT_METRICS) {
    for (const name of seriesNames(metric)) {
      const labels = new Set([...METRIC_CONTRACT[metric].labels, ...SCRAPE_LABELS]);
      if (name.endsWith('_bucket')) labels.add('le');
      out.set(name, { metric, labels });
    }
  }
  return out;
}

import { Type } from '@sinclair/typebox';
import type { SectionConfig } from '../../src/plugin/define.js';

/** `plugins.prometheus`: aggregate events into metrics served on the server's `/metrics`. (own keys; the common ones are composed in by definePlugin) */
export const prometheusConfig = {
  labels: Type.Object(
    {
      application: optIn('Add an `application` label (unbounded cardinality: one series per application).'),
      user: optIn('Add a `user` label (unbounded cardinality: one series per user).'),
      platform: optIn(
        'Add a `platform` label (operating-system family) to `apim_requests_total`; families outside a known list are `Other`.',
      ),
      userAgent: optIn(
        'Add a `user_agent` label (user-agent family) to `apim_requests_total`; families outside a known list are `Other`.',
      ),
      destination: optIn(
        'Add a `destination` label (backend endpoint, URL credentials redacted) to `apim_requests_total` and `apim_backend_duration_seconds` (one series per backend).',
      ),
      targetStatusCode: optIn(
        "Add a `target_status_code` label (the backend's status; -1 when there was no backend response) to `apim_requests_total`.",
      ),
      errorMessage: optIn(
        'Add an `error_message` label to `apim_errors_total`: the text of the WSO2 error code (e.g. `Application level throttle out`); for an unknown code the fault category, never the free text.',
      ),
      tenant: optIn("Add a `tenant` label (the API creator's tenant domain) to `apim_requests_total`."),
      region: optIn("Add a `region` label (the gateway's `regionId`) to `apim_requests_total`."),
      apiCreator: optIn('Add an `api_creator` label to `apim_requests_total`.'),
      applicationOwner: optIn(
        'Add an `application_owner` label to `apim_requests_total` (unbounded cardinality: one series per owner).',
      ),
    },
    {
      additionalProperties: false,
      default: {},
      description:
        'Optional labels, all off by default; each multiplies the series of the metrics it is on and stays under `maxSeriesPerMetric` and `maxLabelValueLength`.',
    },
  ),
  semconv: Type.Object(
    {
      http: Type.Boolean({
        default: false,
        description:
          "Also expose OpenTelemetry's stable `http_server_request_duration_seconds` histogram (labels `http_request_method`, `http_response_status_code`, `http_route`, `error_type`). Its name is standard, not prefixed: only one prometheus instance may enable it.",
      }),
    },
    {
      additionalProperties: false,
      default: {},
      description: 'OpenTelemetry semantic-convention metrics, beside the `apim_*` ones; off by default.',
    },
  ),
  maxSeriesPerMetric: Type.Integer({
    default: 10_000,
    minimum: 1,
    description:
      'Most label sets (series) one metric may have. Further label sets are counted in a single series whose labels are all `__overflow__`, and in `gax_prometheus_series_overflow_total{metric}`.',
  }),
  maxLabelValueLength: Type.Integer({
    default: 1024,
    minimum: 16,
    description:
      'Longest label value, in UTF-16 code units; longer ones (a huge user name or resource path) are cut to this length, ending in `...`, and counted in `gax_prometheus_label_values_truncated_total{metric,label}`. Mimir and Cortex refuse values over 2048 and a `label_value_length_limit` in the scrape config fails the whole scrape.',
  }),
  metricPrefix: Type.String({
    default: 'apim',
    pattern: '^[a-z_][a-z0-9_]*$',
    description:
      "First part of the gateway metrics' names: `apim` gives `apim_requests_total`, `apim_detailed` gives `apim_detailed_requests_total`. Two Prometheus instances (`prometheus`, `prometheus/<name>`) share `/metrics`, so each needs its own prefix.",
  }),
  allowLabels: Type.Record(
    Type.String({ pattern: '^[a-z_][a-z0-9_]*$' }),
    Type.Array(Type.String({ minLength: 1 })),
    {
      default: {},
      description:
        "Per metric, named with this instance's `metricPrefix`, the only labels to keep (others are aggregated away), e.g. `apim_requests_total: [api, status_code]`. A metric not listed keeps all its labels; a key naming no metric of this instance is logged at start.",
    },
  ),
  buckets: Type.Object(
    {
      latency: Type.Array(Type.Number({ exclusiveMinimum: 0 }), {
        minItems: 1,
        default: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
        description:
          'Upper bounds in seconds of the latency histograms (request, backend, mediation, AI request); `http_server_request_duration_seconds` has the fixed buckets of the OpenTelemetry conventions.',
      }),
      responseSize: Type.Array(Type.Number({ exclusiveMinimum: 0 }), {
        minItems: 1,
        default: [100, 1000, 10_000, 100_000, 1_000_000, 10_000_000],
        description: 'Upper bounds in bytes of `apim_response_size_bytes`.',
      }),
    },
    { additionalProperties: false, default: {}, description: 'Histogram buckets.' },
  ),
};

/** An opt-in label switch, off by default. */
function optIn(description: string) {
  return Type.Boolean({ default: false, description });
}

export type PrometheusConfig = SectionConfig<typeof prometheusConfig>;

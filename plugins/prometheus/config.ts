import { Type } from '@sinclair/typebox';
import type { SectionConfig } from '../../src/plugin/define.js';

/** `plugins.prometheus`: aggregate events into metrics served on the server's `/metrics`. (own keys; the common ones are composed in by definePlugin) */
export const prometheusConfig = {
  labels: Type.Object(
    {
      application: Type.Boolean({
        default: false,
        description: 'Add an `application` label (unbounded cardinality: one series per application).',
      }),
      user: Type.Boolean({
        default: false,
        description: 'Add a `user` label (unbounded cardinality: one series per user).',
      }),
    },
    {
      additionalProperties: false,
      default: {},
      description: 'Optional labels with unbounded cardinality; both off by default.',
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
        description: 'Upper bounds in seconds of the latency histograms (request, backend, mediation).',
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

export type PrometheusConfig = SectionConfig<typeof prometheusConfig>;

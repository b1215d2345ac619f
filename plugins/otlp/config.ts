import { Type } from '@sinclair/typebox';
import { clientTlsSchema } from '../../src/config/tls-schema.js';
import type { SectionConfig } from '../../src/plugin/define.js';

/** Most buckets of an exponential histogram by default: the OpenTelemetry SDK's default `maxSize`. */
export const DEFAULT_MAX_BUCKETS = 160;

const url = (description: string) =>
  Type.Optional(
    Type.String({
      format: 'uri',
      pattern: '^https?://',
      errorMessage: 'must be an http(s) URL',
      description,
    }),
  );

/** `plugins.otlp`: metrics and logs over OTLP/HTTP. (own keys; the common ones are composed in by definePlugin) */
export const otlpConfig = {
  endpoint: Type.String({
    default: 'http://127.0.0.1:4318',
    format: 'uri',
    pattern: '^https?://',
    errorMessage: 'must be an http(s) URL',
    description:
      'Base URL of the OTLP/HTTP receiver (a Collector, or a backend that takes OTLP); `/v1/metrics` and `/v1/logs` are appended.',
  }),
  metricsEndpoint: url('Full URL for metrics, used as it is instead of `endpoint` + `/v1/metrics`.'),
  logsEndpoint: url('Full URL for logs, used as it is instead of `endpoint` + `/v1/logs`.'),
  headers: Type.Record(
    Type.String({ pattern: "^[A-Za-z0-9!#$%&'*+.^_`|~-]+$" }),
    Type.String({ secret: true }),
    {
      default: {},
      description:
        // biome-ignore lint/suspicious/noTemplateCurlyInString: ${VAR} is config syntax
        'Headers of every request, e.g. `Authorization: "Bearer ${OTLP_TOKEN}"`. Values are treated as secrets (redacted in `check-config --print`; take them from the environment).',
    },
  ),
  encoding: Type.Union([Type.Literal('protobuf'), Type.Literal('json')], {
    default: 'protobuf',
    description: 'OTLP/HTTP body encoding: `protobuf` (binary, every receiver takes it) or `json`.',
  }),
  compression: Type.Union([Type.Literal('gzip'), Type.Literal('none')], {
    default: 'gzip',
    description: 'Body compression.',
  }),
  signals: Type.Object(
    {
      metrics: Type.Boolean({ default: true, description: 'Send the gateway metrics.' }),
      logs: Type.Boolean({ default: true, description: 'Send one log record per event.' }),
    },
    { additionalProperties: false, default: {}, description: 'Which signals to send.' },
  ),
  temporality: Type.Union([Type.Literal('cumulative'), Type.Literal('delta')], {
    default: 'cumulative',
    description:
      '`cumulative`: every export carries the totals since the plugin started (a resent export cannot count twice); `delta`: each export carries what happened since the last one (what some backends want; an export whose answer was lost and is resent counts twice).',
  }),
  histogram: Type.Union([Type.Literal('explicit'), Type.Literal('exponential')], {
    default: 'explicit',
    description:
      '`explicit`: histograms with the bucket bounds of `buckets` (as the Prometheus plugin); `exponential`: base-2 exponential histograms (no bounds to choose; use it where the receiver takes them).',
  }),
  maxBuckets: Type.Integer({
    default: DEFAULT_MAX_BUCKETS,
    minimum: 2,
    maximum: 1000,
    description: 'Most buckets of one exponential histogram data point (the scale drops to stay within it).',
  }),
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
        description: 'Upper bounds in bytes of `http.server.response.body.size`.',
      }),
    },
    {
      additionalProperties: false,
      default: {},
      description:
        'Explicit histogram buckets (`histogram: explicit`). Token usage uses the bounds the GenAI conventions advise.',
    },
  ),
  labels: Type.Object(
    {
      application: Type.Boolean({
        default: false,
        description: 'Add `apim.application.name` to `apim.requests` (one series per application).',
      }),
      user: Type.Boolean({
        default: false,
        description: 'Add `user.name` to `apim.requests` (one series per user).',
      }),
    },
    {
      additionalProperties: false,
      default: {},
      description: 'Optional attributes with unbounded cardinality.',
    },
  ),
  maxSeriesPerMetric: Type.Integer({
    default: 10_000,
    minimum: 1,
    description:
      'Most attribute sets one metric may have; further ones are counted in one series with the attribute `otel.metric.overflow: true` (as an OpenTelemetry SDK does) and in `gax_otlp_series_overflow_total`.',
  }),
  exportIntervalMs: Type.Integer({
    default: 10_000,
    minimum: 100,
    description:
      'Events are aggregated (and log records collected) for this long and exported together; also sooner when 8 batches wait. Cumulative totals are re-sent at this interval when idle.',
  }),
  requestTimeoutMs: Type.Integer({
    default: 10_000,
    minimum: 100,
    description: 'A request not answered in this time is abandoned and retried, ms.',
  }),
  resource: Type.Record(Type.String({ minLength: 1 }), Type.String(), {
    default: {},
    description:
      "Resource attributes of everything sent, e.g. `deployment.environment.name: prod`. `service.name` defaults to `gax`; log records also get the event's `host.name` (the gateway node), metrics the host gax runs on.",
  }),
  tls: Type.Optional(
    clientTlsSchema(
      'OTLP receiver',
      'TLS to an `https://` receiver: a private CA and a client certificate. Unset: the public CAs, no client certificate.',
    ),
  ),
};

export type OtlpConfig = SectionConfig<typeof otlpConfig>;

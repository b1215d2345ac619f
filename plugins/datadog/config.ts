import { Type } from '@sinclair/typebox';
import { clientTlsSchema } from '../../src/config/tls-schema.js';
import type { SectionConfig } from '../../src/plugin/define.js';
import { DATADOG_METRICS } from './metrics.js';

/** The Datadog sites (`site`), each with its API host `api.<site>`. */
export const DATADOG_SITES = [
  'datadoghq.com',
  'us3.datadoghq.com',
  'us5.datadoghq.com',
  'datadoghq.eu',
  'ap1.datadoghq.com',
  'ap2.datadoghq.com',
  'ddog-gov.com',
] as const;

const tagList = (metric: keyof typeof DATADOG_METRICS) =>
  Type.Array(Type.Union(DATADOG_METRICS[metric].tags.map((t) => Type.Literal(t))), {
    default: [...DATADOG_METRICS[metric].defaultTags],
    uniqueItems: true,
    description: `Tags of \`${metric}\`, from: ${DATADOG_METRICS[metric].tags.join(', ')}.`,
  });

const TagsSchema = Type.Object(
  Object.fromEntries(
    Object.keys(DATADOG_METRICS).map((m) => [m, tagList(m as keyof typeof DATADOG_METRICS)]),
  ),
  {
    additionalProperties: false,
    default: {},
    description:
      'Tag allow-list per metric (cost control: each distinct tag set is one custom metric). `env` and `service` are added to every metric when set.',
  },
);

/** `logs.format`: how an event becomes a Datadog log item (plugins/datadog/README.md, "Logs"). */
export const LOG_FORMATS = ['json', 'wso2'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** The `ddsource` of WSO2's Datadog solution: its log pipeline filters on `source:apim_node`. */
export const WSO2_LOG_SOURCE = 'apim_node';

const LogsSchema = Type.Object(
  {
    enabled: Type.Boolean({
      default: false,
      description: 'Also send every canonical event to the Datadog Logs API (billed per GB ingested).',
    }),
    format: Type.Union(
      LOG_FORMATS.map((f) => Type.Literal(f)),
      {
        default: 'json',
        description:
          "`json`: the event as a JSON string in `message`. `wso2`: as WSO2's Datadog solution expects: `ddsource` `apim_node`, the event's fields as top-level attributes (WSO2's names, `eventType` `response`/`faulty`), a one-line `message`; `gax setup datadog` then creates its log pipeline and prints the facets and measures to add.",
      },
    ),
    source: Type.String({
      default: '',
      description:
        "The `ddsource` of the logs (Datadog's integration pipeline for them); empty: `apim_node` with `format: wso2`, else each event's `gateway.type`, e.g. `wso2-apim`.",
    }),
  },
  { additionalProperties: false, default: {}, description: 'Canonical events as Datadog logs.' },
);

/** `plugins.datadog`: request metrics (and optionally logs) to the Datadog API. (own keys; the common ones are composed in by definePlugin) */
export const datadogConfig = {
  apiKey: Type.String({
    default: '',
    secret: true,
    // biome-ignore lint/suspicious/noTemplateCurlyInString: ${VAR} is config syntax
    description: 'Datadog API key. Use `${DD_API_KEY}` rather than the literal key, or `apiKeyFile`.',
  }),
  apiKeyFile: Type.Optional(
    Type.String({
      minLength: 1,
      filePath: true,
      description: 'File holding the API key (e.g. a mounted Kubernetes secret); read at start.',
    }),
  ),
  site: Type.Union(
    DATADOG_SITES.map((s) => Type.Literal(s)),
    { default: 'datadoghq.com', description: `Datadog site: ${DATADOG_SITES.join(', ')}.` },
  ),
  url: Type.Optional(
    Type.String({
      format: 'uri',
      pattern: '^https?://',
      errorMessage: 'must be an http(s) URL',
      description: 'Custom API base URL (a proxy or a PrivateLink endpoint); replaces `site`.',
    }),
  ),
  tls: Type.Optional(
    clientTlsSchema(
      'Datadog API (or `url` proxy)',
      'TLS to the Datadog API or the `url` proxy: a private CA (a TLS-inspecting proxy) and a client certificate. Unset: the public CAs, no client certificate.',
    ),
  ),
  prefix: Type.String({
    default: 'apim.',
    pattern: '^[a-zA-Z][a-zA-Z0-9_.]*\\.?$',
    description: 'Prefix of every metric name.',
  }),
  env: Type.Optional(Type.String({ minLength: 1, description: 'Value of the `env` tag on every metric.' })),
  service: Type.Optional(
    Type.String({ minLength: 1, description: 'Value of the `service` tag on every metric (and log).' }),
  ),
  flushIntervalSeconds: Type.Integer({
    default: 10,
    minimum: 1,
    maximum: 60,
    description: 'Metrics are aggregated per tag set for this long (by event time) and sent together.',
  }),
  maxTagSetsPerFlush: Type.Integer({
    default: 1000,
    minimum: 1,
    description:
      'Distinct tag sets per metric in one flush; beyond it, tag values collapse to `other` (counted in gax_datadog_tag_sets_collapsed_total).',
  }),
  tags: TagsSchema,
  logs: LogsSchema,
  requestTimeoutMs: Type.Integer({
    default: 30_000,
    minimum: 100,
    description: 'A request not answered in this time is abandoned and retried, ms.',
  }),
};

export type DatadogConfig = SectionConfig<typeof datadogConfig>;

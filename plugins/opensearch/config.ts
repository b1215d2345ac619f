import { Type } from '@sinclair/typebox';
import { BasicAuthSchema } from '../../src/config/auth-schema.js';
import {
  caFileSchema,
  clientCertPairs,
  clientCertSchemas,
  rejectUnauthorizedSchema,
} from '../../src/config/tls-schema.js';
import type { SectionConfig } from '../../src/plugin/define.js';
import {
  bulkDeliverySchemas,
  clockSkewMsSchema,
  indexPrefixSchema,
  templatesSchema,
} from '../../src/search-index/config-schema.js';

const NodeUrl = (description: string, defaultUrl?: string) =>
  Type.String({
    ...(defaultUrl === undefined ? {} : { default: defaultUrl }),
    format: 'uri',
    pattern: '^https?://',
    errorMessage: 'must be an http(s) URL such as http://127.0.0.1:9200',
    description,
  });

const TlsSchema = Type.Object(
  { caFile: caFileSchema('OpenSearch'), ...clientCertSchemas, rejectUnauthorized: rejectUnauthorizedSchema },
  { additionalProperties: false, ...clientCertPairs, default: {}, description: 'TLS to an `https://` node.' },
);

const TemplatesSchema = templatesSchema('gax setup opensearch', {});

const RolloverAfterSchema = Type.Object(
  {
    age: Type.Optional(
      Type.String({
        pattern: '^[0-9]+(d|h|m|s)$',
        errorMessage: 'must be a time such as 1d, 12h, 30m',
        description: 'Roll over when the write index is this old (`min_index_age`).',
      }),
    ),
    primaryShardSize: Type.Optional(
      Type.String({
        pattern: '^[0-9]+(b|kb|mb|gb|tb)$',
        errorMessage: 'must be a size such as 50gb, 500mb',
        description:
          'Roll over when a primary shard of the write index is this large (`min_primary_shard_size`).',
      }),
    ),
    docs: Type.Optional(
      Type.Integer({
        minimum: 1,
        description: 'Roll over when the write index holds this many documents (`min_doc_count`).',
      }),
    ),
  },
  {
    additionalProperties: false,
    default: { age: '1d', primaryShardSize: '50gb' },
    description:
      'With `indexMode: dataStream`: the conditions of the policy’s `rollover` action, the first one met rolls the data stream over. At least one; when the key is left out, `age: 1d` and `primaryShardSize: 50gb`.',
    minProperties: 1,
  },
);

const IsmSchema = Type.Object(
  {
    enabled: Type.Boolean({
      default: false,
      description:
        'Install an Index State Management policy (needs the ISM plugin, part of the standard OpenSearch distribution). `daily`: deletes each daily index `deleteAfterDays` after its creation; `dataStream`: rolls the write index over (`rolloverAfter`), then deletes each backing index `deleteAfterDays` after its creation. Not with `indexMode: index`.',
    }),
    policyId: Type.String({
      default: 'gax-apim-analytics',
      pattern: '^[a-z0-9][a-z0-9_.-]*$',
      errorMessage: 'must be a lowercase policy id (a-z, 0-9, _ . -)',
      description:
        'Id of the ISM policy the plugin owns (created or updated by the daemon and `gax setup opensearch`).',
    }),
    deleteAfterDays: Type.Integer({
      default: 30,
      minimum: 1,
      maximum: 36_500,
      description: 'Days after its creation a daily (or rolled-over backing) index is deleted by the policy.',
    }),
    rolloverAfter: RolloverAfterSchema,
  },
  {
    additionalProperties: false,
    default: {},
    description:
      'Retention through Index State Management (plugins/opensearch/README.md, "ISM"); off by default.',
  },
);

/** `plugins.opensearch`: index events with the bulk API. (own keys; the common ones are composed in by definePlugin) */
export const opensearchConfig = {
  node: NodeUrl(
    'Base URL of the OpenSearch node or load balancer. Ignored when `nodes` is set.',
    'http://127.0.0.1:9200',
  ),
  nodes: Type.Optional(
    Type.Array(NodeUrl('Base URL of one OpenSearch node.'), {
      minItems: 1,
      description: 'Several nodes of one cluster, used in turn; replaces `node`.',
    }),
  ),
  auth: Type.Optional(BasicAuthSchema),
  tls: TlsSchema,
  indexPrefix: indexPrefixSchema('index names'),
  indexMode: Type.Union([Type.Literal('daily'), Type.Literal('index'), Type.Literal('dataStream')], {
    default: 'daily',
    description:
      '`daily`: `<prefix>_response-YYYY-MM-DD` by the event’s requestTimestamp (the indices WSO2’s Fluent Bit `opensearch` output writes with `Logstash_Format On`, `Logstash_DateFormat %Y-%m-%d`); `index`: the fixed indices `<prefix>_response` / `<prefix>_faulty`; `dataStream`: data streams of those names (rollover by the ISM policy, exactly once across it).',
  }),
  clockSkewMs: clockSkewMsSchema('OpenSearch'),
  ...bulkDeliverySchemas,
  templates: TemplatesSchema,
  ism: IsmSchema,
};

/** `plugins.opensearch` (or a named instance `plugins.opensearch/<name>`), as validated. */
export type OpenSearchConfig = SectionConfig<typeof opensearchConfig>;

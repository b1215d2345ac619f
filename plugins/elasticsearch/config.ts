import { Type } from '@sinclair/typebox';
import { BasicAuthSchema } from '../../src/config/auth-schema.js';
import { clientCertPairs, clientCertSchemas, rejectUnauthorizedSchema } from '../../src/config/tls-schema.js';
import type { SectionConfig } from '../../src/plugin/define.js';
import {
  bulkDeliverySchemas,
  clockSkewMsSchema,
  indexPrefixSchema,
  templatesSchema,
} from '../../src/search-index/config-schema.js';
import { RESERVED_PROPERTY_KEYS, SEARCHABLE_TYPES } from './searchable-fields.js';

const ApiKeyAuthSchema = Type.Object(
  {
    apiKey: Type.String({
      minLength: 1,
      secret: true,
      description: 'Base64 API key (`id:api_key` encoded), sent as `Authorization: ApiKey …`.',
    }),
  },
  { additionalProperties: false, description: 'API key authentication.' },
);

const TlsSchema = Type.Object(
  {
    caFile: Type.Optional(
      Type.String({
        minLength: 1,
        filePath: true,
        description: 'PEM file of the CA that signed the cluster certificate. Relative to the config file.',
      }),
    ),
    caFingerprint: Type.Optional(
      Type.String({
        pattern: '^([0-9A-Fa-f]{2}:?){31}[0-9A-Fa-f]{2}$',
        errorMessage: 'must be a SHA-256 fingerprint, 64 hex digits (colons allowed)',
        description:
          'SHA-256 fingerprint of the CA certificate (as printed by Elasticsearch on first start); an alternative to `caFile`: the connection is accepted when the CA that signed the server certificate has this fingerprint.',
      }),
    ),
    ...clientCertSchemas,
    rejectUnauthorized: rejectUnauthorizedSchema,
  },
  { additionalProperties: false, ...clientCertPairs, default: {}, description: 'TLS to an `https://` node.' },
);

const TemplatesSchema = templatesSchema('gax setup elasticsearch', {
  ilmPolicy: Type.Optional(
    Type.String({
      minLength: 1,
      description:
        'Name of an existing ILM policy to set as `index.lifecycle.name` (with `dataStream` or `daily` indices); see plugins/elasticsearch/README.md.',
    }),
  ),
});

const reserved = RESERVED_PROPERTY_KEYS.join('|');

const SearchableSchema = Type.Object(
  {
    properties: Type.Record(
      Type.String({ pattern: `^(?!(?:${reserved})$)[^.]{1,255}$` }),
      Type.Union(
        SEARCHABLE_TYPES.map((t) => Type.Literal(t)),
        { errorMessage: `must be one of: ${SEARCHABLE_TYPES.join(', ')}` },
      ),
      {
        additionalProperties: Type.Not(Type.Any(), {
          errorMessage: `cannot be a custom key: a key has no dots, and these keys are mapped already: ${RESERVED_PROPERTY_KEYS.join(', ')} (\`headers\` and \`mcpAnalytics\` turn on the last three)`,
        }),
        default: {},
        description:
          'Custom `properties.<key>` keys to index, each with its type: `keyword`, `text` (with a `.keyword` sub-field), `long`, `double`, `boolean` or `date`. A value that does not fit is kept in `_source` and not indexed (`ignore_malformed`; an object or a list of objects is moved to `gaxUnindexed`), never a failed document.',
      },
    ),
    headers: Type.Boolean({
      default: false,
      description:
        'Index `properties.requestHeaders` and `properties.responseHeaders` as `flattened` fields (one field each, every header value a keyword; values over 1024 characters not indexed). The `pii` rules do not cover headers.',
    }),
    mcpAnalytics: Type.Boolean({
      default: false,
      description:
        'Index `properties.mcpAnalytics` as a `flattened` field (one field, every leaf value a keyword; values over 1024 characters not indexed).',
    }),
  },
  {
    additionalProperties: false,
    default: {},
    description:
      'Opt-in indexing of what is otherwise kept in `_source` only; applies to indices created after the templates are updated (plugins/elasticsearch/README.md, "Searching custom properties and headers").',
  },
);

/** `plugins.elasticsearch`: index events with the bulk API. (own keys; the common ones are composed in by definePlugin) */
export const elasticsearchConfig = {
  node: Type.String({
    default: 'http://127.0.0.1:9200',
    format: 'uri',
    pattern: '^https?://',
    errorMessage: 'must be an http(s) URL such as http://127.0.0.1:9200',
    description: 'Base URL of the Elasticsearch node or load balancer. Ignored when `cloudId` is set.',
  }),
  cloudId: Type.Optional(
    Type.String({
      minLength: 1,
      description: 'Elastic Cloud deployment id (`name:base64…`); replaces `node`.',
    }),
  ),
  auth: Type.Optional(
    Type.Union([ApiKeyAuthSchema, BasicAuthSchema], {
      description:
        'Credentials: either `{ apiKey }` or `{ username, password }`. Omit for no authentication.',
    }),
  ),
  tls: TlsSchema,
  indexPrefix: indexPrefixSchema('index (or data stream) names'),
  indexMode: Type.Union([Type.Literal('index'), Type.Literal('daily'), Type.Literal('dataStream')], {
    default: 'index',
    description:
      '`index`: the fixed indices `<prefix>_response` / `<prefix>_faulty` (as WSO2’s Logstash writes them); `daily`: `<prefix>_response-YYYY.MM.DD` by the event’s requestTimestamp; `dataStream`: data streams of those names (rollover by ILM).',
  }),
  clockSkewMs: clockSkewMsSchema('Elasticsearch'),
  ...bulkDeliverySchemas,
  templates: TemplatesSchema,
  searchable: SearchableSchema,
};

export type ElasticsearchConfig = SectionConfig<typeof elasticsearchConfig>;

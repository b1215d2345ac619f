import { type Static, Type } from '@sinclair/typebox';
import { maxEventAgeSchema } from '../../src/config/duration.js';

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

const BasicAuthSchema = Type.Object(
  {
    username: Type.String({ minLength: 1, description: 'User for HTTP basic authentication.' }),
    password: Type.String({ secret: true, description: 'Password for HTTP basic authentication.' }),
  },
  { additionalProperties: false, description: 'HTTP basic authentication.' },
);

/** `plugins.elasticsearch`: index events with the bulk API. */
export const ElasticsearchConfigSchema = Type.Object(
  {
    enabled: Type.Boolean({ default: false, description: 'Index events into Elasticsearch.' }),
    maxEventAge: maxEventAgeSchema(
      '0s',
      'A first run on a large backlog can skip what is too old to matter.',
    ),
    node: Type.String({
      default: 'http://127.0.0.1:9200',
      format: 'uri',
      pattern: '^https?://',
      errorMessage: 'must be an http(s) URL such as http://127.0.0.1:9200',
      description: 'Base URL of the Elasticsearch node or load balancer.',
    }),
    auth: Type.Optional(
      Type.Union([ApiKeyAuthSchema, BasicAuthSchema], {
        description:
          'Credentials: either `{ apiKey }` or `{ username, password }`. Omit for no authentication.',
      }),
    ),
    indexPrefix: Type.String({
      default: 'apim_event',
      pattern: '^[a-z0-9][a-z0-9_.-]*$',
      errorMessage: 'must be a lowercase index name prefix (a-z, 0-9, _ . -)',
      description: 'Prefix of the index (or data stream) names the events are written to.',
    }),
  },
  {
    additionalProperties: false,
    default: {},
    description: 'The Elasticsearch plugin: one document per event.',
  },
);

export type ElasticsearchConfig = Static<typeof ElasticsearchConfigSchema>;

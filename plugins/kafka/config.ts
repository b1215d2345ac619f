import { Type } from '@sinclair/typebox';
import { clientTlsSchema } from '../../src/config/tls-schema.js';
import type { SectionConfig } from '../../src/plugin/define.js';

const SaslSchema = Type.Object(
  {
    mechanism: Type.Union(
      [Type.Literal('PLAIN'), Type.Literal('SCRAM-SHA-256'), Type.Literal('SCRAM-SHA-512')],
      { default: 'SCRAM-SHA-512', description: 'SASL mechanism the brokers offer.' },
    ),
    username: Type.String({ minLength: 1, description: 'SASL user.' }),
    password: Type.String({ secret: true, description: 'SASL password.' }),
  },
  { additionalProperties: false, description: 'SASL authentication. Omit for none.' },
);

/** `plugins.kafka`: one record per event on a Kafka topic. (own keys; the common ones are composed in by definePlugin) */
export const kafkaConfig = {
  brokers: Type.Array(
    Type.String({
      pattern: '^[^:\\s]+:[0-9]{1,5}$',
      errorMessage: 'must be host:port, such as kafka-1:9092',
    }),
    {
      default: ['127.0.0.1:9092'],
      minItems: 1,
      description: 'Bootstrap brokers, `host:port`. The client learns the rest of the cluster from them.',
    },
  ),
  topic: Type.String({
    default: 'apim-events',
    pattern: '^([a-zA-Z0-9._-]|\\{eventType\\})+$',
    maxLength: 249,
    errorMessage: 'must be a Kafka topic name (a-z, A-Z, 0-9, . _ -), optionally with {eventType}',
    description:
      'Topic the events are written to. `{eventType}` is replaced by the event type (`apim-{eventType}` gives `apim-response` and `apim-faulty`). The topic must exist: gax does not create topics.',
  }),
  clientId: Type.String({
    default: 'gax',
    minLength: 1,
    description: 'Client id the brokers log and use for quotas.',
  }),
  compression: Type.Union(
    [Type.Literal('none'), Type.Literal('gzip'), Type.Literal('snappy'), Type.Literal('lz4')],
    {
      default: 'lz4',
      description:
        'Compression of record batches. `lz4` is fast and cuts 1 KB events about fourfold; `gzip` is smaller and costs more CPU.',
    },
  ),
  maxRequestBytes: Type.Integer({
    default: 1_000_000,
    minimum: 16_384,
    maximum: 100_000_000,
    description:
      'Most bytes of record values in one produce request; a larger batch is sent as several requests, one after another. Keep it under the brokers’ `message.max.bytes` (1 MB by default) so an uncompressed batch always fits.',
  }),
  maxMessageBytes: Type.Integer({
    default: 1_000_000,
    minimum: 1024,
    maximum: 100_000_000,
    description:
      'Largest event (JSON bytes) sent; a larger one is dead-lettered with that reason instead of being refused by the broker over and over. Match the topic’s `max.message.bytes`.',
  }),
  timeoutMs: Type.Integer({
    default: 30_000,
    minimum: 1000,
    maximum: 600_000,
    description:
      'How long one produce request (with `acks=all`) or connection attempt may take before the batch is retried.',
  }),
  tls: Type.Optional(
    clientTlsSchema(
      'broker',
      'TLS to the brokers (their listener must be SSL or SASL_SSL). Omit for a plaintext connection; `{}` for TLS with the public CAs.',
    ),
  ),
  sasl: Type.Optional(SaslSchema),
};

export type KafkaConfig = SectionConfig<typeof kafkaConfig>;

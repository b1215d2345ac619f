import { type TProperties, Type } from '@sinclair/typebox';

/**
 * Config keys both search-engine plugins (Elasticsearch, OpenSearch) have, with the same meaning:
 * how bulk requests are cut and sent, and the shards of a new index.
 */
export const bulkDeliverySchemas = {
  flushBytes: Type.Integer({
    default: 5_242_880,
    minimum: 1024,
    maximum: 104_857_600,
    description:
      'Most bytes (uncompressed) in one bulk request; a larger batch is split into several requests.',
  }),
  concurrency: Type.Integer({
    default: 2,
    minimum: 1,
    maximum: 32,
    description:
      'Batches in delivery at once, i.e. bulk requests in flight (a batch larger than `flushBytes` sends its requests one after another).',
  }),
  compression: Type.Boolean({ default: true, description: 'Gzip request bodies.' }),
  requestTimeoutMs: Type.Integer({
    default: 30_000,
    minimum: 100,
    description: 'A bulk request not answered in this time is abandoned and its documents retried, ms.',
  }),
};

/** `templates.numberOfShards` / `numberOfReplicas`. */
export const shardSchemas = {
  numberOfShards: Type.Optional(
    Type.Integer({
      minimum: 1,
      description: 'Primary shards of each new index (cluster default when unset).',
    }),
  ),
  numberOfReplicas: Type.Optional(
    Type.Integer({ minimum: 0, description: 'Replicas of each new index (cluster default when unset).' }),
  ),
};

/** `templates`: whether the plugin installs them, the shards of a new index, and `extra` keys. */
export function templatesSchema<P extends TProperties>(setupCommand: string, extra: P) {
  return Type.Object(
    {
      install: Type.Boolean({
        default: true,
        description: `Install (or update) the component and index templates before the first bulk request. Turn off when an administrator installs them with \`${setupCommand}\`.`,
      }),
      ...shardSchemas,
      ...extra,
    },
    { additionalProperties: false, default: {}, description: 'Index templates the plugin owns.' },
  );
}

/** `indexPrefix`: WSO2's `apim_event` by default; `names` says what it prefixes. */
export function indexPrefixSchema(names: string) {
  return Type.String({
    default: 'apim_event',
    pattern: '^[a-z0-9][a-z0-9_.-]*$',
    errorMessage: 'must be a lowercase index name prefix (a-z, 0-9, _ . -)',
    description: `Prefix of the ${names}: \`<prefix>_response\` and \`<prefix>_faulty\`. The default gives WSO2’s own names.`,
  });
}

/** `clockSkewMs` of `dataStream` mode (rollover-guard.ts); `engine` names the cluster. */
export function clockSkewMsSchema(engine: string) {
  return Type.Integer({
    default: 300_000,
    minimum: 0,
    maximum: 86_400_000,
    description: `With \`dataStream\`: how far the gateway’s clock may run ahead of ${engine}’s, ms. An event older than its write index’s creation plus this margin is first looked up by \`_id\` in the earlier backing indices, so a resend across a rollover stays one document.`,
  });
}

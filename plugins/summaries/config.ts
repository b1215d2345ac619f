import { Type } from '@sinclair/typebox';
import { durationPattern } from '../../src/config/duration.js';
import { clientTlsSchema } from '../../src/config/tls-schema.js';
import type { SectionConfig } from '../../src/plugin/define.js';
import { GRANULARITIES } from './granularity.js';
import { TABLES } from './tables.js';

/** `plugins.summaries`: WSO2 2.x/3.x aggregate tables in PostgreSQL, exactly once. (own keys; the common ones are composed in by definePlugin) */
export const summariesConfig = {
  postgres: Type.Object(
    {
      url: Type.String({
        default: 'postgresql://gax@127.0.0.1:5432/gax',
        pattern: '^postgres(ql)?://',
        errorMessage: 'must be a postgresql:// connection URL',
        description:
          'Connection URL, `postgresql://user@host:port/database`. Put the password in `password` (or the URL) from the environment, never in the file.',
      }),
      password: Type.Optional(
        Type.String({
          secret: true,
          description:
            "Password of the URL's user; take it from the environment, never write it in the file.",
        }),
      ),
      schema: Type.String({
        default: 'public',
        pattern: '^[A-Za-z_][A-Za-z0-9_]{0,62}$',
        errorMessage: 'must be a PostgreSQL schema name (letters, digits, _)',
        description: 'Schema holding the tables; created if missing.',
      }),
      tls: Type.Optional(
        clientTlsSchema(
          'PostgreSQL server',
          'TLS to the server (`{}` trusts the public CAs). Omit for none.',
        ),
      ),
      timeoutMs: Type.Integer({
        default: 30_000,
        minimum: 1000,
        description: 'Longest a connection attempt or one statement may take before the batch is retried.',
      }),
    },
    { additionalProperties: false, default: {}, description: 'The PostgreSQL server the tables live in.' },
  ),
  elasticsearch: Type.Optional(
    Type.Object(
      {
        node: Type.String({
          pattern: '^https?://',
          errorMessage: 'must be an http:// or https:// URL',
          description: 'Elasticsearch (or OpenSearch) node URL, `https://es.example.com:9200`.',
        }),
        username: Type.Optional(Type.String({ minLength: 1, description: 'Basic authentication user.' })),
        password: Type.Optional(
          Type.String({
            secret: true,
            description: "The user's password; take it from the environment, never write it in the file.",
          }),
        ),
        apiKey: Type.Optional(
          Type.String({
            secret: true,
            minLength: 1,
            description: 'API key (base64 `id:key`), instead of username and password; from the environment.',
          }),
        ),
        tls: Type.Optional(
          clientTlsSchema(
            'Elasticsearch node',
            'TLS to the node (`{}` trusts the public CAs). Omit for none.',
          ),
        ),
        indexPrefix: Type.String({
          default: 'gax-summaries-',
          pattern: '^[a-z0-9][a-z0-9_.-]{0,199}$',
          errorMessage: 'must be a lower-case Elasticsearch index name prefix',
          description:
            'Each table is the index `<indexPrefix><table, lower case>` (`gax-summaries-apiversionperappagg`); the index template `gax-summaries` covers `<indexPrefix>*`.',
        }),
      },
      {
        additionalProperties: false,
        dependencies: { password: ['username'], username: ['password'] },
        description:
          'Also keep the tables as Elasticsearch summary indices, one document per row (deterministic ids, absolute values, versioned by an outbox revision): PostgreSQL stays the source of truth, the indices follow it. Omit for none.',
      },
    ),
  ),
  granularities: Type.Array(Type.Union(GRANULARITIES.map((g) => Type.Literal(g))), {
    default: ['MINUTES', 'HOURS', 'DAYS', 'MONTHS'],
    minItems: 1,
    uniqueItems: true,
    description:
      'Granularities kept, each a table per aggregation (`ApiExeTime_HOURS`); buckets are UTC. SECONDS makes a row per second per key: only for short retention.',
  }),
  tables: Type.Array(Type.Union(TABLES.map((t) => Type.Literal(t.name))), {
    default: TABLES.map((t) => t.name),
    minItems: 1,
    uniqueItems: true,
    description: "WSO2's tables to keep (all by default).",
  }),
  createTables: Type.Boolean({
    default: true,
    description:
      'Create missing tables at start (as `gax setup postgres` does). `false` for a user without CREATE rights: the tables must exist.',
  }),
  dedupeWindow: Type.String({
    default: '1h',
    pattern: durationPattern,
    errorMessage: 'must be a duration such as 30m or 1h',
    description:
      'An event whose type and correlation id were counted within this long is a duplicate in the input and not counted again (the ids are kept in `gax_summaries_seen`); `0s` counts every line.',
  }),
  consumer: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 200,
      description:
        'Name of this reader in `gax_summaries_positions`, where the input positions are committed with the sums. Default `<host name>/<instance id>`; set a stable one when the host name changes across restarts (containers) and several sidecars share a database.',
    }),
  ),
};

export type SummariesConfig = SectionConfig<typeof summariesConfig>;

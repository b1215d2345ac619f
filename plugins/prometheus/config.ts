import { type Static, Type } from '@sinclair/typebox';
import { maxEventAgeSchema } from '../../src/config/duration.js';

/** A duration such as `30s`, `5m`, `1h` or `250ms`. */
/** `plugins.prometheus`: aggregate events into metrics served on the server's `/metrics`. */
export const PrometheusConfigSchema = Type.Object(
  {
    enabled: Type.Boolean({
      default: true,
      description: 'Aggregate events into Prometheus metrics on `/metrics` (needs `server.enabled`).',
    }),
    maxEventAge: maxEventAgeSchema(
      '5m',
      'Counters count live traffic: replayed history (a first run on a backlog, a restart) would distort rates.',
    ),
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
  },
  { additionalProperties: false, default: {}, description: 'The Prometheus plugin: request metrics.' },
);

export type PrometheusConfig = Static<typeof PrometheusConfigSchema>;

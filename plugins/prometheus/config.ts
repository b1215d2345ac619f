import { type Static, Type } from '@sinclair/typebox';

/** A duration such as `30s`, `5m`, `1h` or `250ms`. */
export const durationPattern = '^[0-9]+(ms|s|m|h|d)$';

const unitMs = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** Milliseconds in a duration string that matched {@link durationPattern}. */
export function parseDurationMs(text: string): number {
  const match = /^([0-9]+)(ms|s|m|h|d)$/.exec(text);
  if (match === null) throw new Error(`not a duration: ${text}`);
  return Number(match[1]) * unitMs[match[2] as keyof typeof unitMs];
}

/** `plugins.prometheus`: aggregate events into metrics served on the server's `/metrics`. */
export const PrometheusConfigSchema = Type.Object(
  {
    enabled: Type.Boolean({
      default: true,
      description: 'Aggregate events into Prometheus metrics on `/metrics` (needs `server.enabled`).',
    }),
    maxEventAge: Type.String({
      default: '5m',
      pattern: durationPattern,
      errorMessage: 'must be a duration such as 30s, 5m or 1h',
      description:
        'Events whose timestamp is older than this are not counted (replayed history would distort rates). A duration: `30s`, `5m`, `1h`.',
    }),
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

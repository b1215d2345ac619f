import { Type } from '@sinclair/typebox';

/** A duration in config: a whole number and a unit, `250ms`, `30s`, `5m`, `1h`, `7d`. */
export const durationPattern = '^[0-9]+(ms|s|m|h|d)$';

const unitMs = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** Milliseconds in a duration string that matched {@link durationPattern}. */
export function parseDurationMs(text: string): number {
  const match = /^([0-9]+)(ms|s|m|h|d)$/.exec(text);
  if (match === null) throw new Error(`not a duration: ${text}`);
  return Number(match[1]) * unitMs[match[2] as keyof typeof unitMs];
}

/** The `maxEventAge` key every plugin section has, with its own default (`0s`: no limit). */
export function maxEventAgeSchema(defaultValue: string, why: string) {
  return Type.String({
    default: defaultValue,
    pattern: durationPattern,
    errorMessage: 'must be a duration such as 30s, 5m or 1h',
    description: `Events whose requestTimestamp is older than this when read are skipped for this plugin and counted in gax_events_skipped_total{reason="too_old"}; \`0s\` means no limit. ${why}`,
  });
}

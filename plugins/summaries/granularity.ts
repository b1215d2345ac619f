/** WSO2's aggregation granularities, finest first; a table per granularity (`_HOURS`). */
export const GRANULARITIES = ['SECONDS', 'MINUTES', 'HOURS', 'DAYS', 'MONTHS', 'YEARS'] as const;

export type Granularity = (typeof GRANULARITIES)[number];

const FIXED: Partial<Record<Granularity, number>> = {
  SECONDS: 1000,
  MINUTES: 60_000,
  HOURS: 3_600_000,
  DAYS: 86_400_000,
};

/** The start of the UTC bucket of `granularity` holding epoch-ms `ms` (WSO2's `AGG_TIMESTAMP`). */
export function bucketStart(ms: number, granularity: Granularity): number {
  const size = FIXED[granularity];
  if (size !== undefined) return Math.floor(ms / size) * size;
  const date = new Date(ms);
  return granularity === 'MONTHS'
    ? Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1)
    : Date.UTC(date.getUTCFullYear(), 0, 1);
}

import type { v1, v2 } from '@datadog/datadog-api-client';
import type { CanonicalEvent } from '../../src/schema/event.js';
import type { Aggregator, Contribution, CountPoint } from './aggregate.js';
import { type DatadogConfig, WSO2_LOG_SOURCE } from './config.js';
import { wso2LogItem } from './log-wso2.js';
import { DATADOG_METRICS } from './metrics.js';

/** Series per v2 request: far inside 5 MiB decompressed / 512 kB compressed. */
export const SERIES_PER_REQUEST = 2000;
/** Distribution values per v1 request (about 8 bytes each in JSON, plus tags). */
export const VALUES_PER_REQUEST = 200_000;
/** Logs per request and bytes per request (Datadog: 1,000 entries, 5 MB uncompressed; 1 MB per entry). */
export const LOGS_PER_REQUEST = 1000;
export const LOG_BYTES_PER_REQUEST = 4_500_000;

const COUNT = 1;

/** What the payloads need of the aggregator: a key's metric and tags, and the bucket length. */
export type SeriesSource = Pick<Aggregator, 'series' | 'interval'>;

/**
 * v2 series bodies for count totals, at `bucket + slot`: every process run (generation) writes
 * its totals to its own second of the bucket, so a restart never overwrites the totals of the
 * run before it (counts are last-write-wins per second; rolled up, the seconds add up).
 */
export function seriesPayloads(
  points: readonly CountPoint[],
  agg: SeriesSource,
  prefix: string,
  slot: number,
): v2.MetricPayload[] {
  const bySeries = new Map<string, v2.MetricPoint[]>();
  for (const p of points) {
    const list = bySeries.get(p.key) ?? [];
    bySeries.set(p.key, list);
    list.push({ timestamp: p.bucket + slot, value: p.total });
  }
  const series: v2.MetricSeries[] = [];
  for (const [key, list] of bySeries) {
    const { metric, tags } = agg.series(key);
    const unit = DATADOG_METRICS[metric].unit;
    series.push({
      metric: `${prefix}${metric}`,
      type: COUNT,
      interval: agg.interval,
      points: list.sort((a, b) => (a.timestamp ?? 0) - (b.timestamp ?? 0)),
      tags: [...tags],
      ...(unit === undefined ? {} : { unit }),
    });
  }
  const bodies: v2.MetricPayload[] = [];
  for (let i = 0; i < series.length; i += SERIES_PER_REQUEST) {
    bodies.push({ series: series.slice(i, i + SERIES_PER_REQUEST) });
  }
  return bodies;
}

/** One v1 distribution-points body holding the values of `contributions`. */
export function distributionPayload(
  contributions: readonly Contribution[],
  agg: SeriesSource,
  prefix: string,
): v1.DistributionPointsPayload {
  const merged = new Map<string, Map<number, number[]>>();
  for (const c of contributions) {
    for (const [key, buckets] of c.values) {
      const into = merged.get(key) ?? new Map<number, number[]>();
      merged.set(key, into);
      for (const [bucket, values] of buckets) {
        const list = into.get(bucket) ?? [];
        into.set(bucket, list);
        for (const v of values) list.push(v);
      }
    }
  }
  const series: v1.DistributionPointsSeries[] = [];
  for (const [key, buckets] of merged) {
    const { metric, tags } = agg.series(key);
    const points = [...buckets.entries()]
      .sort(([a], [b]) => a - b)
      .map(([bucket, values]) => [bucket, values]);
    series.push({
      metric: `${prefix}${metric}`,
      points: points as never,
      tags: [...tags],
      type: 'distribution',
    });
  }
  return { series };
}

/** How many distribution values a contribution carries (for request sizing). */
export function valueCount(c: Contribution): number {
  let n = 0;
  for (const buckets of c.values.values()) for (const values of buckets.values()) n += values.length;
  return n;
}

/**
 * A canonical event as a Datadog log item, per `logs.format`:
 * - `json` (default): the event as JSON in `message` (Datadog parses it into attributes), its
 *   request time as the log's `timestamp` (epoch ms, a reserved attribute), the gateway node's
 *   `host.name` as the reserved `hostname` (absent when the event has none) and, unless
 *   `logs.source` names one, the event's `gateway.type` as `ddsource`.
 * - `wso2`: as WSO2's Datadog solution expects (log-wso2.ts): `ddsource` `apim_node` (unless
 *   `logs.source` names one), the event's fields as attributes, a one-line `message`; the same
 *   `timestamp`, `hostname`, `service` and `ddtags`.
 */
export function logItem(
  event: CanonicalEvent,
  config: Pick<DatadogConfig, 'service' | 'logs'>,
  tags: readonly string[],
): v2.HTTPLogItem {
  const service = config.service ?? 'apim-gateway';
  if (config.logs.format === 'wso2') {
    return wso2LogItem(event, logSource(config.logs, event), service, tags);
  }
  const host = event.host?.name;
  return {
    ddsource: logSource(config.logs, event),
    ...(tags.length === 0 ? {} : { ddtags: tags.join(',') }),
    ...(host === undefined ? {} : { hostname: host }),
    service,
    message: JSON.stringify(event),
    additionalProperties: { timestamp: Date.parse(event.requestTimestamp) },
  };
}

/** The `ddsource` of `event`'s log: `logs.source`, else `apim_node` (`wso2`) or the event's `gateway.type`. */
export function logSource(
  logs: Pick<DatadogConfig['logs'], 'source' | 'format'>,
  event?: CanonicalEvent,
): string {
  if (logs.source !== '') return logs.source;
  if (logs.format === 'wso2') return WSO2_LOG_SOURCE;
  return event?.gateway?.type ?? 'gax';
}

/** A log item's size in the request body (UTF-8 bytes of its JSON, as `logsJson` writes it). */
export function logItemBytes(item: v2.HTTPLogItem): number {
  const { additionalProperties, ...rest } = item;
  return Buffer.byteLength(JSON.stringify({ ...rest, ...additionalProperties }));
}

/** Log items cut into requests within Datadog's entry and byte limits (one item at least each). */
export function logChunks<T>(items: readonly T[], bytesOf: (item: T) => number): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  let bytes = 2;
  for (const item of items) {
    const size = bytesOf(item) + 1;
    if (current.length > 0 && (current.length >= LOGS_PER_REQUEST || bytes + size > LOG_BYTES_PER_REQUEST)) {
      out.push(current);
      current = [];
      bytes = 2;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length > 0) out.push(current);
  return out;
}

/**
 * Log items as the body of `POST /api/v2/logs`, as the client's ObjectSerializer writes them: the
 * declared attributes, then `additionalProperties` (the `timestamp`) as attributes of the item.
 */
export function logsJson(items: readonly v2.HTTPLogItem[]): string {
  return JSON.stringify(
    items.map(({ additionalProperties, ...item }) => ({ ...item, ...additionalProperties })),
  );
}

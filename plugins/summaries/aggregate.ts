import type { CanonicalEvent } from '../../src/schema/event.js';
import { bucketStart, type Granularity } from './granularity.js';
import { type Stream, streamOf, type TableSpec, UNKNOWN } from './tables.js';

/** WSO2's `varchar(254)`: longer values are cut (a write must never fail on one event's text). */
export const MAX_TEXT = 254;

/** One row's change from a batch: what it adds to the row with its keys. */
export interface RowDelta {
  /** Bucket start (epoch ms); 0 for a table that is not per granularity. */
  readonly time: number;
  readonly keys: readonly string[];
  /** The latest event's values (NULL: absent), with its request time in `last`. */
  attributes: (string | null)[];
  /** Latest request time of the row's events (epoch ms): `AGG_LAST_EVENT_TIMESTAMP`, `lastAccessTime`. */
  last: number;
  /** One per sum column; null where 4.x does not log it. */
  readonly sums: (number | null)[];
}

/** The deltas of one table at one granularity (undefined for a table without granularity). */
export interface TableDelta {
  readonly table: TableSpec;
  readonly granularity: Granularity | undefined;
  /** Sorted by time then keys: every writer locks rows in the same order. */
  readonly rows: readonly RowDelta[];
}

/** Text as PostgreSQL and WSO2's columns take it: no NUL, at most 254 characters. */
export function clean(value: string): string {
  const text = value.includes('\u0000') ? value.replaceAll('\u0000', '') : value;
  return text.length > MAX_TEXT ? text.slice(0, MAX_TEXT) : text;
}

/**
 * Sums `events` into per-row deltas for every table and granularity: pure, so the same events
 * give the same deltas in any order (late and out-of-order events simply land in their bucket).
 */
export function aggregate(
  events: readonly CanonicalEvent[],
  tables: readonly TableSpec[],
  granularities: readonly Granularity[],
): TableDelta[] {
  const out: TableDelta[] = [];
  const prepared = events.map((event) => ({
    event,
    stream: streamOf(event),
    ms: Date.parse(event.requestTimestamp),
  }));
  for (const table of tables) {
    const counted = prepared.filter((p) => table.streams.includes(p.stream));
    for (const granularity of table.granular ? granularities : [undefined]) {
      const rows = new Map<string, RowDelta>();
      for (const { event, stream, ms } of counted) add(rows, table, event, stream, ms, granularity);
      if (rows.size > 0) out.push({ table, granularity, rows: [...rows.values()].sort(byKey) });
    }
  }
  return out;
}

function add(
  rows: Map<string, RowDelta>,
  table: TableSpec,
  event: CanonicalEvent,
  stream: Stream,
  ms: number,
  granularity: Granularity | undefined,
): void {
  const time = granularity === undefined ? 0 : bucketStart(ms, granularity);
  const keys = table.keys.map((k) => clean(k.from(event) ?? UNKNOWN));
  const id = `${time}\u0000${keys.join('\u0000')}`;
  const attributes = (): (string | null)[] => table.attributes.map((a) => nullable(a.from(event)));
  const row = rows.get(id);
  if (row === undefined) {
    const sums = table.sums.map((s) => s.from(event, stream) ?? null);
    rows.set(id, { time, keys, attributes: attributes(), last: ms, sums });
    return;
  }
  table.sums.forEach((s, i) => {
    const value = s.from(event, stream);
    const sum = row.sums[i];
    row.sums[i] = value === undefined || sum === null || sum === undefined ? null : sum + value;
  });
  if (ms >= row.last) {
    row.attributes = attributes();
    row.last = ms;
  }
}

function nullable(value: string | undefined): string | null {
  return value === undefined ? null : clean(value);
}

function byKey(a: RowDelta, b: RowDelta): number {
  if (a.time !== b.time) return a.time - b.time;
  for (let i = 0; i < a.keys.length; i++) {
    const x = a.keys[i] as string;
    const y = b.keys[i] as string;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

import type { InputPositions } from '../../src/plugin/contract.js';
import type { CanonicalEvent } from '../../src/schema/event.js';
import { positionsTable, seenTable } from './ddl.js';
import type { Statement } from './sql.js';

/** The key an event is recognised by when it comes twice: Elasticsearch's `_id` without hashing. */
export function eventKey(event: CanonicalEvent): string {
  return `${event.eventType}:${event.correlationId}`;
}

/** A stored position row. */
export interface StoredRow {
  readonly source: string;
  readonly offset: string | number;
  readonly path: string | null;
  readonly fingerprintLength: number | null;
  readonly fingerprintHash: string | null;
}

/** Locks and reads the consumer's stored positions of `sources`. */
export function lockPositions(schema: string, consumer: string, sources: readonly string[]): Statement {
  return {
    text: `SELECT "source", "offset", "path", "fingerprintLength", "fingerprintHash" FROM ${positionsTable(schema)}
WHERE "consumer" = $1 AND "source" = ANY($2::text[]) ORDER BY "source" FOR UPDATE`,
    values: [consumer, [...sources]],
  };
}

/** Every stored position of `consumer`. */
export function readPositions(schema: string, consumer: string): Statement {
  return {
    text: `SELECT "source", "offset", "path", "fingerprintLength", "fingerprintHash" FROM ${positionsTable(schema)} WHERE "consumer" = $1`,
    values: [consumer],
  };
}

/**
 * Whether a batch ending at `positions` is already in the tables: every file it covers has a
 * stored position at or past its end in the same file (fingerprint). Positions only move
 * forward within a file, so a batch whose commit answer was lost is found by its resend.
 */
export function alreadyApplied(rows: readonly StoredRow[], positions: InputPositions): boolean {
  if (positions.size === 0) return false;
  const stored = new Map(rows.map((r) => [r.source, r]));
  for (const [source, position] of positions) {
    const row = stored.get(source);
    if (row === undefined || Number(row.offset) < position.offset) return false;
    const hash = position.fingerprint?.hash;
    if (hash !== undefined && row.fingerprintHash !== null && row.fingerprintHash !== hash) return false;
  }
  return true;
}

/** Upserts the batch's end positions. */
export function savePositions(schema: string, consumer: string, positions: InputPositions): Statement {
  const entries = [...positions].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return {
    text: `INSERT INTO ${positionsTable(schema)} ("consumer", "source", "offset", "path", "fingerprintLength", "fingerprintHash")
SELECT $1, u.* FROM unnest($2::text[], $3::bigint[], $4::text[], $5::integer[], $6::text[]) AS u
ON CONFLICT ("consumer", "source") DO UPDATE SET "offset" = EXCLUDED."offset", "path" = EXCLUDED."path",
"fingerprintLength" = EXCLUDED."fingerprintLength", "fingerprintHash" = EXCLUDED."fingerprintHash", "updatedAt" = now()`,
    values: [
      consumer,
      entries.map(([source]) => source),
      entries.map(([, p]) => p.offset),
      entries.map(([, p]) => p.path ?? null),
      entries.map(([, p]) => p.fingerprint?.length ?? null),
      entries.map(([, p]) => p.fingerprint?.hash ?? null),
    ],
  };
}

/** Records `keys` as seen; returns those not seen before (within the window still kept). */
export function markSeen(schema: string, keys: readonly string[]): Statement {
  return {
    text: `INSERT INTO ${seenTable(schema)} ("eventKey") SELECT unnest($1::text[]) ON CONFLICT DO NOTHING RETURNING "eventKey"`,
    values: [[...keys]],
  };
}

/** Forgets event keys seen longer ago than `windowMs`, and positions untouched for 30 days. */
export function prune(schema: string, windowMs: number): Statement[] {
  return [
    {
      text: `DELETE FROM ${seenTable(schema)} WHERE "seenAt" < now() - ($1::bigint * interval '1 millisecond')`,
      values: [windowMs],
    },
    {
      text: `DELETE FROM ${positionsTable(schema)} WHERE "updatedAt" < now() - interval '30 days'`,
      values: [],
    },
  ];
}

/**
 * The events to count: each key once, the first time (in the batch and, through `fresh`, in the
 * window). Without `fresh` (dedupe off) every event counts.
 */
export function firstSeen(
  events: readonly CanonicalEvent[],
  fresh: ReadonlySet<string> | undefined,
): { events: CanonicalEvent[]; duplicates: number } {
  if (fresh === undefined) return { events: [...events], duplicates: 0 };
  const left = new Set(fresh);
  const counted = events.filter((event) => left.delete(eventKey(event)));
  return { events: counted, duplicates: events.length - counted.length };
}

import type { TableDelta } from './aggregate.js';
import { q, tableName } from './ddl.js';
import type { Granularity } from './granularity.js';
import type { Statement } from './sql.js';
import type { TableSpec } from './tables.js';

/**
 * The transactional outbox behind the Elasticsearch summary indices: every batch transaction
 * that changes summary rows also inserts one `gax_summaries_outbox` row per changed row (its
 * table, bucket and keys, numbered by `revision`), and `gax_summaries_mirror` holds how far each
 * target has been mirrored. The mirror reads the rows' current values later: a crash between
 * PostgreSQL's commit and Elasticsearch's write loses nothing (the outbox row is still there).
 */

export function outboxTable(schema: string): string {
  return `${q(schema)}.${q('gax_summaries_outbox')}`;
}

export function mirrorTable(schema: string): string {
  return `${q(schema)}.${q('gax_summaries_mirror')}`;
}

/** The outbox's `CREATE … IF NOT EXISTS` (only created when `elasticsearch` is configured). */
export function outboxStatements(schema: string): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS ${outboxTable(schema)} (
  "revision" bigserial PRIMARY KEY,
  "tableName" text NOT NULL,
  "time" bigint NOT NULL,
  "keys" text[] NOT NULL
)`,
    `CREATE TABLE IF NOT EXISTS ${mirrorTable(schema)} (
  "target" text PRIMARY KEY,
  "revision" bigint NOT NULL
)`,
  ];
}

/**
 * Serialises outbox writers until COMMIT (a transaction-level advisory lock), so that revisions
 * are committed in the order they are numbered, also with several sidecars sharing the tables:
 * the mirror never passes a revision whose transaction is still open.
 */
export const LOCK_OUTBOX: Statement = {
  text: `SELECT pg_advisory_xact_lock(hashtext('gax_summaries_outbox'))`,
  values: [],
};

/** The table name of a delta as the outbox and the metrics name it (`ApiExeTime_HOURS`). */
export function deltaName(table: TableSpec, granularity: Granularity | undefined): string {
  return granularity === undefined ? table.name : `${table.name}_${granularity}`;
}

/**
 * One `INSERT … SELECT FROM unnest` for every changed row of the batch: table name, bucket and
 * up to `width` key columns (NULL-padded; keys are never NULL, so `array_remove` restores them).
 */
export function recordChanges(schema: string, deltas: readonly TableDelta[]): Statement | undefined {
  const width = Math.max(0, ...deltas.map((d) => d.table.keys.length));
  const names: string[] = [];
  const times: number[] = [];
  const keys: (string | null)[][] = Array.from({ length: width }, () => []);
  for (const delta of deltas)
    for (const row of delta.rows) {
      names.push(deltaName(delta.table, delta.granularity));
      times.push(row.time);
      for (let i = 0; i < width; i++) keys[i]?.push(row.keys[i] ?? null);
    }
  if (names.length === 0) return undefined;
  const params = keys.map((_, i) => `$${i + 3}::text[]`);
  const aliases = keys.map((_, i) => `k${i + 1}`);
  return {
    text: `INSERT INTO ${outboxTable(schema)} ("tableName", "time", "keys")
SELECT u.n, u.t, array_remove(ARRAY[${aliases.map((a) => `u.${a}`).join(', ')}]::text[], NULL)
FROM unnest($1::text[], $2::bigint[]${params.map((p) => `, ${p}`).join('')}) AS u(n, t${aliases.map((a) => `, ${a}`).join('')})`,
    values: [names, times, ...keys],
  };
}

/**
 * A target seen for the first time (Elasticsearch just configured over filled tables): its row,
 * at the current revision; `RETURNING` tells whether it is new. Then {@link backfill} queues
 * every existing row once, in the same transaction.
 */
export function registerTarget(schema: string, target: string): Statement {
  return {
    text: `INSERT INTO ${mirrorTable(schema)} ("target", "revision") VALUES ($1, 0) ON CONFLICT ("target") DO NOTHING RETURNING "target"`,
    values: [target],
  };
}

/** Queues every row of `table` at `granularity` in the outbox. */
export function backfill(schema: string, table: TableSpec, granularity: Granularity | undefined): Statement {
  const keys = table.keys.map((k) => q(k.name)).join(', ');
  return {
    text: `INSERT INTO ${outboxTable(schema)} ("tableName", "time", "keys")
SELECT $1, ${table.granular ? q('AGG_TIMESTAMP') : '0'}, ARRAY[${keys}]::text[] FROM ${tableName(schema, table, granularity)}`,
    values: [deltaName(table, granularity)],
  };
}

/** How far `target` is mirrored (0: nothing yet). */
export function readMirrored(schema: string, target: string): Statement {
  return {
    text: `SELECT "revision" FROM ${mirrorTable(schema)} WHERE "target" = $1`,
    values: [target],
  };
}

/** The next `limit` outbox rows after `revision`, in revision order. */
export function readPage(schema: string, revision: number, limit: number): Statement {
  return {
    text: `SELECT "revision", "tableName", "time", "keys" FROM ${outboxTable(schema)} WHERE "revision" > $1 ORDER BY "revision" LIMIT $2`,
    values: [revision, limit],
  };
}

/** Outbox rows not mirrored yet: the lag. */
export function countPending(schema: string, revision: number): Statement {
  return {
    text: `SELECT COUNT(*)::bigint AS n FROM ${outboxTable(schema)} WHERE "revision" > $1`,
    values: [revision],
  };
}

/** The current rows of `table` at `granularity` with these buckets and keys (one statement). */
export function readRows(
  schema: string,
  table: TableSpec,
  granularity: Granularity | undefined,
  rows: readonly { readonly time: number; readonly keys: readonly string[] }[],
): Statement {
  const on = [
    ...(table.granular ? [`t.${q('AGG_TIMESTAMP')} = u.t`] : []),
    ...table.keys.map((k, i) => `t.${q(k.name)} = u.k${i + 1}`),
  ];
  const params = table.keys.map((_, i) => `, $${i + 2}::text[]`).join('');
  const aliases = table.keys.map((_, i) => `, k${i + 1}`).join('');
  return {
    text: `SELECT t.* FROM ${tableName(schema, table, granularity)} AS t
JOIN unnest($1::bigint[]${params}) AS u(t${aliases}) ON ${on.join(' AND ')}`,
    values: [rows.map((r) => r.time), ...table.keys.map((_, i) => rows.map((r) => r.keys[i] ?? ''))],
  };
}

/**
 * Records `target` mirrored up to `revision` (never backwards) and deletes the outbox rows every
 * target has mirrored.
 */
export function saveMirrored(schema: string, target: string, revision: number): Statement[] {
  return [
    {
      text: `INSERT INTO ${mirrorTable(schema)} ("target", "revision") VALUES ($1, $2)
ON CONFLICT ("target") DO UPDATE SET "revision" = GREATEST(${mirrorTable(schema)}."revision", EXCLUDED."revision")`,
      values: [target, revision],
    },
    {
      text: `DELETE FROM ${outboxTable(schema)} WHERE "revision" <= (SELECT MIN("revision") FROM ${mirrorTable(schema)})`,
      values: [],
    },
  ];
}

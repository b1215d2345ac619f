import type { Granularity } from './granularity.js';
import { TABLES, type TableSpec } from './tables.js';

/** A quoted SQL identifier (WSO2's names are camelCase: PostgreSQL needs them quoted). */
export const q = (name: string): string => `"${name.replaceAll('"', '""')}"`;

/** The schema-qualified name of `table` at `granularity` (`"public"."ApiExeTime_HOURS"`). */
export function tableName(schema: string, table: TableSpec, granularity: Granularity | undefined): string {
  return `${q(schema)}.${q(granularity === undefined ? table.name : `${table.name}_${granularity}`)}`;
}

/** gax's own tables beside WSO2's: the input positions each batch committed, and recent event ids. */
export function positionsTable(schema: string): string {
  return `${q(schema)}.${q('gax_summaries_positions')}`;
}

export function seenTable(schema: string): string {
  return `${q(schema)}.${q('gax_summaries_seen')}`;
}

const TEXT = 'varchar(254)';

/** `CREATE TABLE IF NOT EXISTS` for one table at one granularity, with WSO2's columns and key. */
export function createTable(schema: string, table: TableSpec, granularity: Granularity | undefined): string {
  let columns: string[] = [];
  const key: string[] = [];
  if (table.granular) {
    columns.push(`${q('AGG_TIMESTAMP')} bigint NOT NULL`, `${q('AGG_EVENT_TIMESTAMP')} bigint NOT NULL`);
    key.push(q('AGG_TIMESTAMP'), q('AGG_EVENT_TIMESTAMP'));
  }
  for (const k of table.keys) {
    columns.push(`${q(k.name)} ${TEXT} NOT NULL`);
    key.push(q(k.name));
  }
  if (table.granular) columns.push(`${q('AGG_LAST_EVENT_TIMESTAMP')} bigint DEFAULT NULL`);
  for (const a of table.attributes) columns.push(`${q(a.name)} ${a.sqlType ?? TEXT} DEFAULT NULL`);
  if (!table.granular) columns.push(`${q('lastAccessTime')} bigint DEFAULT NULL`);
  for (const s of table.sums) columns.push(`${q(s.name)} bigint DEFAULT NULL`);
  columns = inOrder(columns, table.order);
  return `CREATE TABLE IF NOT EXISTS ${tableName(schema, table, granularity)} (\n  ${[
    ...columns,
    `PRIMARY KEY (${key.join(', ')})`,
  ].join(',\n  ')}\n)`;
}

/** `columns` (definitions starting with the quoted name) with those named in `order` in its order, in place. */
function inOrder(columns: string[], order: readonly string[] | undefined): string[] {
  if (order === undefined) return columns;
  const named = (name: string) => columns.find((c) => c.startsWith(`${q(name)} `)) as string;
  const slots = columns
    .map((c, i) => (order.some((n) => c.startsWith(`${q(n)} `)) ? i : -1))
    .filter((i) => i >= 0);
  const result = [...columns];
  slots.forEach((slot, i) => {
    result[slot] = named(order[i] as string);
  });
  return result;
}

/**
 * Every statement `gax setup postgres` and the plugin's start run, in order; each is idempotent.
 * The time-bucket index serves long-range reads (`WHERE "AGG_TIMESTAMP" BETWEEN …`), which the
 * primary key already leads with.
 */
export function schemaStatements(
  schema: string,
  granularities: readonly Granularity[],
  tables: readonly TableSpec[] = TABLES,
): string[] {
  const statements = [`CREATE SCHEMA IF NOT EXISTS ${q(schema)}`];
  for (const table of tables)
    for (const granularity of table.granular ? granularities : [undefined])
      statements.push(createTable(schema, table, granularity));
  statements.push(
    `CREATE TABLE IF NOT EXISTS ${positionsTable(schema)} (
  "consumer" text NOT NULL,
  "source" text NOT NULL,
  "offset" bigint NOT NULL,
  "path" text,
  "fingerprintLength" integer,
  "fingerprintHash" text,
  "updatedAt" timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY ("consumer", "source")
)`,
    `CREATE TABLE IF NOT EXISTS ${seenTable(schema)} (
  "eventKey" text PRIMARY KEY,
  "seenAt" timestamptz NOT NULL DEFAULT now()
)`,
    `CREATE INDEX IF NOT EXISTS "gax_summaries_seen_seenAt" ON ${seenTable(schema)} ("seenAt")`,
  );
  return statements;
}

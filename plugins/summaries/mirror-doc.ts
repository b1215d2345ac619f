import { createHash } from 'node:crypto';
import type { Granularity } from './granularity.js';
import type { TableSpec } from './tables.js';

/**
 * The Elasticsearch summary documents: one index per WSO2 table, one document per row of each
 * granularity, with the row's absolute (current) values. Pure; README.md "Elasticsearch summary
 * indices" documents the shape (Kibana dashboards are built on it: keep it stable).
 */

/** The name of the index template covering `<indexPrefix>*`. */
export const TEMPLATE_NAME = 'gax-summaries';

/** A column of a table as stored: WSO2's name and whether it is a `bigint` (→ `long`) or text (→ `keyword`). */
export interface DocColumn {
  readonly name: string;
  readonly long: boolean;
}

/** Every column of `table`, in no particular order: time columns, keys, attributes, sums. */
export function columnsOf(table: TableSpec): DocColumn[] {
  return [
    ...(table.granular
      ? ['AGG_TIMESTAMP', 'AGG_EVENT_TIMESTAMP', 'AGG_LAST_EVENT_TIMESTAMP'].map((name) => ({
          name,
          long: true,
        }))
      : [{ name: 'lastAccessTime', long: true }]),
    ...table.keys.map((k) => ({ name: k.name, long: false })),
    ...table.attributes.map((a) => ({ name: a.name, long: a.sqlType === 'bigint' })),
    ...table.sums.map((s) => ({ name: s.name, long: true })),
  ];
}

/** The index of `table`: `<prefix><name, lower case>` (`gax-summaries-apiexetime`); all granularities share it. */
export function indexName(prefix: string, table: TableSpec): string {
  return `${prefix}${table.name.toLowerCase()}`;
}

/**
 * The document `_id` of a row: the first 40 hex digits of SHA-256 over the JSON array of table
 * name, granularity (null for ApiLastAccessSummary), bucket start (0 there) and key values.
 * The same row always has the same id, so a resend overwrites instead of adding.
 */
export function documentId(
  table: TableSpec,
  granularity: Granularity | undefined,
  time: number,
  keys: readonly string[],
): string {
  return createHash('sha256')
    .update(JSON.stringify([table.name, granularity ?? null, time, ...keys]))
    .digest('hex')
    .slice(0, 40);
}

/** A row as node-postgres returns it: `bigint` columns as strings, NULL as null. */
export type PgRow = Readonly<Record<string, unknown>>;

/** The row's time (`AGG_TIMESTAMP`, or 0) and key values, as the outbox and the id take them. */
export function rowIdentity(table: TableSpec, row: PgRow): { time: number; keys: string[] } {
  return {
    time: table.granular ? Number(row.AGG_TIMESTAMP) : 0,
    keys: table.keys.map((k) => String(row[k.name])),
  };
}

/**
 * The document of one row: `@timestamp` (ISO; `AGG_TIMESTAMP`, or `lastAccessTime` for
 * ApiLastAccessSummary), `granularity` (absent for ApiLastAccessSummary), `table` (WSO2's name),
 * then every column under its own name: text as is, bigint as a number, NULL as null.
 */
export function toDocument(
  table: TableSpec,
  granularity: Granularity | undefined,
  row: PgRow,
): Record<string, unknown> {
  const time = Number(table.granular ? row.AGG_TIMESTAMP : row.lastAccessTime);
  const doc: Record<string, unknown> = {
    '@timestamp': new Date(Number.isFinite(time) ? time : 0).toISOString(),
    ...(granularity === undefined ? {} : { granularity }),
    table: table.name,
  };
  for (const column of columnsOf(table)) {
    const value = row[column.name];
    doc[column.name] =
      value === null || value === undefined ? null : column.long ? Number(value) : String(value);
  }
  return doc;
}

/**
 * The composable index template for `<prefix>*`: one shard, strict mappings (a document with a
 * field not declared here is refused, never guessed), every column of every table with its type.
 */
export function indexTemplate(prefix: string, tables: readonly TableSpec[]): Record<string, unknown> {
  const properties: Record<string, { type: string }> = {
    '@timestamp': { type: 'date' },
    granularity: { type: 'keyword' },
    table: { type: 'keyword' },
  };
  for (const table of tables)
    for (const column of columnsOf(table))
      properties[column.name] = { type: column.long ? 'long' : 'keyword' };
  return {
    index_patterns: [`${prefix}*`],
    priority: 210,
    template: {
      settings: { 'index.number_of_shards': 1 },
      mappings: { dynamic: 'strict', properties },
    },
    _meta: { managed_by: 'gax', description: "WSO2 2.x summary tables mirrored from gax's PostgreSQL" },
  };
}

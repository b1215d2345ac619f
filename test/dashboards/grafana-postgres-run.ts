import type { Client } from 'pg';
import { expandSql, postgresQueries, type SqlQuery, type VariableValue } from './grafana-postgres-sql.js';

/** Runs the summaries dashboard's SQL on PostgreSQL as Grafana would, for a granularity and API choice. */

export type Row = Record<string, unknown>;

export interface Selection {
  readonly granularity: string;
  /** 'All', or the API names picked in the `api` drop-down. */
  readonly api: 'All' | readonly string[];
  readonly from: number;
  readonly to: number;
}

const query = (where: string): SqlQuery => {
  const found = postgresQueries().find((q) => q.where === where);
  if (found === undefined) throw new Error(`no query ${where} in the dashboard`);
  return found;
};

/** The panel target whose title (and refId, default A) is given. */
export function panelQuery(title: string, refId = 'A'): SqlQuery {
  const found = postgresQueries().find((q) => q.where.endsWith(`"${title}" ${refId}`));
  if (found === undefined) throw new Error(`no panel "${title}" ${refId} in the dashboard`);
  return found;
}

/** The options of the `api` variable: its query's first column, as Grafana lists them. */
export async function apiOptions(client: Client, s: Omit<Selection, 'api'>): Promise<string[]> {
  const variables = { granularity: { value: s.granularity, multi: false } };
  const sql = expandSql(query('variable api').sql, { from: s.from, to: s.to, variables });
  const result = await client.query({ text: sql, rowMode: 'array' });
  return result.rows.map((r: unknown[]) => String(r[0]));
}

/** Expands `sql` for the selection (All: every option of the `api` variable) and runs it. */
export async function runPanelSql(client: Client, sql: string, s: Selection): Promise<Row[]> {
  const apis = s.api === 'All' ? await apiOptions(client, s) : s.api;
  const variables: Record<string, VariableValue> = {
    granularity: { value: s.granularity, multi: false },
    api: { value: apis, multi: true },
  };
  const result = await client.query(expandSql(sql, { from: s.from, to: s.to, variables }));
  return result.rows as Row[];
}

/** A numeric cell (PostgreSQL's sum of bigint arrives as a numeric string). */
export function num(row: Row | undefined, column: string): number {
  const value = row?.[column];
  if (value === undefined || value === null) throw new Error(`no ${column} in ${JSON.stringify(row)}`);
  return Number(value);
}

/** Sum of a column over rows. */
export const total = (rows: readonly Row[], column: string): number =>
  rows.reduce((s, r) => s + num(r, column), 0);

import { fileURLToPath } from 'node:url';
import { allPanels, type DashboardJson, loadDashboard } from './grafana-expressions.js';

/**
 * The SQL of dashboards/grafana/summaries-postgres.json and its expansion the way Grafana's
 * PostgreSQL data source (`grafana-postgresql-datasource`) expands it before sending it:
 * 1. the frontend replaces template variables (`$name`, `${name}`, `[[name]]`); a single-value
 *    variable goes in as is, a multi-value or include-all one as quoted literals joined by commas
 *    (`'a','b'`; its `interpolateVariable`);
 * 2. the backend's global interpolation (pkg/tsdb/sqleng) replaces `$__unixEpochFrom()` and
 *    `$__unixEpochTo()` with the range's UTC Unix seconds;
 * 3. its macro engine (pkg/tsdb/grafana-postgresql-datasource/macros.go) expands `$__name(args)`:
 *    the time macros are implemented here; an unknown macro is an error, as in Grafana.
 */

export const POSTGRES_DASHBOARD_PATH = fileURLToPath(
  new URL('../../dashboards/grafana/summaries-postgres.json', import.meta.url),
);

export const loadPostgresDashboard = (): DashboardJson => loadDashboard(POSTGRES_DASHBOARD_PATH);

export interface SqlQuery {
  /** `panel <id> "<title>" <refId>` or `variable <name>`. */
  readonly where: string;
  readonly sql: string;
  /** `time_series`, `table`, or `variable` for a query variable. */
  readonly format: string;
}

/** Every SQL query of the dashboard: panel targets' `rawSql`, then query variables' `query`. */
export function postgresQueries(dashboard: DashboardJson = loadPostgresDashboard()): SqlQuery[] {
  const out: SqlQuery[] = [];
  for (const panel of allPanels(dashboard)) {
    for (const target of panel.targets ?? []) {
      out.push({
        where: `panel ${String(panel.id)} "${String(panel.title)}" ${String(target.refId)}`,
        sql: String(target.rawSql),
        format: String(target.format),
      });
    }
  }
  for (const variable of dashboard.templating?.list ?? []) {
    if (variable.type !== 'query') continue;
    out.push({ where: `variable ${variable.name}`, sql: String(variable.query), format: 'variable' });
  }
  return out;
}

/** A variable's current value; `multi` for a multi-value or include-all variable. */
export interface VariableValue {
  readonly value: string | readonly string[];
  readonly multi: boolean;
}

export interface ExpandOptions {
  /** The dashboard's time range, epoch ms. */
  readonly from: number;
  readonly to: number;
  readonly variables: Readonly<Record<string, VariableValue>>;
}

const quoteLiteral = (value: string): string => `'${value.replaceAll("'", "''")}'`;

function format(v: VariableValue): string {
  if (typeof v.value === 'string') return v.multi ? quoteLiteral(v.value) : v.value;
  return (v.value as readonly string[]).map(quoteLiteral).join(',');
}

/** Step 1: template variables. Leaves `$__…` to the backend; throws on any other unknown one. */
export function interpolateVariables(sql: string, variables: ExpandOptions['variables']): string {
  return sql.replace(
    /\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\$\{(\w+)(?::([^}]+))?\}/g,
    (all, a?: string, b?: string, bFormat?: string, c?: string, cFormat?: string) => {
      const name = (a ?? b ?? c) as string;
      if (bFormat !== undefined || cFormat !== undefined)
        throw new Error(`format not supported here: ${all}`);
      const value = variables[name];
      if (value !== undefined) return format(value);
      if (name.startsWith('__')) return all;
      throw new Error(`no value for template variable ${all}`);
    },
  );
}

/** Go's time.RFC3339Nano in UTC: no fractional part when it is zero. */
const rfc3339 = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');
const seconds = (ms: number): number => Math.floor(ms / 1000);

function macro(name: string, args: string[], from: number, to: number): string {
  const column = (): string => {
    if (args[0] === undefined || args[0] === '')
      throw new Error(`missing time column argument for macro ${name}`);
    return args[0];
  };
  switch (name) {
    case '__time':
      return `${column()} AS "time"`;
    case '__timeEpoch':
      return `extract(epoch from ${column()}) as "time"`;
    case '__timeFilter':
      return `${column()} BETWEEN '${rfc3339(from)}' AND '${rfc3339(to)}'`;
    case '__timeFrom':
      return `'${rfc3339(from)}'`;
    case '__timeTo':
      return `'${rfc3339(to)}'`;
    case '__unixEpochFilter':
      return `${column()} >= ${seconds(from)} AND ${column()} <= ${seconds(to)}`;
    case '__unixEpochNanoFrom':
      return `${BigInt(from) * 1_000_000n}`;
    case '__unixEpochNanoTo':
      return `${BigInt(to) * 1_000_000n}`;
    default:
      throw new Error(`unknown (or, for this test, unsupported) macro "$${name}"`);
  }
}

/** Steps 2 and 3: the backend's global interpolation, then its macro engine. */
export function expandMacros(sql: string, from: number, to: number): string {
  const global = sql
    .replaceAll('$__unixEpochFrom()', String(seconds(from)))
    .replaceAll('$__unixEpochTo()', String(seconds(to)));
  return global.replace(/\$([_a-zA-Z0-9]+)\(([^)]*)\)/g, (_all, name: string, args: string) =>
    macro(
      name,
      args.split(',').map((a) => a.trim()),
      from,
      to,
    ),
  );
}

/** The SQL Grafana sends to PostgreSQL for `sql` with these variables and time range. */
export function expandSql(sql: string, options: ExpandOptions): string {
  return expandMacros(interpolateVariables(sql, options.variables), options.from, options.to);
}

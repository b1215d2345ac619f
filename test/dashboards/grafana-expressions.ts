import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { templateVariables } from './promql.js';

/**
 * Reads the bundled Grafana dashboard (dashboards/grafana/dashboard.json) and its PromQL.
 * `dashboardExpressions()` is for tests that send the queries to a real Prometheus
 * (`/api/v1/query`): every query with its template variables replaced by concrete values.
 */

export const DASHBOARD_PATH = fileURLToPath(
  new URL('../../dashboards/grafana/dashboard.json', import.meta.url),
);

/** The variant on OpenTelemetry's HTTP histogram (`semconv.http`). */
export const SEMCONV_DASHBOARD_PATH = fileURLToPath(
  new URL('../../dashboards/grafana/dashboard-semconv.json', import.meta.url),
);

export interface DashboardTarget {
  readonly expr?: unknown;
  readonly refId?: unknown;
  readonly datasource?: unknown;
  readonly [key: string]: unknown;
}

export interface DashboardPanel {
  readonly id?: unknown;
  readonly type?: unknown;
  readonly title?: unknown;
  readonly datasource?: unknown;
  readonly gridPos?: { x: number; y: number; w: number; h: number };
  readonly targets?: readonly DashboardTarget[];
  readonly panels?: readonly DashboardPanel[];
  readonly [key: string]: unknown;
}

export interface DashboardVariable {
  readonly name: string;
  readonly type: string;
  readonly query?: unknown;
  readonly datasource?: unknown;
  readonly [key: string]: unknown;
}

export interface DashboardJson {
  readonly panels?: readonly DashboardPanel[];
  readonly templating?: { readonly list?: readonly DashboardVariable[] };
  readonly [key: string]: unknown;
}

export function loadDashboard(path = DASHBOARD_PATH): DashboardJson {
  return JSON.parse(readFileSync(path, 'utf8')) as DashboardJson;
}

/** Every panel, rows and the panels inside (collapsed) rows included, in document order. */
export function allPanels(dashboard: DashboardJson = loadDashboard()): DashboardPanel[] {
  return (dashboard.panels ?? []).flatMap((p) => [p, ...(p.panels ?? [])]);
}

export interface DashboardQuery {
  /** Where it comes from: `panel <id> "<title>" <refId>` or `variable <name>`. */
  readonly where: string;
  /** The PromQL as written in the dashboard, template variables and all. */
  readonly expr: string;
}

/**
 * Every PromQL query of the dashboard: panel targets, and the series selector inside each
 * `label_values(<selector>, <label>)` variable query (the part Prometheus evaluates).
 */
export function dashboardQueries(dashboard: DashboardJson = loadDashboard()): DashboardQuery[] {
  const out: DashboardQuery[] = [];
  for (const panel of allPanels(dashboard)) {
    for (const target of panel.targets ?? []) {
      if (typeof target.expr !== 'string') continue;
      out.push({
        where: `panel ${String(panel.id)} "${String(panel.title)}" ${String(target.refId)}`,
        expr: target.expr,
      });
    }
  }
  for (const variable of dashboard.templating?.list ?? []) {
    if (variable.type !== 'query' || typeof variable.query !== 'string') continue;
    const selector = /^\s*label_values\(\s*(.+?)\s*,\s*\w+\s*\)\s*$/.exec(variable.query)?.[1];
    if (selector !== undefined) out.push({ where: `variable ${variable.name}`, expr: selector });
  }
  return out;
}

/** Concrete values for the template variables the dashboard's queries may use. */
export const DEFAULT_VARIABLE_VALUES: Readonly<Record<string, string>> = {
  datasource: 'prometheus',
  job: '.*',
  api: '.*',
  route: '.*',
  __rate_interval: '1m',
  __range: '1h',
};

/** Replaces `$name`, `${name}`, `${name:format}` and `[[name]]`; throws on a variable it has no value for. */
export function substituteVariables(expr: string, values: Readonly<Record<string, string>>): string {
  for (const name of templateVariables(expr)) {
    if (values[name] === undefined) throw new Error(`no value for template variable $${name} in: ${expr}`);
  }
  return expr.replace(
    /\$\{(\w+)(?::[^}]*)?\}|\$(\w+)|\[\[(\w+)(?::[^\]]*)?\]\]/g,
    (_all, a?: string, b?: string, c?: string) => values[(a ?? b ?? c) as string] as string,
  );
}

/**
 * Every PromQL expression of the dashboard with `$datasource`, `$job`, `$api`, `$__rate_interval`
 * and `$__range` replaced (defaults: `.*`, `.*`, `1m`, `1h`), ready for Prometheus'
 * `/api/v1/query`. Pass `values` to override some, e.g. `{ job: 'gax-it', __rate_interval: '5s' }`.
 */
export function dashboardExpressions(
  values: Readonly<Record<string, string>> = {},
  dashboard: DashboardJson = loadDashboard(),
): string[] {
  const all = { ...DEFAULT_VARIABLE_VALUES, ...values };
  return dashboardQueries(dashboard).map((q) => substituteVariables(q.expr, all));
}

/**
 * Reads the metric queries out of Datadog dashboard and monitor JSON, and checks each against the
 * Datadog plugin's metric contract (plugins/datadog/metrics.ts): known metric, tags it can carry,
 * aggregators that suit its type.
 */
import { DATADOG_METRICS, type DatadogMetric, GLOBAL_TAGS } from '../../plugins/datadog/metrics.js';

type Json = Record<string, unknown>;

export interface MetricQueryParts {
  readonly text: string;
  /** Space aggregator: `sum`, `p99`, `histogram`, … */
  readonly space: string;
  readonly metric: string;
  readonly filter: readonly string[];
  readonly by: readonly string[];
  /** `.as_count()` → `as_count`. */
  readonly modifiers: readonly string[];
}

const METRIC_QUERY =
  /(?<![\w.])([a-z][a-z0-9]*):([A-Za-z][\w.]*)\{([^}]*)\}(?:\s+by\s+\{([^}]*)\})?((?:\.[a-z_]+\(\))*)/g;

const list = (text: string | undefined): string[] =>
  (text ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');

/** Every `<space>:<metric>{<filter>} [by {<tags>}][.<modifier>()]` in `text`. */
export function parseMetricQueries(text: string): MetricQueryParts[] {
  return [...text.matchAll(METRIC_QUERY)].map((m) => ({
    text: m[0],
    space: m[1] ?? '',
    metric: m[2] ?? '',
    filter: list(m[3]),
    by: list(m[4]),
    modifiers: [...(m[5] ?? '').matchAll(/\.([a-z_]+)\(\)/g)].map((x) => x[1] ?? ''),
  }));
}

/** A metric query of a widget request, where it sits, and the aggregator a scalar widget applies. */
export interface WidgetQuery {
  readonly widget: string;
  readonly name: string;
  readonly query: string;
  readonly aggregator: string | undefined;
  /** `histogram` for a distribution widget's `query`, else `formula`. */
  readonly kind: 'formula' | 'histogram';
}

export interface WidgetRequest {
  readonly widget: string;
  readonly queryNames: readonly string[];
  readonly formulas: readonly string[];
  readonly deprecatedKeys: readonly string[];
}

const DEPRECATED = ['q', 'apm_query', 'log_query', 'event_query', 'process_query', 'rum_query'];

/** Leaf widget definitions (inside groups), depth first. */
export function leafDefinitions(dashboard: Json): Json[] {
  const out: Json[] = [];
  const walk = (widgets: unknown): void => {
    for (const w of (widgets as Json[] | undefined) ?? []) {
      const def = w.definition as Json;
      if (def.type === 'group') walk(def.widgets);
      else out.push(def);
    }
  };
  walk(dashboard.widgets);
  return out;
}

export function widgetRequests(dashboard: Json): { queries: WidgetQuery[]; requests: WidgetRequest[] } {
  const queries: WidgetQuery[] = [];
  const requests: WidgetRequest[] = [];
  for (const def of leafDefinitions(dashboard)) {
    const widget = String(def.title);
    for (const r of (def.requests as Json[] | undefined) ?? []) {
      const qs = (r.queries as Json[] | undefined) ?? [];
      for (const q of qs) {
        queries.push({
          widget,
          name: String(q.name),
          query: String(q.query),
          aggregator: q.aggregator as string | undefined,
          kind: 'formula',
        });
      }
      if (r.request_type === 'histogram') {
        const q = r.query as Json;
        queries.push({
          widget,
          name: String(q.name),
          query: String(q.query),
          aggregator: undefined,
          kind: 'histogram',
        });
      }
      requests.push({
        widget,
        queryNames: qs.map((q) => String(q.name)),
        formulas: ((r.formulas as Json[] | undefined) ?? []).map((f) => String(f.formula)),
        deprecatedKeys: DEPRECATED.filter((k) => k in r),
      });
    }
  }
  return { queries, requests };
}

/** Names a formula refers to (function names excluded). */
export function formulaNames(formula: string): string[] {
  return formula.match(/\b[a-z][a-z0-9_]*\b(?!\s*\()/g) ?? [];
}

const PERCENTILE = /^p(50|75|90|95|99)$/;
const DISTRIBUTION_SPACES = ['avg', 'count', 'min', 'max', 'sum', 'histogram'];

/**
 * Problems of one parsed query for `prefix`: unknown metric, a filter or group tag the metric cannot
 * carry (or does not carry by default), a template variable that is not defined or whose tag the metric lacks, an aggregator or
 * modifier that does not suit the metric's type.
 */
export function queryProblems(
  q: MetricQueryParts,
  prefix: string,
  templateVars: ReadonlyMap<string, string>,
  /** `defaultTags`: only the tags a metric carries with the default configuration. */
  tagSet: 'tags' | 'defaultTags' = 'tags',
): string[] {
  const problems: string[] = [];
  if (!q.metric.startsWith(prefix)) return [`${q.text}: metric ${q.metric} lacks the prefix ${prefix}`];
  const name = q.metric.slice(prefix.length);
  if (!(name in DATADOG_METRICS)) return [`${q.text}: ${name} is not a metric of the Datadog plugin`];
  const spec = DATADOG_METRICS[name as DatadogMetric];
  const carried = new Set<string>([...spec[tagSet], ...GLOBAL_TAGS]);
  for (const f of q.filter) {
    if (f === '*') {
      if (q.filter.length > 1) problems.push(`${q.text}: * with other filters`);
      continue;
    }
    if (f.startsWith('$')) {
      const tag = templateVars.get(f.slice(1));
      if (tag === undefined) problems.push(`${q.text}: no template variable ${f}`);
      else if (!carried.has(tag))
        problems.push(`${q.text}: ${f} filters on ${tag}, which ${name} does not carry`);
      continue;
    }
    const tag = /^!?([a-z_]+):[^:]+$/.exec(f)?.[1];
    if (tag === undefined) problems.push(`${q.text}: filter ${f} is not tag:value`);
    else if (!carried.has(tag)) problems.push(`${q.text}: filter on ${tag}, which ${name} does not carry`);
  }
  for (const tag of q.by)
    if (!carried.has(tag)) problems.push(`${q.text}: by ${tag}, which ${name} does not carry`);
  if (spec.type === 'count') {
    if (q.space !== 'sum') problems.push(`${q.text}: a count is aggregated with sum:, not ${q.space}:`);
    if (q.modifiers.length !== 1 || !['as_count', 'as_rate'].includes(q.modifiers[0] ?? ''))
      problems.push(`${q.text}: a count needs .as_count() or .as_rate()`);
  } else {
    if (!PERCENTILE.test(q.space) && !DISTRIBUTION_SPACES.includes(q.space))
      problems.push(`${q.text}: ${q.space}: is not an aggregator of distributions`);
    if (q.modifiers.length > 0 && !(q.space === 'count' && q.modifiers.join() === 'as_count'))
      problems.push(`${q.text}: .${q.modifiers.join('().')}() on a distribution`);
  }
  return problems;
}

/** The aggregator a scalar widget must apply to `q` (`undefined`: any). */
export function expectedScalarAggregator(q: MetricQueryParts): string | undefined {
  if (PERCENTILE.test(q.space)) return 'percentile';
  if (q.modifiers.includes('as_count')) return 'sum';
  if (q.modifiers.includes('as_rate')) return 'avg';
  return undefined;
}

/** GitHub's anchor of a Markdown heading. */
export function headingAnchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/**
 * The opt-in tags (carried by the metric, not by default) the queries group or filter by, per
 * metric name without the prefix, tags sorted: what the widget's description must declare.
 */
export function optInTagsUsed(queries: readonly WidgetQuery[], prefix = 'apim.'): Map<string, string[]> {
  const out = new Map<string, Set<string>>();
  for (const w of queries) {
    for (const q of parseMetricQueries(w.query)) {
      const name = q.metric.slice(prefix.length) as DatadogMetric;
      const spec = DATADOG_METRICS[name];
      if (spec === undefined) continue;
      const defaults = new Set<string>([...spec.defaultTags, ...GLOBAL_TAGS]);
      const tags = [
        ...q.by,
        ...q.filter
          .filter((f) => !f.startsWith('$') && f !== '*')
          .map((f) => f.replace(/^!/, '').split(':')[0] ?? ''),
      ];
      for (const tag of tags) {
        if (defaults.has(tag)) continue;
        const set = out.get(name) ?? new Set<string>();
        out.set(name, set);
        set.add(tag);
      }
    }
  }
  return new Map([...out].sort(([a], [b]) => a.localeCompare(b)).map(([m, t]) => [m, [...t].sort()]));
}

/** What a description declares with scripts/datadog/query.ts `optInNote`: metric → tags, sorted. */
export function declaredOptIn(description: string): Map<string, string[]> {
  const out = new Map<string, Set<string>>();
  for (const m of description.matchAll(/Needs the opt-in tags? ((?:`[a-z_]+`(?:, )?)+) on `([a-z_.]+)`/g)) {
    const set = out.get(m[2] ?? '') ?? new Set<string>();
    out.set(m[2] ?? '', set);
    for (const t of (m[1] ?? '').matchAll(/`([a-z_]+)`/g)) set.add(t[1] ?? '');
  }
  return new Map([...out].sort(([a], [b]) => a.localeCompare(b)).map(([m, t]) => [m, [...t].sort()]));
}

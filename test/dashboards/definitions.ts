/**
 * The one definition of errors and tokens (docs/metrics.md, "One definition of errors and tokens,
 * on every backend") read from the document, and small parsers that find the pieces of a
 * definition in a PromQL expression, a Datadog metric query or a Kibana KQL string.
 * definitions.test.ts holds every bundled dashboard, rule and monitor to it.
 */
import { readFileSync } from 'node:fs';

export type Backend = 'prometheus' | 'datadog' | 'kibana';

/** One row of the table: the code spans of each backend's cell, in order. */
export interface Definition {
  readonly quantity: string;
  readonly prometheus: readonly string[];
  readonly datadog: readonly string[];
  readonly kibana: readonly string[];
}

const HEADING = '## One definition of errors and tokens, on every backend';

/** The table under the heading, a definition per quantity. */
export function readDefinitions(path: string): ReadonlyMap<string, Definition> {
  const text = readFileSync(path, 'utf8');
  const start = text.indexOf(HEADING);
  if (start < 0) throw new Error(`${path} has no "${HEADING}" section`);
  const rows = text
    .slice(start)
    .split('\n')
    .filter((line) => line.startsWith('| ') && !line.startsWith('| ---') && !line.startsWith('| quantity'));
  const out = new Map<string, Definition>();
  for (const row of rows) {
    const cells = row.split(' | ').map((c) => c.replace(/^\| |\s\|$/g, '').trim());
    const [quantity, , prometheus, datadog, kibana] = cells;
    if (quantity === undefined || kibana === undefined) continue;
    out.set(quantity, {
      quantity,
      prometheus: spans(prometheus ?? ''),
      datadog: spans(datadog ?? ''),
      kibana: spans(kibana),
    });
  }
  return out;
}

function spans(cell: string): string[] {
  return [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1] as string);
}

/** A PromQL selector: the metric and its matchers, each `name op "value"` without spaces. */
export interface Selector {
  readonly metric: string;
  readonly matchers: ReadonlySet<string>;
}

/** Every `metric{…}` selector in a PromQL expression (bare metric names have no matchers). */
export function promSelectors(expr: string): Selector[] {
  const out: Selector[] = [];
  for (const m of expr.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\{([^}]*)\}/g)) {
    const matchers = (m[2] as string)
      .split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/)
      .map((s) => s.replace(/\s+/g, ''))
      .filter((s) => s.length > 0);
    out.push({ metric: m[1] as string, matchers: new Set(matchers) });
  }
  return out;
}

/** Does `expr` hold a selector of `wanted`'s metric with at least `wanted`'s matchers? */
export function hasPromSelector(expr: string, wanted: Selector): boolean {
  return promSelectors(expr).some(
    (s) => s.metric === wanted.metric && [...wanted.matchers].every((m) => s.matchers.has(m)),
  );
}

/** A Datadog metric query's metric (without the prefix) and its `tag:value` filters. */
export interface DatadogQuery {
  readonly metric: string;
  readonly filters: ReadonlySet<string>;
}

/** `sum:apim.requests{$env,event_type:response} by {api}.as_count()` → requests, {event_type:response}. */
export function datadogQuery(query: string, prefix = 'apim.'): DatadogQuery | undefined {
  const m = /^(?:[a-z]+:)?([a-zA-Z0-9_.]+)\{([^}]*)\}/.exec(query.replace(/^[a-z]+\(last_\w+\):/, ''));
  if (m === null) return undefined;
  const name = m[1] as string;
  const filters = (m[2] as string)
    .split(',')
    .map((f) => f.trim())
    .filter((f) => f.length > 0 && !f.startsWith('$') && f !== '*');
  return { metric: name.startsWith(prefix) ? name.slice(prefix.length) : name, filters: new Set(filters) };
}

/** The definition's Datadog span `requests{a:b,c:d}` (or a bare `errors`) as a query to look for. */
export function datadogWanted(span: string): DatadogQuery {
  const parsed = datadogQuery(span.includes('{') ? span : `${span}{}`, '');
  if (parsed === undefined) throw new Error(`not a Datadog query: ${span}`);
  return parsed;
}

/** Does one of `queries` ask for `wanted`'s metric with (at least) its filters? */
export function hasDatadogQuery(queries: readonly string[], wanted: DatadogQuery): boolean {
  return queries.some((q) => {
    const parsed = datadogQuery(q);
    return (
      parsed !== undefined &&
      parsed.metric === wanted.metric &&
      [...wanted.filters].every((f) => parsed.filters.has(f))
    );
  });
}

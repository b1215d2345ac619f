/**
 * Just enough PromQL lexing to check dashboards and rules against the metric contract: which
 * metric names an expression selects, which labels its selectors match on, and which labels it
 * groups or joins by. Not a parser: it strips strings, ranges and label matchers, then reads the
 * identifiers that are left. promql.test.ts pins its behaviour on tricky expressions.
 */

export interface PromqlReferences {
  /** Metric names selected, e.g. `apim_requests_total`, `apim:requests:rate5m`. */
  readonly metrics: readonly string[];
  /** Per selector: its metric name and the label names its matchers use. */
  readonly selectors: readonly { readonly metric: string; readonly labels: readonly string[] }[];
  /** Label names in `by`, `without`, `on`, `ignoring`, `group_left` and `group_right` lists. */
  readonly grouping: readonly string[];
  /** `{...}` selectors without a metric name in front (cannot be checked; callers reject them). */
  readonly anonymousSelectors: number;
}

const KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'offset',
  'inf',
  'nan',
]);

const STRING = /"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g;
const GROUPING = /\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g;
const SELECTOR = /([a-zA-Z_:][\w:]*)?\s*\{([^}]*)\}/g;
const MATCHER_NAME = /([a-zA-Z_]\w*)\s*(?:=~|!~|!=|=)/g;
/** An identifier not preceded by a word character, `.` or `$` (numbers, durations, variables). */
const IDENTIFIER = /(?<![\w:.$])[a-zA-Z_:][\w:]*(?![\w:])/g;

function names(list: string): string[] {
  return list
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

export function promqlReferences(expr: string): PromqlReferences {
  let text = expr.replace(/#[^\n]*/g, '').replace(STRING, '""');
  const grouping: string[] = [];
  text = text.replace(GROUPING, (_all, list: string) => {
    grouping.push(...names(list));
    return ' ';
  });
  const selectors: { metric: string; labels: string[] }[] = [];
  let anonymousSelectors = 0;
  text = text.replace(SELECTOR, (_all, metric: string | undefined, body: string) => {
    const labels = [...body.matchAll(MATCHER_NAME)].map((m) => m[1] as string);
    if (metric === undefined || KEYWORDS.has(metric.toLowerCase())) {
      anonymousSelectors += 1;
      return metric ?? ' ';
    }
    selectors.push({ metric, labels });
    return metric;
  });
  text = text.replace(/\[[^\]]*\]/g, ' ');
  const metrics: string[] = [];
  for (const match of text.matchAll(IDENTIFIER)) {
    const id = match[0];
    const after = text.slice((match.index ?? 0) + id.length);
    if (/^\s*\(/.test(after)) continue; // a function or aggregation call
    if (KEYWORDS.has(id.toLowerCase())) continue;
    if (!metrics.includes(id)) metrics.push(id);
  }
  return { metrics, selectors, grouping: [...new Set(grouping)], anonymousSelectors };
}

/** Grafana template variables used in a query: `$name`, `${name}`, `${name:format}`, `[[name]]`. */
export function templateVariables(query: string): string[] {
  const found = new Set<string>();
  for (const m of query.matchAll(/\$\{(\w+)(?::[^}]*)?\}|\$(\w+)|\[\[(\w+)(?::[^\]]*)?\]\]/g)) {
    found.add((m[1] ?? m[2] ?? m[3]) as string);
  }
  return [...found];
}

/**
 * docs/metrics.md's definitions applied to the OpenSearch Dashboards bundle: every labelled count
 * or ratio of a visualization (the panel, a filters bucket, a sum_bucket column, a TSVB series)
 * with its KQL, and the checks definitions.test.ts makes of the other backends.
 */
type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A labelled quantity of a panel and the KQL that selects what it counts. */
export interface Labelled {
  readonly panel: string;
  readonly label: string;
  readonly kql: string;
}

export interface Definitions {
  /** Our errors (`eventType : "faulty" or proxyResponseCode >= 500`). */
  readonly errors: string;
  /** The KQL parts of WSO2's error rate (4xx, 2xx). */
  readonly wso2: readonly string[];
  /** The field of the token total. */
  readonly totalTokens: string;
}

/** Every labelled quantity of the bundle's visualizations. */
export function labelledQuantities(ndjson: string): Labelled[] {
  const out: Labelled[] = [];
  for (const line of ndjson.split('\n').filter((l) => l.trim() !== '')) {
    const o = JSON.parse(line) as { type: string; attributes: Json };
    if (o.type !== 'visualization') continue;
    const title = String(o.attributes.title);
    const meta = o.attributes.kibanaSavedObjectMeta as { searchSourceJSON: string };
    const base = String(
      (JSON.parse(meta.searchSourceJSON) as { query?: { query?: string } }).query?.query ?? '',
    );
    const and = (q: string) =>
      [base, q]
        .filter((x) => x !== '')
        .map((x) => `(${x})`)
        .join(' and ');
    const vis = JSON.parse(String(o.attributes.visState)) as { type: string; aggs?: Json[]; params?: Json };
    // A TSVB panel's quantities are its series (each with its own filter and ratio).
    if (vis.type !== 'metrics') out.push({ panel: title, label: title, kql: base });
    for (const agg of vis.aggs ?? []) {
      const params = (agg.params ?? {}) as Json;
      if (agg.type === 'filters')
        for (const f of (params.filters ?? []) as { label: string; input: { query: string } }[])
          out.push({ panel: title, label: f.label, kql: and(f.input.query) });
      if (agg.type === 'sum_bucket') {
        const bucket = params.customBucket as { params: { filters: { input: { query: string } }[] } };
        for (const f of bucket.params.filters)
          out.push({ panel: title, label: String(params.customLabel), kql: and(f.input.query) });
      }
    }
    for (const s of ((vis.params?.series ?? []) as Json[]).filter(isObject)) {
      const filter = String((s.filter as { query?: string } | undefined)?.query ?? '');
      const ratios = ((s.metrics ?? []) as Json[]).filter((m) => m.type === 'filter_ratio');
      const numerator = ratios.map(
        (m) => `${(m.numerator as { query: string }).query} / ${(m.denominator as { query: string }).query}`,
      );
      out.push({
        panel: title,
        label: String(s.label),
        kql: [filter, ...numerator].filter((x) => x !== '').join(' ; '),
      });
    }
  }
  return out;
}

const NAMES_ERRORS = /error/i;
const NOT_ERRORS = /not errors?|wso2/i;
/** A lower bound that lets 3xx or 4xx responses in. */
const ADMITS_4XX = /(?:proxy|target)ResponseCode\s*>=\s*[34]\d\d/;
/** Labels that claim the defined error count or rate (WSO2's fault breakdowns excluded). */
const CLAIMS_ERRORS = /^(?:error rate|error request count|errors)\b/i;
const FAULT_BREAKDOWN = /by (?:category|reason)/i;

/** Every way the bundle departs from the definitions; empty when it keeps them. */
export function definitionProblems(ndjson: string, d: Definitions): string[] {
  const problems: string[] = [];
  for (const q of labelledQuantities(ndjson)) {
    const where = `"${q.panel}" / "${q.label}"`;
    if (NAMES_ERRORS.test(q.label) && !NOT_ERRORS.test(q.label) && ADMITS_4XX.test(q.kql))
      problems.push(`${where} is named for errors but counts 4xx responses: ${q.kql}`);
    if (
      CLAIMS_ERRORS.test(q.label) &&
      !NOT_ERRORS.test(q.label) &&
      !FAULT_BREAKDOWN.test(q.label) &&
      !q.kql.includes(d.errors)
    )
      problems.push(`${where} does not count the defined errors (${d.errors}): ${q.kql}`);
    if (/error rate/i.test(q.label) && /wso2/i.test(q.label) && q.kql !== '')
      for (const part of d.wso2) if (!q.kql.includes(part)) problems.push(`${where} lacks WSO2's ${part}`);
  }
  for (const line of ndjson.split('\n').filter((l) => l.trim() !== '')) {
    const o = JSON.parse(line) as { type: string; attributes: Json };
    if (o.type !== 'visualization') continue;
    const vis = JSON.parse(String(o.attributes.visState)) as { aggs?: Json[] };
    const title = String(o.attributes.title);
    const sums = (vis.aggs ?? []).filter((a) => a.type === 'sum');
    for (const a of sums) {
      const p = a.params as { field?: string; customLabel?: string };
      if (/total token/i.test(p.customLabel ?? title) && p.field !== d.totalTokens)
        problems.push(`"${title}" sums ${String(p.field)} as total tokens, not ${d.totalTokens}`);
    }
    if (
      /total token/i.test(title) &&
      !sums.some((a) => (a.params as { field?: string }).field === d.totalTokens)
    )
      problems.push(`"${title}" does not sum ${d.totalTokens}`);
  }
  return problems;
}

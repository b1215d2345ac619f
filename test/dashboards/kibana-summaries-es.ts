import { type Stream, streamOf, type TableSpec, UNKNOWN } from '../../plugins/summaries/tables.js';
import type { CanonicalEvent } from '../../src/schema/event.js';
import { tableOfIndex } from './kibana-summaries-shape.js';

/**
 * A long-range Lens panel as the Elasticsearch search Kibana runs for it (its KQL, its buckets in
 * nesting order, its metric aggregations, formula parts included), and the same numbers computed
 * from the events directly.
 */

type Json = Record<string, unknown>;

export interface PanelPlan {
  readonly id: string;
  readonly index: string;
  readonly table: TableSpec;
  readonly query: string;
  readonly groups: readonly { readonly kind: 'terms' | 'date'; readonly field: string }[];
  readonly metrics: readonly { readonly op: string; readonly field: string }[];
}

/** Group key (values joined by `|`) → one number per metric. */
export type Totals = Map<string, number[]>;

const DAY_MS = 86_400_000;
const METRIC_OPS = new Set(['sum', 'max', 'min', 'average', 'count', 'unique_count', 'median', 'percentile']);

/** The plan of a Lens saved object (one data layer). */
export function planOf(lens: { id: string; attributes: Json; references: { id: string }[] }): PanelPlan {
  const state = lens.attributes.state as Json;
  const layers = ((state.datasourceStates as Json).formBased as Json).layers as Json;
  const layer = Object.values(layers)[0] as { columns: Record<string, Json>; columnOrder: string[] };
  const index = lens.references[0]?.id ?? '';
  const table = tableOfIndex(index);
  if (table === undefined) throw new Error(`${lens.id}: ${index} is no summary index`);
  const columns = layer.columnOrder.map((id) => layer.columns[id] as Json);
  const groups = columns
    .filter((c) => c.isBucketed === true)
    .map((c) => ({
      kind: c.operationType === 'terms' ? ('terms' as const) : ('date' as const),
      field: String(c.sourceField),
    }));
  const seen = new Set<string>();
  const metrics = columns
    .filter((c) => METRIC_OPS.has(String(c.operationType)))
    .map((c) => ({ op: String(c.operationType), field: String(c.sourceField) }))
    .filter((m) => !seen.has(`${m.op}/${m.field}`) && seen.add(`${m.op}/${m.field}`) !== undefined);
  return { id: lens.id, index, table, query: String((state.query as Json).query), groups, metrics };
}

/** The KQL conjuncts the long-range panels use: `field : "v"` and `field < "v"`. */
function clauses(kql: string): { field: string; op: ':' | '<'; value: string }[] {
  if (kql.trim() === '') return [];
  return kql.split(' and ').map((part) => {
    const m = /^\(?\s*([\w@.]+)\s*(:|<)\s*"([^"]*)"\s*\)?$/.exec(part.trim());
    if (m === null) throw new Error(`KQL the test cannot translate: ${part}`);
    return { field: m[1] as string, op: m[2] as ':' | '<', value: m[3] as string };
  });
}

/** The search body for a plan: its filter, nested buckets (all values) and metrics. */
export function searchBody(plan: PanelPlan): Json {
  const filter = clauses(plan.query).map((c) =>
    c.op === ':' ? { term: { [c.field]: c.value } } : { range: { [c.field]: { lt: c.value } } },
  );
  let aggs: Json = Object.fromEntries(plan.metrics.map((m, i) => [`m${i}`, { [m.op]: { field: m.field } }]));
  for (const g of [...plan.groups].reverse()) {
    const bucket =
      g.kind === 'terms'
        ? { terms: { field: g.field, size: 1000 } }
        : { date_histogram: { field: g.field, calendar_interval: '1d', time_zone: 'UTC', min_doc_count: 1 } };
    aggs = { g: { ...bucket, aggs } };
  }
  return { size: 0, track_total_hits: true, query: { bool: { filter } }, aggs };
}

/** The totals of a search answer (`aggregations` of {@link searchBody}). */
export function totalsOf(plan: PanelPlan, aggregations: Json): Totals {
  const out: Totals = new Map();
  const walk = (node: Json, depth: number, keys: string[]): void => {
    if (depth === plan.groups.length) {
      out.set(
        keys.join('|'),
        plan.metrics.map((_, i) => Number((node[`m${i}`] as Json).value)),
      );
      return;
    }
    for (const b of (node.g as { buckets: Json[] }).buckets) walk(b, depth + 1, [...keys, String(b.key)]);
  };
  walk(aggregations, 0, []);
  return out;
}

/** The totals computed from the events: what the panel must show. */
export function expectedTotals(plan: PanelPlan, events: readonly CanonicalEvent[], now: number): Totals {
  const { table } = plan;
  const columns = new Map([...table.keys, ...table.attributes].map((c) => [c.name, c]));
  const keys = new Set(table.keys.map((k) => k.name));
  const sums = new Map(table.sums.map((s) => [s.name, s]));
  const out: Totals = new Map();
  for (const event of events) {
    const stream: Stream = streamOf(event);
    if (!table.streams.includes(stream)) continue;
    const ms = Date.parse(event.requestTimestamp);
    const parts: string[] = [];
    for (const g of plan.groups) {
      if (g.kind === 'date') {
        parts.push(String(Math.floor(ms / DAY_MS) * DAY_MS));
        continue;
      }
      const value = columns.get(g.field)?.from(event) ?? (keys.has(g.field) ? UNKNOWN : undefined);
      if (value === undefined) break;
      parts.push(value);
    }
    if (parts.length < plan.groups.length) continue;
    const key = parts.join('|');
    const totals = out.get(key) ?? plan.metrics.map((m) => (m.op === 'max' ? Number.NEGATIVE_INFINITY : 0));
    plan.metrics.forEach((m, i) => {
      if (m.op === 'max' && m.field === '@timestamp') totals[i] = Math.max(totals[i] as number, ms);
      else if (m.op === 'sum')
        totals[i] = (totals[i] as number) + (sums.get(m.field)?.from(event, stream) ?? 0);
      else throw new Error(`${plan.id}: no expected value for ${m.op}(${m.field})`);
    });
    out.set(key, totals);
  }
  for (const c of clauses(plan.query)) {
    if (c.field === 'granularity' && c.value === 'DAYS') continue;
    const cutoff = /^now-(\d+)d$/.exec(c.value);
    const at = plan.metrics.findIndex((m) => m.op === 'max' && m.field === '@timestamp');
    if (c.field !== '@timestamp' || c.op !== '<' || cutoff === null || at < 0)
      throw new Error(`${plan.id}: no expected value under ${c.field} ${c.op} ${c.value}`);
    const limit = now - Number(cutoff[1]) * DAY_MS;
    for (const [key, totals] of out) if ((totals[at] as number) >= limit) out.delete(key);
  }
  return out;
}

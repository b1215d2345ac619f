/**
 * Widget definitions of the v1 Dashboard API, built from named metric queries and formulas
 * (the `queries`/`formulas` request form; no deprecated `q`). Each widget carries its size in the
 * 12-column grid of an `ordered` dashboard; layout.ts places them.
 */
import type { Json } from '../../plugins/datadog/setup/bundle.js';
import type { MetricQuery } from './query.js';

export interface Widget {
  readonly definition: Json;
  readonly width: number;
  readonly height: number;
}

/** Queries by name; the name is what formulas refer to. */
export type Queries = Readonly<Record<string, MetricQuery>>;

export interface Formula {
  readonly formula: string;
  readonly alias?: string;
}

export interface Common {
  readonly title: string;
  /** What the widget shows and how it is computed (Datadog shows it on hover; the README lists it). */
  readonly description: string;
}

function metricQueries(queries: Queries, scalar: boolean): Json[] {
  return Object.entries(queries).map(([name, q]) => ({
    data_source: 'metrics',
    name,
    query: q.query,
    ...(scalar ? { aggregator: q.aggregator } : {}),
  }));
}

function formulaJson(f: Formula, extra: Json = {}): Json {
  return { formula: f.formula, ...(f.alias === undefined ? {} : { alias: f.alias }), ...extra };
}

function checkNames(queries: Queries, formulas: readonly Formula[]): void {
  for (const f of formulas) {
    const used = f.formula.match(/\b[a-z][a-z0-9_]*\b(?!\s*\()/g) ?? [];
    for (const name of used)
      if (!(name in queries)) throw new Error(`formula ${f.formula}: no query ${name}`);
  }
}

const common = (type: string, c: Common): Json => ({ type, title: c.title, description: c.description });

export function timeseries(
  c: Common & {
    queries: Queries;
    formulas: readonly Formula[];
    display?: 'line' | 'bars' | 'area';
    /** Horizontal lines, e.g. `y = 1000` for an SLO. */
    markers?: readonly { value: string; label: string }[];
    width?: number;
  },
): Widget {
  checkNames(c.queries, c.formulas);
  return {
    definition: {
      ...common('timeseries', c),
      show_legend: true,
      legend_layout: 'auto',
      legend_columns: ['avg', 'max', 'value'],
      requests: [
        {
          response_format: 'timeseries',
          queries: metricQueries(c.queries, false),
          formulas: c.formulas.map((f) => formulaJson(f)),
          display_type: c.display ?? 'line',
        },
      ],
      ...(c.markers === undefined
        ? {}
        : {
            markers: c.markers.map((m) => ({ value: m.value, label: m.label, display_type: 'error dashed' })),
          }),
    },
    width: c.width ?? 6,
    height: 3,
  };
}

export function queryValue(
  c: Common & {
    queries: Queries;
    formula: Formula;
    unit?: string;
    precision?: number;
    /** Red above this value, green at or below it. */
    redAbove?: number;
    width?: number;
  },
): Widget {
  checkNames(c.queries, [c.formula]);
  const formats =
    c.redAbove === undefined
      ? {}
      : {
          conditional_formats: [
            { comparator: '>', value: c.redAbove, palette: 'white_on_red' },
            { comparator: '<=', value: c.redAbove, palette: 'white_on_green' },
          ],
        };
  return {
    definition: {
      ...common('query_value', c),
      autoscale: true,
      precision: c.precision ?? 2,
      ...(c.unit === undefined ? {} : { custom_unit: c.unit }),
      requests: [
        {
          response_format: 'scalar',
          queries: metricQueries(c.queries, true),
          formulas: [formulaJson(c.formula, formats)],
        },
      ],
    },
    width: c.width ?? 3,
    height: 2,
  };
}

export function toplist(
  c: Common & { queries: Queries; formula: Formula; top?: number; width?: number },
): Widget {
  checkNames(c.queries, [c.formula]);
  return {
    definition: {
      ...common('toplist', c),
      requests: [
        {
          response_format: 'scalar',
          queries: metricQueries(c.queries, true),
          formulas: [formulaJson(c.formula, { limit: { count: c.top ?? 10, order: 'desc' } })],
        },
      ],
    },
    width: c.width ?? 6,
    height: 3,
  };
}

/** A table: one row per group of the `by` tags, one column per formula. */
export function table(
  c: Common & { queries: Queries; formulas: readonly Formula[]; rows?: number; width?: number },
): Widget {
  checkNames(c.queries, c.formulas);
  return {
    definition: {
      ...common('query_table', c),
      has_search_bar: 'auto',
      requests: [
        {
          response_format: 'scalar',
          queries: metricQueries(c.queries, true),
          formulas: c.formulas.map((f, i) =>
            formulaJson(f, i === 0 ? { limit: { count: c.rows ?? 50, order: 'desc' } } : {}),
          ),
        },
      ],
    },
    width: c.width ?? 12,
    height: 4,
  };
}

/** The distribution of every value of a distribution metric (`histogram:` query). */
export function distribution(c: Common & { query: string; width?: number }): Widget {
  return {
    definition: {
      ...common('distribution', c),
      show_legend: false,
      requests: [
        { request_type: 'histogram', query: { data_source: 'metrics', name: 'values', query: c.query } },
      ],
    },
    width: c.width ?? 6,
    height: 3,
  };
}

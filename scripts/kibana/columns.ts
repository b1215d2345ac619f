/**
 * Lens `formBased` layer columns: the stored column shape and typed specs for the bucket and
 * metric columns a visualisation asks for (layer.ts turns them into columns).
 */
import type { Expr } from './formula.js';

/** A column of a Lens `formBased` layer, as stored in the saved object. */
export interface LensColumn {
  readonly label: string;
  readonly dataType: 'number' | 'string' | 'date' | 'boolean';
  readonly operationType: string;
  readonly isBucketed: boolean;
  readonly scale: 'ratio' | 'ordinal' | 'interval';
  readonly sourceField?: string;
  readonly params?: Readonly<Record<string, unknown>>;
  readonly filter?: { readonly query: string; readonly language: 'kuery' };
  readonly references?: readonly string[];
  readonly customLabel?: boolean;
  readonly isStaticValue?: boolean;
}

/** Number formats Lens applies to a metric column. */
export const PERCENT = { id: 'percent', params: { decimals: 2 } } as const;
/** Percent with three decimals, for success rates near 100 %. */
export const PERCENT_3 = { id: 'percent', params: { decimals: 3 } } as const;
/** Whole numbers (milliseconds, counts). */
export const INTEGER = { id: 'number', params: { decimals: 0 } } as const;
/** Two decimals (ratios such as a burn rate). */
export const DECIMAL_2 = { id: 'number', params: { decimals: 2 } } as const;
type Format = typeof PERCENT | typeof PERCENT_3 | typeof INTEGER | typeof DECIMAL_2;

/** A metric column: an aggregation or a formula over aggregations. */
export interface Metric {
  readonly kind: 'metric';
  readonly label: string;
  readonly expr: Expr;
  readonly format?: Format;
}
/** A constant (reference lines). */
export interface StaticValue {
  readonly kind: 'static';
  readonly label: string;
  readonly value: number;
}
/** Top values of a field, ranked by the layer's first plain metric unless `alphabetical`. */
export interface Terms {
  readonly kind: 'terms';
  readonly field: string;
  readonly size: number;
  readonly label: string;
  readonly alphabetical?: boolean;
  /** Rank by the layer's metric with this index (default: the first non-formula metric). */
  readonly rankBy?: number;
  /** Group the remaining values into an "Other" bucket (default true). */
  readonly other?: boolean;
}
/** Time buckets of the data view's time field. */
export interface DateHistogram {
  readonly kind: 'date';
  readonly interval: string;
}
/** One bucket per KQL query. */
export interface Filters {
  readonly kind: 'filters';
  readonly label: string;
  readonly filters: readonly { readonly label: string; readonly kql: string }[];
}
/** Explicit numeric ranges `[from, to)`. */
export interface Ranges {
  readonly kind: 'ranges';
  readonly field: string;
  readonly label: string;
  readonly ranges: readonly { readonly from: number; readonly to: number; readonly label: string }[];
}
/** A bucket (split) column. */
export type Bucket = Terms | DateHistogram | Filters | Ranges;

/** A metric column spec. */
export const metric = (label: string, expr: Expr, format?: Format): Metric => ({
  kind: 'metric',
  label,
  expr,
  ...(format === undefined ? {} : { format }),
});
/** A terms bucket spec. */
export const terms = (field: string, size: number, label: string, options: Partial<Terms> = {}): Terms => ({
  ...options,
  kind: 'terms',
  field,
  size,
  label,
});
/** A ranges bucket spec. */
export const ranges = (field: string, label: string, list: Ranges['ranges']): Ranges => ({
  kind: 'ranges',
  field,
  label,
  ranges: list,
});
/** A date histogram spec (`auto` interval unless given). */
export const dateHistogram = (interval = 'auto'): DateHistogram => ({ kind: 'date', interval });
/** A filters bucket spec. */
export const filters = (label: string, list: Filters['filters']): Filters => ({
  kind: 'filters',
  label,
  filters: list,
});

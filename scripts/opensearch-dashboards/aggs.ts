/**
 * Aggregations of legacy visualizations (`visState.aggs`), as OpenSearch Dashboards 2.x writes
 * them. Metrics come first in every panel, so `orderBy: "1"` sorts terms by the first metric.
 */
import { TIME_FIELD } from './index-patterns.js';

export interface AggSpec {
  readonly type: string;
  readonly schema: string;
  readonly params: Readonly<Record<string, unknown>>;
}

/** The specs with ids "1", "2", … in order, all enabled. */
export function numbered(specs: readonly AggSpec[]): Record<string, unknown>[] {
  return specs.map((s, i) => ({
    id: String(i + 1),
    enabled: true,
    type: s.type,
    schema: s.schema,
    params: s.params,
  }));
}

const label = (customLabel: string | undefined) => (customLabel === undefined ? {} : { customLabel });

export const count = (customLabel?: string): AggSpec => ({
  type: 'count',
  schema: 'metric',
  params: label(customLabel),
});

export const sum = (field: string, customLabel?: string): AggSpec => ({
  type: 'sum',
  schema: 'metric',
  params: { field, ...label(customLabel) },
});

export const avg = (field: string, customLabel?: string): AggSpec => ({
  type: 'avg',
  schema: 'metric',
  params: { field, ...label(customLabel) },
});

export const median = (field: string, customLabel?: string): AggSpec => ({
  type: 'median',
  schema: 'metric',
  params: { field, ...label(customLabel) },
});

export const percentiles = (field: string, percents: readonly number[], customLabel?: string): AggSpec => ({
  type: 'percentiles',
  schema: 'metric',
  params: { field, percents, ...label(customLabel) },
});

export const cardinality = (field: string, customLabel?: string): AggSpec => ({
  type: 'cardinality',
  schema: 'metric',
  params: { field, ...label(customLabel) },
});

/** A count of the documents matching `query` (KQL), as a metric column: sum_bucket over a filter. */
export const countWhere = (query: string, customLabel: string): AggSpec => ({
  type: 'sum_bucket',
  schema: 'metric',
  params: {
    customBucket: {
      id: 'bucket',
      enabled: true,
      type: 'filters',
      params: { filters: [{ input: { query, language: 'kuery' }, label: '' }] },
    },
    customMetric: { id: 'metric', enabled: true, type: 'count', params: {} },
    customLabel,
  },
});

/** Time buckets on `requestTimestamp` (`auto` unless given). */
export const dateHistogram = (schema = 'segment', interval = 'auto'): AggSpec => ({
  type: 'date_histogram',
  schema,
  params: {
    field: TIME_FIELD,
    interval,
    min_doc_count: 1,
    extended_bounds: {},
    drop_partials: false,
    useNormalizedOpenSearchInterval: true,
    scaleMetricValues: false,
  },
});

/** The top `size` values of `field`, by the first metric (or `_count`, `_key`). */
export const terms = (
  field: string,
  size: number,
  schema: string,
  customLabel?: string,
  orderBy = '1',
): AggSpec => ({
  type: 'terms',
  schema,
  params: {
    field,
    orderBy,
    order: 'desc',
    size,
    otherBucket: false,
    otherBucketLabel: 'Other',
    missingBucket: false,
    missingBucketLabel: 'Missing',
    ...label(customLabel),
  },
});

/** One bucket per KQL query, labelled. */
export const filters = (schema: string, list: readonly { label: string; query: string }[]): AggSpec => ({
  type: 'filters',
  schema,
  params: { filters: list.map((f) => ({ input: { query: f.query, language: 'kuery' }, label: f.label })) },
});

/** Fixed-width numeric buckets (the token heatmap's hours). */
export const histogram = (
  field: string,
  schema: string,
  bounds: { min: number; max: number },
  customLabel?: string,
): AggSpec => ({
  type: 'histogram',
  schema,
  params: {
    field,
    interval: 1,
    min_doc_count: false,
    has_extended_bounds: true,
    extended_bounds: bounds,
    ...label(customLabel),
  },
});

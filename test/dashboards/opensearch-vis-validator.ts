/**
 * OpenSearch Dashboards 2.x visualization rules, checked offline: the visualization types and
 * aggregation types 2.x ships, aggregation fields present in the mapping and of a type the
 * aggregation takes, KQL fields present, input controls' index-pattern references, TSVB's index
 * pattern, series metrics and KQL, markdown links. Used by opensearch-validator.ts.
 */
import { kqlFields } from './kibana-validator/kql.js';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** What a visualization check needs to know about the rest of the file and the mapping. */
export interface VisContext {
  /** field → mapping type (`text`, `keyword`, `long`, `double`, `boolean`, `date`). */
  readonly fields: ReadonlyMap<string, string>;
  /** Titles of the index patterns in the file (TSVB names them). */
  readonly patternTitles: ReadonlySet<string>;
  /** Dashboard ids in the file (markdown links). */
  readonly dashboards: ReadonlySet<string>;
  /** The object's reference names → type. */
  readonly refs: ReadonlyMap<string, string>;
  readonly report: (problem: string) => void;
}

/** Visualization types OpenSearch Dashboards 2.x registers (core visualizations plugins). */
export const OSD_VIS_TYPES: ReadonlySet<string> = new Set([
  'area',
  'line',
  'histogram',
  'horizontal_bar',
  'pie',
  'metric',
  'goal',
  'gauge',
  'table',
  'heatmap',
  'tagcloud',
  'markdown',
  'input_control_vis',
  'metrics',
  'timelion',
  'vega',
  'region_map',
  'tile_map',
]);

/** Aggregation types of OSD 2.x's data plugin (legacy visualizations). */
export const OSD_AGG_TYPES: ReadonlySet<string> = new Set([
  'count',
  'avg',
  'sum',
  'median',
  'min',
  'max',
  'std_dev',
  'cardinality',
  'percentiles',
  'percentile_ranks',
  'top_hits',
  'geo_bounds',
  'geo_centroid',
  'derivative',
  'cumulative_sum',
  'moving_avg',
  'serial_diff',
  'avg_bucket',
  'sum_bucket',
  'min_bucket',
  'max_bucket',
  'date_histogram',
  'histogram',
  'range',
  'date_range',
  'ip_range',
  'terms',
  'significant_terms',
  'filters',
  'filter',
  'geohash_grid',
  'geotile_grid',
]);

/** TSVB metric types of OSD 2.x. */
export const TSVB_METRIC_TYPES: ReadonlySet<string> = new Set([
  'count',
  'avg',
  'sum',
  'min',
  'max',
  'cardinality',
  'percentile',
  'percentile_rank',
  'filter_ratio',
  'math',
  'std_deviation',
  'sum_of_squares',
  'variance',
  'value_count',
  'top_hit',
  'derivative',
  'cumulative_sum',
  'moving_average',
  'positive_only',
  'series_agg',
  'static',
  'calculation',
  'avg_bucket',
  'sum_bucket',
]);

const NUMERIC = new Set(['long', 'double']);
const AGGREGATABLE = new Set(['keyword', 'long', 'double', 'boolean', 'date']);
/** The mapping types each field-taking aggregation accepts. */
const FIELD_TYPES: Readonly<Record<string, ReadonlySet<string>>> = {
  avg: NUMERIC,
  sum: NUMERIC,
  median: NUMERIC,
  min: NUMERIC,
  max: NUMERIC,
  std_dev: NUMERIC,
  percentiles: NUMERIC,
  percentile_ranks: NUMERIC,
  histogram: NUMERIC,
  percentile: NUMERIC,
  date_histogram: new Set(['date']),
  cardinality: AGGREGATABLE,
  terms: AGGREGATABLE,
  significant_terms: AGGREGATABLE,
};

/** The field of an aggregation: present in the mapping and of a type the aggregation takes. */
function checkField(type: string, field: unknown, where: string, ctx: VisContext) {
  if (typeof field !== 'string') return ctx.report(`${where}: ${type} needs a field`);
  const mapped = ctx.fields.get(field);
  if (mapped === undefined) return ctx.report(`${where}: field "${field}" is not in the index mapping`);
  const allowed = FIELD_TYPES[type] ?? AGGREGATABLE;
  if (!allowed.has(mapped))
    ctx.report(`${where}: ${type} on "${field}" (${mapped}), which it cannot aggregate`);
}

function checkKql(query: unknown, where: string, ctx: VisContext) {
  if (!isObject(query)) return ctx.report(`${where}: needs a {query, language} object`);
  if (query.language !== 'kuery') ctx.report(`${where}: language must be kuery`);
  if (typeof query.query !== 'string') return ctx.report(`${where}: query must be a string`);
  for (const field of kqlFields(query.query))
    if (!ctx.fields.has(field)) ctx.report(`${where}: KQL "${query.query}" uses unknown field "${field}"`);
}

/** One legacy aggregation; `metricIds` are the ids `orderBy` may name. */
function checkAgg(
  agg: unknown,
  where: string,
  metricIds: ReadonlySet<string>,
  ctx: VisContext,
  multiValue: ReadonlySet<unknown> = new Set(),
) {
  if (!isObject(agg) || typeof agg.type !== 'string') return ctx.report(`${where}: aggregation needs a type`);
  if (!OSD_AGG_TYPES.has(agg.type)) return ctx.report(`${where}: unknown aggregation type "${agg.type}"`);
  const params = isObject(agg.params) ? agg.params : {};
  if (agg.type in FIELD_TYPES) checkField(agg.type, params.field, where, ctx);
  if (agg.type === 'terms' && typeof params.orderBy === 'string') {
    const ok = params.orderBy === '_count' || params.orderBy === '_key' || metricIds.has(params.orderBy);
    if (!ok) ctx.report(`${where}: terms orderBy "${params.orderBy}" names no metric`);
    if (multiValue.has(params.orderBy))
      ctx.report(
        `${where}: terms ordered by "${params.orderBy}", a multi-value metric OpenSearch cannot sort by`,
      );
  }
  if (agg.type === 'filters') {
    const list = Array.isArray(params.filters) ? params.filters : [];
    if (list.length === 0) ctx.report(`${where}: filters needs at least one filter`);
    list.forEach((f, n) => {
      checkKql(isObject(f) ? f.input : undefined, `${where} filter ${n}`, ctx);
    });
  }
  if (agg.type.endsWith('_bucket')) {
    checkAgg(params.customBucket, `${where} customBucket`, metricIds, ctx);
    checkAgg(params.customMetric, `${where} customMetric`, metricIds, ctx);
  }
}

/** Checks `visState` (parsed) of one visualization. */
export function checkVisState(visState: Json, ctx: VisContext) {
  const type = visState.type;
  if (typeof type !== 'string' || !OSD_VIS_TYPES.has(type))
    return ctx.report(
      `visState type "${String(type)}" is not a visualization type of OpenSearch Dashboards 2.x`,
    );
  if (typeof visState.title !== 'string') ctx.report('visState needs a title');
  const params = isObject(visState.params) ? visState.params : {};
  const aggs = Array.isArray(visState.aggs) ? visState.aggs : [];
  const ids = aggs.map((a) => (isObject(a) ? String(a.id) : ''));
  if (new Set(ids).size !== ids.length) ctx.report('visState aggregation ids are not unique');
  const metricIds = new Set(
    aggs.filter((a): a is Json => isObject(a) && a.schema === 'metric').map((a) => String(a.id)),
  );
  const multiValue = new Set(
    aggs
      .filter((a): a is Json => isObject(a) && ['percentiles', 'median'].includes(String(a.type)))
      .map((a) => a.id),
  );
  aggs.forEach((a, n) => {
    checkAgg(a, `agg ${n}`, metricIds, ctx, multiValue);
  });
  if (type === 'input_control_vis') checkControls(params, ctx);
  if (type === 'metrics') checkTsvb(params, ctx);
  if (type === 'markdown' && typeof params.markdown === 'string')
    for (const m of params.markdown.matchAll(/\(#\/view\/([^)\s?]+)/g))
      if (m[1] !== undefined && !ctx.dashboards.has(m[1]))
        ctx.report(`markdown links to dashboard ${m[1]}, which is not in the file`);
}

function checkControls(params: Json, ctx: VisContext) {
  const controls = Array.isArray(params.controls) ? params.controls.filter(isObject) : [];
  if (controls.length === 0) ctx.report('input_control_vis has no controls');
  const ids = new Set(controls.map((c) => c.id));
  controls.forEach((c, n) => {
    const ref = c.indexPatternRefName;
    if (typeof ref !== 'string' || ctx.refs.get(ref) !== 'index-pattern')
      ctx.report(`control ${n}: indexPatternRefName "${String(ref)}" is not an index-pattern reference`);
    checkField('terms', c.fieldName, `control ${n}`, ctx);
    if (c.parent !== '' && !ids.has(c.parent))
      ctx.report(`control ${n}: parent "${String(c.parent)}" is no control`);
  });
}

function checkTsvb(params: Json, ctx: VisContext) {
  if (typeof params.index_pattern !== 'string' || !ctx.patternTitles.has(params.index_pattern))
    ctx.report(`TSVB index_pattern "${String(params.index_pattern)}" is not an index pattern of the file`);
  if (ctx.fields.get(String(params.time_field)) !== 'date')
    ctx.report(`TSVB time_field "${String(params.time_field)}" is not a date field`);
  if (!['timeseries', 'metric', 'top_n', 'table', 'gauge', 'markdown'].includes(String(params.type)))
    ctx.report(`TSVB type "${String(params.type)}" is unknown`);
  if (params.type === 'table') checkField('terms', params.pivot_id, 'TSVB pivot', ctx);
  if (params.filter !== undefined) checkKql(params.filter, 'TSVB filter', ctx);
  const series = Array.isArray(params.series) ? params.series.filter(isObject) : [];
  if (series.length === 0) ctx.report('TSVB has no series');
  for (const s of series) {
    const where = `TSVB series "${String(s.label)}"`;
    if (s.filter !== undefined) checkKql(s.filter, `${where} filter`, ctx);
    const metrics = Array.isArray(s.metrics) ? s.metrics.filter(isObject) : [];
    if (metrics.length === 0) ctx.report(`${where} has no metrics`);
    const known = new Set<unknown>();
    for (const m of metrics) {
      const type = String(m.type);
      if (!TSVB_METRIC_TYPES.has(type)) ctx.report(`${where}: unknown TSVB metric "${type}"`);
      if (['avg', 'sum', 'min', 'max', 'cardinality', 'percentile'].includes(type))
        checkField(type === 'percentile' ? 'percentile' : type, m.field, where, ctx);
      if (type === 'filter_ratio') {
        checkKql(m.numerator, `${where} numerator`, ctx);
        checkKql(m.denominator, `${where} denominator`, ctx);
      }
      if (type === 'math')
        for (const v of Array.isArray(m.variables) ? m.variables.filter(isObject) : [])
          if (!known.has(v.field))
            ctx.report(`${where}: math variable ${String(v.name)} names no earlier metric`);
      known.add(m.id);
    }
  }
}

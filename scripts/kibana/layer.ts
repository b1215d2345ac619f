/**
 * A Lens `formBased` layer from column specs: `columns` + `columnOrder`, buckets first (in nesting
 * order) as Lens orders them, each formula followed by its helper columns.
 */
import { queryableFields } from '../../plugins/elasticsearch/fields.js';
import type { Bucket, LensColumn, Metric, StaticValue, Terms } from './columns.js';
import { TIME_FIELD } from './data-views.js';
import { aggColumn, formulaColumns } from './formula.js';

/** A built layer: its stored state and the ids of its bucket and metric columns. */
export interface BuiltLayer {
  readonly id: string;
  readonly state: Readonly<Record<string, unknown>>;
  readonly bucketIds: readonly string[];
  readonly metricIds: readonly string[];
}

const FIELDS = queryableFields();

/** The layer `id` with `buckets` (in nesting order) and `metrics`. */
export function buildLayer(
  id: string,
  buckets: readonly Bucket[],
  metrics: readonly (Metric | StaticValue)[],
): BuiltLayer {
  const metricIds = metrics.map((_, i) => `${id}m${i}`);
  const bucketIds = buckets.map((_, i) => `${id}b${i}`);
  const rankable = metrics.flatMap((m, i) => (m.kind === 'metric' && m.expr.kind === 'agg' ? [i] : []));
  const columns: [string, LensColumn][] = [];
  buckets.forEach((b, i) => {
    const rank = b.kind === 'terms' && b.alphabetical !== true ? (b.rankBy ?? rankable[0]) : undefined;
    columns.push([`${id}b${i}`, bucketColumn(b, rank === undefined ? undefined : metricIds[rank])]);
  });
  metrics.forEach((m, i) => {
    columns.push(...metricColumns(`${id}m${i}`, m));
  });
  const state = {
    columns: Object.fromEntries(columns),
    columnOrder: columns.map(([columnId]) => columnId),
    incompleteColumns: {},
    sampling: 1,
  };
  return { id, state, bucketIds, metricIds };
}

function metricColumns(id: string, m: Metric | StaticValue): [string, LensColumn][] {
  if (m.kind === 'static') {
    const column: LensColumn = {
      label: m.label,
      dataType: 'number',
      operationType: 'static_value',
      isStaticValue: true,
      isBucketed: false,
      scale: 'ratio',
      params: { value: String(m.value) },
      references: [],
      customLabel: true,
    };
    return [[id, column]];
  }
  if (m.expr.kind !== 'agg') return formulaColumns(id, m.label, m.expr, m.format);
  const plain = aggColumn(m.expr, m.label, false);
  const params = m.format === undefined ? plain.params : { ...plain.params, format: m.format };
  return [[id, { ...plain, ...(params === undefined ? {} : { params }) }]];
}

function bucketColumn(b: Bucket, rankBy: string | undefined): LensColumn {
  switch (b.kind) {
    case 'date':
      return {
        label: TIME_FIELD,
        dataType: 'date',
        operationType: 'date_histogram',
        sourceField: TIME_FIELD,
        isBucketed: true,
        scale: 'interval',
        params: { interval: b.interval, includeEmptyRows: true, dropPartials: false },
      };
    case 'filters':
      return {
        label: b.label,
        dataType: 'string',
        operationType: 'filters',
        isBucketed: true,
        scale: 'ordinal',
        params: {
          filters: b.filters.map((f) => ({ input: { query: f.kql, language: 'kuery' }, label: f.label })),
        },
        customLabel: true,
      };
    case 'ranges':
      return {
        label: b.label,
        dataType: 'string',
        operationType: 'range',
        sourceField: b.field,
        isBucketed: true,
        scale: 'ordinal',
        params: {
          type: 'range',
          ranges: b.ranges,
          maxBars: 'auto',
          includeEmptyRows: true,
          parentFormat: { id: 'range', params: { template: 'arrow_right', replaceInfinity: true } },
        },
        customLabel: true,
      };
    case 'terms':
      return termsColumn(b, rankBy);
  }
}

function termsColumn(b: Terms, rankBy: string | undefined): LensColumn {
  const type = FIELDS.get(b.field);
  if (type === undefined) throw new Error(`terms on unknown field ${b.field}`);
  const orderBy =
    rankBy === undefined ? { type: 'alphabetical', fallback: true } : { type: 'column', columnId: rankBy };
  return {
    label: b.label,
    dataType: type === 'keyword' ? 'string' : type === 'boolean' ? 'boolean' : 'number',
    operationType: 'terms',
    sourceField: b.field,
    isBucketed: true,
    scale: 'ordinal',
    params: {
      size: b.size,
      orderBy,
      orderDirection: rankBy === undefined ? 'asc' : 'desc',
      otherBucket: b.other ?? true,
      missingBucket: false,
      parentFormat: { id: 'terms' },
      include: [],
      exclude: [],
      includeIsRegex: false,
      excludeIsRegex: false,
    },
    customLabel: true,
  };
}

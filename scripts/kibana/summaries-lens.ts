/**
 * Lens visualisations over a summary index: the same `formBased` layers as layer.ts and lens.ts
 * build for the event indices, but with the summary documents' fields (summaryFields) and their
 * time field `@timestamp`, and every granular panel's query restricted to one granularity.
 */
import type { Bucket, LensColumn, Metric, Terms } from './columns.js';
import { aggColumn, formulaColumns } from './formula.js';
import { DATA, lensObject, type SeriesType } from './lens-object.js';
import type { SavedObject } from './saved-object.js';
import {
  GRANULARITY_KQL,
  SUMMARY_TIME_FIELD,
  type SummaryDataView,
  summaryFields,
} from './summaries-catalog.js';

/** What every long-range visualisation has; `query` is added to the granularity filter. */
export interface SummaryLensBase {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly dataView: SummaryDataView;
  readonly query?: string;
}

interface Layer {
  readonly state: Readonly<Record<string, unknown>>;
  readonly bucketIds: readonly string[];
  readonly metricIds: readonly string[];
}

function buildLayer(view: SummaryDataView, buckets: readonly Bucket[], metrics: readonly Metric[]): Layer {
  const fields = summaryFields(view.table);
  const typeOf = (field: string): string => {
    const type = fields.get(field);
    if (type === undefined) throw new Error(`${view.table.name} has no field ${field}`);
    return type;
  };
  const metricIds = metrics.map((_, i) => `${DATA}m${i}`);
  const bucketIds = buckets.map((_, i) => `${DATA}b${i}`);
  const rankable = metrics.flatMap((m, i) => (m.expr.kind === 'agg' ? [i] : []));
  const columns: [string, LensColumn][] = [];
  buckets.forEach((b, i) => {
    const rank = b.kind === 'terms' && b.alphabetical !== true ? (b.rankBy ?? rankable[0]) : undefined;
    const rankId = rank === undefined ? undefined : metricIds[rank];
    columns.push([`${DATA}b${i}`, bucketColumn(b, rankId, typeOf)]);
  });
  metrics.forEach((m, i) => {
    const id = `${DATA}m${i}`;
    if (m.expr.kind !== 'agg') {
      columns.push(...formulaColumns(id, m.label, m.expr, m.format));
      return;
    }
    const plain = aggColumn(m.expr, m.label, false);
    const params = m.format === undefined ? plain.params : { ...plain.params, format: m.format };
    const dataType = typeOf(plain.sourceField ?? '') === 'date' ? 'date' : plain.dataType;
    columns.push([id, { ...plain, dataType, ...(params === undefined ? {} : { params }) }]);
  });
  const state = {
    columns: Object.fromEntries(columns),
    columnOrder: columns.map(([columnId]) => columnId),
    incompleteColumns: {},
    sampling: 1,
  };
  return { state, bucketIds, metricIds };
}

function bucketColumn(b: Bucket, rankBy: string | undefined, typeOf: (field: string) => string): LensColumn {
  if (b.kind === 'date')
    return {
      label: SUMMARY_TIME_FIELD,
      dataType: 'date',
      operationType: 'date_histogram',
      sourceField: SUMMARY_TIME_FIELD,
      isBucketed: true,
      scale: 'interval',
      params: { interval: b.interval, includeEmptyRows: true, dropPartials: false },
    };
  if (b.kind !== 'terms') throw new Error(`long-range panels split by terms or time, not ${b.kind}`);
  return termsColumn(b, rankBy, typeOf(b.field));
}

function termsColumn(b: Terms, rankBy: string | undefined, type: string): LensColumn {
  const orderBy =
    rankBy === undefined ? { type: 'alphabetical', fallback: true } : { type: 'column', columnId: rankBy };
  return {
    label: b.label,
    dataType: type === 'keyword' ? 'string' : 'number',
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

function lens(base: SummaryLensBase, type: string, layer: Layer, visualization: object): SavedObject {
  const granular = base.dataView.table.granular;
  const parts = [...(granular ? [GRANULARITY_KQL] : []), ...(base.query === undefined ? [] : [base.query])];
  const query = parts.length > 1 ? parts.map((p) => `(${p})`).join(' and ') : (parts[0] ?? '');
  return lensObject({ ...base, query }, type, [{ id: DATA, ...layer }], visualization);
}

/** A single big number (`lnsMetric`). */
export function summaryMetric(spec: SummaryLensBase & { readonly metric: Metric }): SavedObject {
  const layer = buildLayer(spec.dataView, [], [spec.metric]);
  return lens(spec, 'lnsMetric', layer, {
    layerId: DATA,
    layerType: 'data',
    metricAccessor: layer.metricIds[0],
  });
}

/** An XY chart (`lnsXY`): `y` over the `x` bucket, optionally split by `split`. */
export function summaryXy(
  spec: SummaryLensBase & {
    readonly series: SeriesType;
    readonly x: Bucket;
    readonly y: readonly Metric[];
    readonly split?: Terms;
  },
): SavedObject {
  const buckets = spec.split === undefined ? [spec.x] : [spec.split, spec.x];
  const layer = buildLayer(spec.dataView, buckets, spec.y);
  const allAxes = { x: true, yLeft: true, yRight: true };
  return lens(spec, 'lnsXY', layer, {
    legend: { isVisible: true, position: 'right' },
    valueLabels: 'hide',
    fittingFunction: 'None',
    preferredSeriesType: spec.series,
    layers: [
      {
        layerId: DATA,
        layerType: 'data',
        seriesType: spec.series,
        xAccessor: layer.bucketIds[buckets.length - 1],
        accessors: layer.metricIds,
        ...(spec.split === undefined ? {} : { splitAccessor: layer.bucketIds[0] }),
        position: 'top',
        showGridlines: false,
      },
    ],
    axisTitlesVisibilitySettings: allAxes,
    tickLabelsVisibilitySettings: allAxes,
    gridlinesVisibilitySettings: allAxes,
    labelsOrientation: { x: 0, yLeft: 0, yRight: 0 },
  });
}

/** A donut (`lnsPie`) of `metric` per `group`. */
export function summaryDonut(
  spec: SummaryLensBase & { readonly group: Terms; readonly metric: Metric },
): SavedObject {
  const layer = buildLayer(spec.dataView, [spec.group], [spec.metric]);
  return lens(spec, 'lnsPie', layer, {
    shape: 'donut',
    layers: [
      {
        layerId: DATA,
        layerType: 'data',
        primaryGroups: layer.bucketIds,
        metrics: layer.metricIds,
        numberDisplay: 'percent',
        categoryDisplay: 'default',
        legendDisplay: 'default',
        nestedLegend: false,
      },
    ],
  });
}

/** A table (`lnsDatatable`), sorted by the metric `sortBy` (default the first), descending. */
export function summaryTable(
  spec: SummaryLensBase & {
    readonly rows: readonly Terms[];
    readonly metrics: readonly Metric[];
    readonly sortBy?: number;
  },
): SavedObject {
  const layer = buildLayer(spec.dataView, spec.rows, spec.metrics);
  const sortId = layer.metricIds[spec.sortBy ?? 0];
  return lens(spec, 'lnsDatatable', layer, {
    layerId: DATA,
    layerType: 'data',
    columns: [...layer.bucketIds, ...layer.metricIds].map((columnId) => ({ columnId, isTransposed: false })),
    ...(sortId === undefined ? {} : { sorting: { columnId: sortId, direction: 'desc' } }),
  });
}

/**
 * Typed builders of Lens visualisations: metric, XY (line, area, bar, stacked, horizontal),
 * pie/donut, datatable and heatmap; each returns one `lens` saved object.
 */
import type { Bucket, Metric, StaticValue } from './columns.js';
import { buildLayer } from './layer.js';
import { DATA, type LensBase, lensObject, REFERENCE, type SeriesType } from './lens-object.js';
import type { SavedObject } from './saved-object.js';

export type { LensBase, SeriesType } from './lens-object.js';

/** A single big number (`lnsMetric`). */
export function metricLens(spec: LensBase & { readonly metric: Metric }): SavedObject {
  const layer = buildLayer(DATA, [], [spec.metric]);
  return lensObject(spec, 'lnsMetric', [layer], {
    layerId: DATA,
    layerType: 'data',
    metricAccessor: layer.metricIds[0],
  });
}

/** An XY chart: `y` metrics over the `x` bucket, optionally split by `split`. */
export interface XySpec extends LensBase {
  readonly series: SeriesType;
  readonly x: Bucket;
  readonly y: readonly Metric[];
  readonly split?: Bucket;
  /** Indexes of `y` metrics drawn against the right axis. */
  readonly rightAxis?: readonly number[];
  /** Horizontal reference lines on the left axis (e.g. an SLO target). */
  readonly referenceLines?: readonly StaticValue[];
  /** Fit the left axis to the data instead of starting at 0 (for rates near 100 %). */
  readonly dataBounds?: boolean;
}

/** An XY chart (`lnsXY`). */
export function xyLens(spec: XySpec): SavedObject {
  const buckets = spec.split === undefined ? [spec.x] : [spec.split, spec.x];
  const data = buildLayer(DATA, buckets, spec.y);
  const xAccessor = data.bucketIds[buckets.length - 1];
  const right = new Set(spec.rightAxis ?? []);
  const dataLayer = {
    layerId: DATA,
    layerType: 'data',
    seriesType: spec.series,
    xAccessor,
    accessors: data.metricIds,
    ...(spec.split === undefined ? {} : { splitAccessor: data.bucketIds[0] }),
    ...(right.size === 0
      ? {}
      : {
          yConfig: data.metricIds.flatMap((id, i) =>
            right.has(i) ? [{ forAccessor: id, axisMode: 'right' }] : [],
          ),
        }),
    position: 'top',
    showGridlines: false,
  };
  const layers = [data];
  const visualLayers: object[] = [dataLayer];
  if (spec.referenceLines !== undefined) {
    const ref = buildLayer(REFERENCE, [], spec.referenceLines);
    layers.push(ref);
    visualLayers.push({
      layerId: REFERENCE,
      layerType: 'referenceLine',
      accessors: ref.metricIds,
      yConfig: ref.metricIds.map((id) => ({
        forAccessor: id,
        axisMode: 'left',
        color: '#bd271e',
        lineStyle: 'dashed',
        lineWidth: 2,
        textVisibility: true,
      })),
    });
  }
  const allAxes = { x: true, yLeft: true, yRight: true };
  return lensObject(spec, 'lnsXY', layers, {
    legend: { isVisible: true, position: 'right' },
    valueLabels: 'hide',
    fittingFunction: 'None',
    preferredSeriesType: spec.series,
    layers: visualLayers,
    axisTitlesVisibilitySettings: allAxes,
    tickLabelsVisibilitySettings: allAxes,
    gridlinesVisibilitySettings: allAxes,
    labelsOrientation: { x: 0, yLeft: 0, yRight: 0 },
    ...(spec.dataBounds === true ? { yLeftExtent: { mode: 'dataBounds' } } : {}),
  });
}

/** A pie or donut (`lnsPie`); several `groups` make nested rings. */
export function pieLens(
  spec: LensBase & {
    readonly shape: 'pie' | 'donut';
    readonly groups: readonly Bucket[];
    readonly metric: Metric;
  },
): SavedObject {
  const layer = buildLayer(DATA, spec.groups, [spec.metric]);
  return lensObject(spec, 'lnsPie', [layer], {
    shape: spec.shape,
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

/** A table (`lnsDatatable`): one row per bucket combination, sorted by a metric (default the first). */
export function tableLens(
  spec: LensBase & {
    readonly rows: readonly Bucket[];
    readonly metrics: readonly Metric[];
    readonly sortBy?: number;
  },
): SavedObject {
  const layer = buildLayer(DATA, spec.rows, spec.metrics);
  const sortId = layer.metricIds[spec.sortBy ?? 0];
  return lensObject(spec, 'lnsDatatable', [layer], {
    layerId: DATA,
    layerType: 'data',
    columns: [...layer.bucketIds, ...layer.metricIds].map((columnId) => ({ columnId, isTransposed: false })),
    ...(sortId === undefined ? {} : { sorting: { columnId: sortId, direction: 'desc' } }),
  });
}

/** A heatmap (`lnsHeatmap`): `value` per `x` × `y` cell. */
export function heatmapLens(
  spec: LensBase & { readonly x: Bucket; readonly y: Bucket; readonly value: Metric },
): SavedObject {
  const layer = buildLayer(DATA, [spec.x, spec.y], [spec.value]);
  return lensObject(spec, 'lnsHeatmap', [layer], {
    shape: 'heatmap',
    layerId: DATA,
    layerType: 'data',
    xAccessor: layer.bucketIds[0],
    yAccessor: layer.bucketIds[1],
    valueAccessor: layer.metricIds[0],
    legend: { isVisible: true, position: 'right', type: 'heatmap_legend' },
    gridConfig: {
      type: 'heatmap_grid',
      isCellLabelVisible: false,
      isYAxisLabelVisible: true,
      isXAxisLabelVisible: true,
      isYAxisTitleVisible: true,
      isXAxisTitleVisible: true,
    },
  });
}

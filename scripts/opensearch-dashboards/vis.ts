/**
 * `visState` of the legacy visualization types OpenSearch Dashboards 2.x imports (metric, line,
 * area, histogram, horizontal_bar, pie, table, heatmap, markdown, input_control_vis) and of TSVB
 * (`metrics`) for ratios, which the legacy types cannot compute. No Lens: OSD has none.
 */
import { type AggSpec, numbered } from './aggs.js';
import { TIME_FIELD } from './index-patterns.js';

/** A visualization's state: its type, aggregations and type parameters. */
export interface VisState {
  readonly type: string;
  readonly aggs: readonly Record<string, unknown>[];
  readonly params: Readonly<Record<string, unknown>>;
}

export function metricVis(metrics: readonly AggSpec[], percentageMode = false): VisState {
  return {
    type: 'metric',
    aggs: numbered(metrics),
    params: {
      addTooltip: true,
      addLegend: false,
      type: 'metric',
      metric: {
        percentageMode,
        useRanges: false,
        colorSchema: 'Green to Red',
        metricColorMode: 'None',
        colorsRange: [{ from: 0, to: 10000 }],
        labels: { show: true },
        invertColors: false,
        style: { bgFill: '#000', bgColor: false, labelColor: false, subText: '', fontSize: 48 },
      },
    },
  };
}

export type XyType = 'line' | 'area' | 'histogram' | 'horizontal_bar';

/** Options of an xy chart: stacked series, and metrics (by position) drawn on a right axis. */
export interface XyOptions {
  readonly stacked?: boolean;
  readonly rightAxis?: readonly number[];
  readonly axisTitle?: string;
}

/** Line, area or bar chart; `aggs` lists the metrics first, then the buckets. */
export function xyVis(type: XyType, aggs: readonly AggSpec[], options: XyOptions = {}): VisState {
  const numberedAggs = numbered(aggs);
  const horizontal = type === 'horizontal_bar';
  const seriesType = type === 'horizontal_bar' ? 'histogram' : type;
  const right = new Set(options.rightAxis ?? []);
  const axis = (id: string, name: string, position: string, title: string) => ({
    id,
    name,
    type: 'value',
    position,
    show: true,
    style: {},
    scale: { type: 'linear', mode: 'normal' },
    labels: { show: true, rotate: 0, filter: false, truncate: 100 },
    title: { text: title },
  });
  const valueAxes = [
    axis('ValueAxis-1', 'LeftAxis-1', horizontal ? 'bottom' : 'left', options.axisTitle ?? ''),
  ];
  if (right.size > 0) valueAxes.push(axis('ValueAxis-2', 'RightAxis-1', 'right', ''));
  const seriesParams = numberedAggs
    .map((a, i) => ({ a, i }))
    .filter(({ a }) => a.schema === 'metric')
    .map(({ a, i }) => ({
      show: true,
      type: right.has(i) ? 'line' : seriesType,
      mode: options.stacked === true && !right.has(i) ? 'stacked' : 'normal',
      data: { id: a.id, label: labelOf(a) },
      valueAxis: right.has(i) ? 'ValueAxis-2' : 'ValueAxis-1',
      drawLinesBetweenPoints: true,
      lineWidth: 2,
      interpolate: 'linear',
      showCircles: true,
    }));
  return {
    type,
    aggs: numberedAggs,
    params: {
      type: seriesType,
      grid: { categoryLines: false },
      categoryAxes: [
        {
          id: 'CategoryAxis-1',
          type: 'category',
          position: horizontal ? 'left' : 'bottom',
          show: true,
          style: {},
          scale: { type: 'linear' },
          labels: { show: true, filter: !horizontal, truncate: 100 },
          title: {},
        },
      ],
      valueAxes,
      seriesParams,
      addTooltip: true,
      addLegend: true,
      legendPosition: 'right',
      times: [],
      addTimeMarker: false,
      labels: {},
      thresholdLine: { show: false, value: 10, width: 1, style: 'full', color: '#E7664C' },
    },
  };
}

function labelOf(agg: Record<string, unknown>): string {
  const params = agg.params as { customLabel?: string; field?: string };
  return (
    params.customLabel ??
    (params.field === undefined ? String(agg.type) : `${String(agg.type)} ${params.field}`)
  );
}

export function pieVis(aggs: readonly AggSpec[]): VisState {
  return {
    type: 'pie',
    aggs: numbered(aggs),
    params: {
      type: 'pie',
      addTooltip: true,
      addLegend: true,
      legendPosition: 'right',
      isDonut: true,
      labels: { show: false, values: true, last_level: true, truncate: 100 },
    },
  };
}

export function tableVis(aggs: readonly AggSpec[], perPage = 10): VisState {
  return {
    type: 'table',
    aggs: numbered(aggs),
    params: {
      perPage,
      showPartialRows: false,
      showMetricsAtAllLevels: false,
      sort: { columnIndex: null, direction: null },
      showTotal: false,
      totalFunc: 'sum',
      percentageCol: '',
    },
  };
}

export function heatmapVis(aggs: readonly AggSpec[]): VisState {
  return {
    type: 'heatmap',
    aggs: numbered(aggs),
    params: {
      type: 'heatmap',
      addTooltip: true,
      addLegend: true,
      enableHover: false,
      legendPosition: 'right',
      times: [],
      colorsNumber: 4,
      colorSchema: 'Greens',
      setColorRange: false,
      colorsRange: [],
      invertColors: false,
      percentageMode: false,
      valueAxes: [
        {
          show: false,
          id: 'ValueAxis-1',
          type: 'value',
          scale: { type: 'linear', defaultYExtents: false },
          labels: { show: false, rotate: 0, overwriteColor: false, color: 'black' },
        },
      ],
    },
  };
}

export function markdownVis(markdown: string): VisState {
  return { type: 'markdown', aggs: [], params: { fontSize: 12, openLinksInNewTab: false, markdown } };
}

/** One list control of an input-control visualization; `parent` is the index of the control it follows. */
export interface ControlSpec {
  readonly field: string;
  readonly label: string;
  readonly parent?: number;
}

/** Input controls (option lists); control `i` reads index pattern reference `control_<i>_index_pattern`. */
export function controlsVis(controls: readonly ControlSpec[]): VisState {
  return {
    type: 'input_control_vis',
    aggs: [],
    params: {
      controls: controls.map((c, i) => ({
        id: `control-${i}`,
        fieldName: c.field,
        parent: c.parent === undefined ? '' : `control-${c.parent}`,
        label: c.label,
        type: 'list',
        options: { type: 'terms', multiselect: true, dynamicOptions: true, size: 10, order: 'desc' },
        indexPatternRefName: `control_${i}_index_pattern`,
      })),
      updateFiltersOnChange: true,
      useTimeFilter: true,
      pinFilters: false,
    },
  };
}

/** One TSVB metric: `count`, `filter_ratio` (KQL numerator / denominator), `percentile`, `math`, … */
export type TsvbMetric = Readonly<Record<string, unknown>> & { readonly id: string; readonly type: string };

export const ratio = (id: string, numerator: string, denominator = '*'): TsvbMetric => ({
  id,
  type: 'filter_ratio',
  numerator: { query: numerator, language: 'kuery' },
  denominator: { query: denominator, language: 'kuery' },
  metric_agg: 'count',
});

/** `script` over earlier metrics of the series, named by `vars` (name → metric id). */
export const math = (id: string, vars: Readonly<Record<string, string>>, script: string): TsvbMetric => ({
  id,
  type: 'math',
  variables: Object.entries(vars).map(([name, field], i) => ({ id: `${id}-v${i}`, name, field })),
  script,
});

export interface TsvbSeries {
  readonly id: string;
  readonly label: string;
  readonly metrics: readonly TsvbMetric[];
  /** KQL applied to this series only. */
  readonly filter?: string;
  readonly formatter?: 'number' | 'percent';
  readonly color?: string;
}

/** A TSVB panel on `indexPattern` (its title: TSVB names indices, not saved objects). */
export function tsvbVis(
  type: 'metric' | 'timeseries' | 'table',
  indexPattern: string,
  series: readonly TsvbSeries[],
  pivot?: { field: string; label: string; rows: number },
): VisState {
  return {
    type: 'metrics',
    aggs: [],
    params: {
      id: 'gax-tsvb', // replaced by the panel's id (panel.ts)
      type,
      index_pattern: indexPattern,
      time_field: TIME_FIELD,
      interval: '',
      time_range_mode: type === 'timeseries' ? 'last_value' : 'entire_time_range',
      axis_position: 'left',
      axis_formatter: 'number',
      axis_scale: 'normal',
      show_legend: 1,
      show_grid: 1,
      tooltip_mode: 'show_all',
      drop_last_bucket: 0,
      isModelInvalid: false,
      filter: { query: '', language: 'kuery' },
      ...(pivot === undefined
        ? {}
        : { pivot_id: pivot.field, pivot_label: pivot.label, pivot_rows: pivot.rows }),
      series: series.map((s) => ({
        id: s.id,
        label: s.label,
        color: s.color ?? '#54B399',
        split_mode: 'everything',
        metrics: s.metrics,
        filter: { query: s.filter ?? '', language: 'kuery' },
        formatter: s.formatter ?? 'number',
        chart_type: 'line',
        line_width: 1,
        point_size: 1,
        fill: 0.5,
        stacked: 'none',
        axis_position: 'right',
        separate_axis: 0,
        override_index_pattern: 0,
        series_drop_last_bucket: 0,
      })),
    },
  };
}

/**
 * Datadog metric queries over the plugin's metrics (plugins/datadog/metrics.ts), written with the
 * bundled prefix. Queries group and filter by tags the metric carries with the default tag
 * allow-lists (`defaultTags`, plus `env` and `service`): a widget on an opt-in tag shows a single
 * `N/A` group, or nothing, with the default configuration. A query may use an opt-in tag only when
 * it says so (`optIn: true`), and its widget's description then carries `optInNote` (the contract
 * test checks both). A query is scoped by the dashboard's template variables whose tag the metric
 * carries by default, so `$api` never empties a widget.
 */
import { DATADOG_METRICS, type DatadogMetric, GLOBAL_TAGS } from '../../plugins/datadog/metrics.js';
import { BUNDLED_DATADOG_PREFIX } from '../../plugins/datadog/setup/bundle.js';

type Metrics = typeof DATADOG_METRICS;
export type CountMetric = {
  [M in DatadogMetric]: Metrics[M]['type'] extends 'count' ? M : never;
}[DatadogMetric];
export type DistributionMetric = Exclude<DatadogMetric, CountMetric>;
/** A tag metric `M` can carry. */
export type TagOf<M extends DatadogMetric> = Metrics[M]['tags'][number] | (typeof GLOBAL_TAGS)[number];

export type Percentile = 'p50' | 'p75' | 'p90' | 'p95' | 'p99';

/** A dashboard template variable: `$<name>` filters on tag `<tag>`. */
export interface TemplateVar {
  readonly name: string;
  readonly tag: string;
}

export const ENV_VARS: readonly TemplateVar[] = [
  { name: 'env', tag: 'env' },
  { name: 'service', tag: 'service' },
];

/** A query of one metric and how a scalar widget reduces it over the time frame. */
export interface MetricQuery {
  readonly query: string;
  readonly aggregator: 'sum' | 'avg' | 'percentile' | 'max';
}

export interface QueryOptions<M extends DatadogMetric> {
  /** Extra filters, `tag:value` (wildcards allowed) or `!tag:value`. */
  readonly filter?: readonly `${'' | '!'}${TagOf<M>}:${string}`[];
  readonly by?: readonly TagOf<M>[];
  /** The query may use tags the metric carries only when opted in (`plugins.datadog.tags`). */
  readonly optIn?: boolean;
}

/**
 * The sentence a widget that needs opt-in tags carries in its description, e.g. "Needs the opt-in
 * tag `platform` on `requests` (`plugins.datadog.tags.requests`)."; test/dashboards/datadog.test.ts
 * reads it back.
 */
export function optInNote(metric: DatadogMetric, tags: readonly string[]): string {
  const list = tags.map((t) => `\`${t}\``).join(', ');
  const noun = tags.length === 1 ? 'tag' : 'tags';
  return `Needs the opt-in ${noun} ${list} on \`${metric}\` (\`plugins.datadog.tags.${metric}\`); without it the widget shows nothing or one \`N/A\` group.`;
}

/** Whether `metric` carries `tag` with the default configuration. */
export function carries(metric: DatadogMetric, tag: string): boolean {
  return (
    (DATADOG_METRICS[metric].defaultTags as readonly string[]).includes(tag) ||
    (GLOBAL_TAGS as readonly string[]).includes(tag)
  );
}

function scope(vars: readonly TemplateVar[], metric: DatadogMetric, filter: readonly string[]): string {
  const terms = [...vars.filter((v) => carries(metric, v.tag)).map((v) => `$${v.name}`), ...filter];
  return terms.length === 0 ? '*' : terms.join(',');
}

function build(
  space: string,
  vars: readonly TemplateVar[],
  metric: DatadogMetric,
  options: { filter?: readonly string[]; by?: readonly string[]; optIn?: boolean },
  rollup: string,
): string {
  const optional = new Set<string>(DATADOG_METRICS[metric].tags);
  for (const tag of [
    ...(options.by ?? []),
    ...(options.filter ?? []).map((f) => f.replace(/^!/, '').split(':')[0]),
  ]) {
    if (tag === undefined) throw new Error(`${metric}: a filter without a tag`);
    if (carries(metric, tag)) continue;
    if (options.optIn !== true || !optional.has(tag))
      throw new Error(
        `${metric} has no default tag ${tag}${options.optIn === true ? ' (nor an opt-in one)' : ''}`,
      );
  }
  const by = options.by === undefined || options.by.length === 0 ? '' : ` by {${options.by.join(',')}}`;
  return `${space}:${BUNDLED_DATADOG_PREFIX}${metric}{${scope(vars, metric, options.filter ?? [])}}${by}${rollup}`;
}

/** A count as the number per interval (`sum` … `.as_count()`); scalar widgets add it up. */
export function countOf<M extends CountMetric>(
  vars: readonly TemplateVar[],
  metric: M,
  options: QueryOptions<M> = {},
): MetricQuery {
  return { query: build('sum', vars, metric, options, '.as_count()'), aggregator: 'sum' };
}

/** A count per second (`sum` … `.as_rate()`); scalar widgets average it. */
export function rateOf<M extends CountMetric>(
  vars: readonly TemplateVar[],
  metric: M,
  options: QueryOptions<M> = {},
): MetricQuery {
  return { query: build('sum', vars, metric, options, '.as_rate()'), aggregator: 'avg' };
}

/** A percentile of a distribution; scalar widgets take it over the whole time frame. */
export function percentileOf<M extends DistributionMetric>(
  vars: readonly TemplateVar[],
  percentile: Percentile,
  metric: M,
  options: QueryOptions<M> = {},
): MetricQuery {
  return { query: build(percentile, vars, metric, options, ''), aggregator: 'percentile' };
}

/** The average of a distribution's values. */
export function averageOf<M extends DistributionMetric>(
  vars: readonly TemplateVar[],
  metric: M,
  options: QueryOptions<M> = {},
): MetricQuery {
  return { query: build('avg', vars, metric, options, ''), aggregator: 'avg' };
}

/** Every value of a distribution, for the distribution widget (`histogram:` space aggregator). */
export function histogramOf<M extends DistributionMetric>(
  vars: readonly TemplateVar[],
  metric: M,
  options: QueryOptions<M> = {},
): string {
  return build('histogram', vars, metric, options, '');
}

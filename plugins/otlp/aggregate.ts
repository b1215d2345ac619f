import type { Attributes } from '@opentelemetry/api';
import type { CanonicalEvent } from '../../src/schema/event.js';
import { ExpoHistogram } from './exponential.js';
import { type Attrs, type MetricDef, type MetricId, metricDefs, observe } from './mapping.js';
import { TOKEN_BUCKETS } from './semconv.js';

/** The attribute of the one series a metric's further attribute sets share at its cap (SDK spec). */
export const OVERFLOW_ATTRIBUTE = 'otel.metric.overflow';

export interface AggregateSettings {
  readonly histogram: 'explicit' | 'exponential';
  readonly maxBuckets: number;
  readonly buckets: { readonly latency: readonly number[]; readonly responseSize: readonly number[] };
  readonly labels: { readonly application: boolean; readonly user: boolean };
  readonly maxSeriesPerMetric: number;
}

/** One attribute set of a metric and what it holds. */
export type Series =
  | { readonly kind: 'sum'; readonly attributes: Attributes; value: number }
  | {
      readonly kind: 'explicit';
      readonly attributes: Attributes;
      readonly bounds: readonly number[];
      /** Per bucket, not cumulative; the last one is (last bound, +Inf). */
      readonly counts: number[];
      sum: number;
      count: number;
    }
  | { readonly kind: 'exponential'; readonly attributes: Attributes; readonly hist: ExpoHistogram };

/** A metric's series by attribute key, capped; `overflow` takes the attribute sets past the cap. */
export interface MetricStore {
  readonly id: MetricId;
  readonly def: MetricDef;
  readonly series: Map<string, Series>;
  overflow: Series | undefined;
}

/** What `apply` added, so `revert` can take exactly that back out. */
export interface Applied {
  readonly series: Series[];
  readonly values: number[];
}

/**
 * The gateway metrics' running aggregates: the totals exported so far (cumulative) or since the
 * last export (delta; the plugin clears them after each export). `apply` adds events and
 * returns an undo log; an export that failed is taken back out with `revert`, so the totals only
 * ever hold events whose export succeeded (plugins/otlp/DESIGN.md).
 */
export class Aggregator {
  readonly stores: readonly MetricStore[];
  readonly #byId: Map<MetricId, MetricStore>;
  readonly #settings: AggregateSettings;
  /** Called for every observation recorded in a metric's overflow series. */
  onOverflow: ((metric: string) => void) | undefined;
  readonly #attrs: Attrs = {};

  constructor(settings: AggregateSettings) {
    this.#settings = settings;
    const defs = metricDefs(settings.labels);
    this.stores = (Object.keys(defs) as MetricId[]).map((id) => ({
      id,
      def: defs[id],
      series: new Map(),
      overflow: undefined,
    }));
    this.#byId = new Map(this.stores.map((s) => [s.id, s]));
  }

  /**
   * Records every observation of `events`; the undo log of what was added (`applied`, filled as
   * it goes, so it is complete up to an observation that threw).
   */
  apply(events: readonly CanonicalEvent[], applied: Applied = { series: [], values: [] }): Applied {
    const record = (metric: MetricId, attrs: Attrs, value: number): void => {
      const series = this.#seriesOf(this.#byId.get(metric) as MetricStore, attrs);
      add(series, value, 1);
      applied.series.push(series);
      applied.values.push(value);
    };
    for (const event of events) observe(event, record, this.#attrs);
    return applied;
  }

  /** Takes back out what one `apply` added. */
  revert(applied: Applied): void {
    for (let i = applied.series.length - 1; i >= 0; i--) {
      add(applied.series[i] as Series, applied.values[i] as number, -1);
    }
  }

  /** Forgets every series (delta temporality, after an export). */
  clear(): void {
    for (const store of this.stores) {
      store.series.clear();
      store.overflow = undefined;
    }
  }

  #seriesOf(store: MetricStore, attrs: Attrs): Series {
    const names = store.def.attributes;
    let key = '';
    for (const name of names) key += `${attrs[name] ?? '\u0002'}\u0001`;
    const known = store.series.get(key);
    if (known !== undefined) return known;
    if (store.series.size < this.#settings.maxSeriesPerMetric) {
      const attributes: Attributes = {};
      for (const name of names) {
        const value = attrs[name];
        if (value !== undefined && value !== '') attributes[name] = value;
      }
      const series = this.#make(store.def, attributes);
      store.series.set(key, series);
      return series;
    }
    store.overflow ??= this.#make(store.def, { [OVERFLOW_ATTRIBUTE]: true });
    this.onOverflow?.(store.def.name);
    return store.overflow;
  }

  #make(def: MetricDef, attributes: Attributes): Series {
    if (def.instrument === 'counter') return { kind: 'sum', attributes, value: 0 };
    if (this.#settings.histogram === 'exponential') {
      return { kind: 'exponential', attributes, hist: new ExpoHistogram(this.#settings.maxBuckets) };
    }
    const bounds = boundsOf(def, this.#settings);
    return {
      kind: 'explicit',
      attributes,
      bounds,
      counts: new Array(bounds.length + 1).fill(0),
      sum: 0,
      count: 0,
    };
  }
}

/** The explicit bucket boundaries of a histogram metric: configured, or the GenAI advice for tokens. */
export function boundsOf(def: MetricDef, settings: AggregateSettings): readonly number[] {
  if (def.buckets === 'tokens') return TOKEN_BUCKETS;
  const configured =
    def.buckets === 'responseSize' ? settings.buckets.responseSize : settings.buckets.latency;
  return [...new Set(configured)].sort((a, b) => a - b);
}

/** Adds (`sign` 1) or takes back (`sign` -1) one observation. */
function add(series: Series, value: number, sign: 1 | -1): void {
  switch (series.kind) {
    case 'sum':
      series.value += sign * value;
      return;
    case 'exponential':
      if (sign === 1) series.hist.add(value);
      else series.hist.remove(value);
      return;
    case 'explicit': {
      const bounds = series.bounds;
      let i = 0;
      while (i < bounds.length && value > (bounds[i] as number)) i++;
      series.counts[i] = (series.counts[i] as number) + sign;
      series.sum += sign * value;
      series.count += sign;
      return;
    }
    default:
      assertNever(series);
  }
}

function assertNever(value: never): never {
  throw new Error(`unexpected series ${JSON.stringify(value)}`);
}

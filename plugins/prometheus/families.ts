/**
 * The gateway metrics' own storage: a counter or histogram family whose series are plain objects
 * the plugin updates in place. prom-client's `inc`/`observe` rebuild a string key from the label
 * object and re-validate the labels on every call, which was most of the plugin's CPU; here the
 * series guard (series-guard.ts) finds the series by its compact key and the update is an
 * addition. For the registry and `/metrics` a family looks like a prom-client metric: `get()`
 * (and, for histograms, `getForPromString()`) return the same shapes, so the exposition is byte
 * for byte what prom-client's Counter and Histogram would print for the same observations.
 */

type LabelValues = Readonly<Record<string, string>>;

/** One counter series: its labels and value. */
export interface CounterSeries {
  readonly labels: LabelValues;
  value: number;
}

/** One histogram series: its labels, the observations per bucket (not cumulative), sum and count. */
export interface HistogramSeries {
  readonly labels: LabelValues;
  readonly buckets: number[];
  sum: number;
  count: number;
}

interface Sample {
  readonly value: number;
  readonly labels: Readonly<Record<string, string | number>>;
  readonly metricName?: string;
  readonly sharedLabels?: LabelValues;
}

interface FamilyData {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'histogram';
  readonly values: readonly Sample[];
  readonly aggregator: 'sum';
}

export class CounterFamily {
  readonly type = 'counter';
  readonly aggregator = 'sum';
  /** Not readonly: prom-client's registry renames counters when it renders OpenMetrics. */
  name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  readonly #series: CounterSeries[] = [];

  constructor(name: string, help: string, labelNames: readonly string[]) {
    this.name = name;
    this.help = help;
    this.labelNames = labelNames;
  }

  /** A new series (the caller, the series guard, makes each label set once). */
  series(labels: LabelValues): CounterSeries {
    const series = { labels, value: 0 };
    this.#series.push(series);
    return series;
  }

  get(): FamilyData {
    return { name: this.name, help: this.help, type: this.type, values: this.#series, aggregator: 'sum' };
  }
}

export class HistogramFamily {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  /** Ascending, without duplicates. */
  readonly upperBounds: readonly number[];
  readonly #series: HistogramSeries[] = [];

  constructor(name: string, help: string, labelNames: readonly string[], buckets: readonly number[]) {
    this.name = name;
    this.help = help;
    this.labelNames = labelNames;
    this.upperBounds = [...new Set(buckets)].sort((a, b) => a - b);
  }

  series(labels: LabelValues): HistogramSeries {
    const series = { labels, buckets: this.upperBounds.map(() => 0), sum: 0, count: 0 };
    this.#series.push(series);
    return series;
  }

  /** Records `value` in `series`: the first bucket whose bound is ≥ it (none: only +Inf), sum, count. */
  observe(series: HistogramSeries, value: number): void {
    const bounds = this.upperBounds;
    for (let i = 0; i < bounds.length; i++) {
      if (value <= (bounds[i] as number)) {
        (series.buckets[i] as number)++;
        break;
      }
    }
    series.sum += value;
    series.count += 1;
  }

  /** As prom-client's: per series the cumulative buckets, `+Inf`, sum and count, labels shared. */
  getForPromString(): FamilyData {
    const bucket = `${this.name}_bucket`;
    const sum = `${this.name}_sum`;
    const count = `${this.name}_count`;
    const values: Sample[] = [];
    for (const s of this.#series) {
      let acc = 0;
      for (let i = 0; i < this.upperBounds.length; i++) {
        acc += s.buckets[i] as number;
        values.push({
          labels: { le: this.upperBounds[i] as number },
          value: acc,
          metricName: bucket,
          sharedLabels: s.labels,
        });
      }
      values.push({ labels: { le: '+Inf' }, value: s.count, metricName: bucket, sharedLabels: s.labels });
      values.push({ labels: {}, value: s.sum, metricName: sum, sharedLabels: s.labels });
      values.push({ labels: {}, value: s.count, metricName: count, sharedLabels: s.labels });
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: 'sum' };
  }

  /** As prom-client's `get()`: the same samples with each series' labels merged into its own. */
  get(): FamilyData {
    const data = this.getForPromString();
    const values = data.values.map(({ labels, value, metricName, sharedLabels }) => ({
      labels: { ...labels, ...sharedLabels },
      value,
      ...(metricName === undefined ? {} : { metricName }),
    }));
    return { ...data, values };
  }
}

import type { DeltaDef, PrometheusDelta } from './delta.js';
import type { CounterSeries, HistogramSeries } from './families.js';
import type { LabelName } from './mapping.js';
import { type GatewayMetrics, type MetricTarget, truncateLabelValue } from './metrics.js';

/** What one source's tuple id stands for on the main thread. */
interface Entry {
  readonly series: CounterSeries | HistogramSeries;
  /** The tuple was recorded in the overflow series (counted per observation, as `send()` does). */
  readonly overflow: boolean;
  /** Its labels cut to maxLabelValueLength (counted per observation, as `send()` does). */
  readonly cuts: readonly LabelName[];
}

/**
 * The main-thread side of the worker path: applies the deltas of delta.ts recorders to an
 * instance's gateway metrics. Each tuple is admitted through the instance's own series guard
 * when its def arrives, exactly as `send()` admits it on its first observation; the overflow and
 * truncation self-metrics grow per observation. Apply deltas in event order (chunk by chunk, as
 * the events were read), whatever source made them: then `/metrics` is byte for byte what
 * `send()` of the same events in that order makes.
 */
export class DeltaApplier {
  readonly #targets: readonly MetricTarget[];
  readonly #max: number;
  /** Per source, per metric: id → entry. */
  readonly #tables = new Map<number, Entry[][]>();

  constructor(metrics: GatewayMetrics) {
    this.#targets = metrics.targets;
    this.#max = metrics.maxLabelValueLength;
  }

  /** Applies the delta a recorder of `source` (a worker) made from the next events. */
  apply(source: number, delta: PrometheusDelta): void {
    let table = this.#tables.get(source);
    if (table === undefined) {
      table = this.#targets.map(() => []);
      this.#tables.set(source, table);
    }
    for (const def of delta.defs) this.#define(table, def);
    const { ops, vals } = delta;
    const entries: Entry[] = [];
    for (let o = 0; o < ops.length; ) {
      const m = ops[o++] as number;
      const id = ops[o++] as number;
      const target = this.#targets[m];
      const entry = table[m]?.[id];
      if (target === undefined || entry === undefined)
        throw new Error(`prometheus delta of source ${source}: no series for metric ${m}, id ${id}`);
      entries.push(entry);
      const observations = ops[o++] as number;
      if (target.kind === 'counter') addUnits(entry.series as CounterSeries, ops[o++] as number);
      else {
        const series = entry.series as HistogramSeries;
        series.count += observations;
        const buckets = series.buckets;
        for (let i = 0; i < buckets.length; i++) (buckets[i] as number) += ops[o++] as number;
      }
      if (entry.overflow) target.guard.overflowed += observations;
      for (const n of entry.cuts) target.cut.set(n, (target.cut.get(n) ?? 0) + observations);
    }
    for (let j = 0; j < vals.length; j += 2) {
      const series = (entries[vals[j] as number] as Entry).series;
      const value = vals[j + 1] as number;
      if ('sum' in series) series.sum += value;
      else series.value += value;
    }
  }

  /** `source` restarted: its ids mean nothing any more (its new recorder starts afresh). */
  forget(source: number): void {
    this.#tables.delete(source);
  }

  /** Admits a tuple as `send()` does on its first observation: its own series, found by its raw values, or its cut values admitted. */
  #define(table: Entry[][], [m, id, values]: DeltaDef): void {
    const target = this.#targets[m];
    const ids = table[m];
    if (target === undefined || ids === undefined) throw new Error(`prometheus delta: no metric ${m}`);
    if (id === 0) ids.length = 0;
    const raw = {} as Record<LabelName, string>;
    const picked = {} as Record<LabelName, string>;
    const cuts: LabelName[] = [];
    target.layout.names.forEach((n, i) => {
      const value = values[i] ?? '';
      raw[n] = value;
      if (value.length <= this.#max) picked[n] = value;
      else {
        picked[n] = truncateLabelValue(value, this.#max);
        cuts.push(n);
      }
    });
    const known = target.guard.find(raw);
    if (known !== undefined) {
      ids[id] = { series: known, overflow: false, cuts: [] };
      return;
    }
    const guard = target.guard;
    const before = guard.overflowed;
    const series =
      target.kind === 'counter'
        ? target.guard.admit(picked, (l) => target.family.series(l))
        : target.guard.admit(picked, (l) => target.family.series(l));
    const overflow = guard.overflowed > before;
    guard.overflowed = before; // counted per observation in apply()
    ids[id] = { series, overflow, cuts };
  }
}

/**
 * Adds `units` observations of 1 to a counter: at once when that is exact (integers up to
 * 2^53), else one by one as `send()` adds them (after non-integer values in the same series).
 */
function addUnits(series: CounterSeries, units: number): void {
  const sum = series.value + units;
  if (Number.isSafeInteger(series.value) && Number.isSafeInteger(sum)) {
    series.value = sum;
    return;
  }
  for (let i = 0; i < units; i++) series.value += 1;
}

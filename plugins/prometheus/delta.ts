import type { CanonicalEvent } from '../../src/schema/event.js';
import { type MetricLayout, type MetricsSettings, mappingOptions, metricLayout } from './layout.js';
import { type LabelName, type Labels, type MetricName, observe } from './mapping.js';
import { SeriesGuard } from './series-guard.js';

/**
 * The worker side of the Prometheus plugin's worker path (issue 17; measured as variant (c) in
 * bench/experiments/workers/): the observations of a chunk of events, pre-aggregated into a
 * compact delta that the main thread applies through the instance's own series guards
 * (delta-apply.ts), so that `/metrics` is byte for byte what `send()` of the same events makes.
 * Pure: no I/O, no prom-client.
 *
 * Wire format (numbers in two transferable Float64Arrays, `m` a metric's index in METRICS):
 * - `defs`: label tuples this recorder sees for the first time, `[m, id, values]` (values in the
 *   metric's label order), in order of first observation. Ids are the recorder's own, per metric,
 *   from 0; the applier keeps one id table per source. A def with id 0 starts a new table for its
 *   metric: the recorder forgets its tuples when they pass `maxTuples` (its memory stays bounded).
 * - `ops`: per tuple touched, in order of first touch: a counter `[m, id, observations, units]`,
 *   a histogram `[m, id, observations, b0..bK-1]` (bucket counts, not cumulative; +Inf is the
 *   rest). `units` counts observations of value 1 added as one sum (exact: see below).
 * - `vals`: `[k, value]` in event order, `k` the tuple's place in `ops`: every histogram value,
 *   and every counter value once its metric has had a value other than 1. Floating-point sums
 *   depend on their order, and several tuples may share one series on the main thread
 *   (overflow, truncation), so values are added there in the order `send()` adds them.
 */

/** A label tuple first seen in this delta: `[metric index, id, label values]`. */
export type DeltaDef = readonly [metric: number, id: number, values: readonly string[]];

/** One chunk's observations (see the wire format above). */
export interface PrometheusDelta {
  readonly defs: readonly DeltaDef[];
  readonly ops: Float64Array<ArrayBuffer>;
  readonly vals: Float64Array<ArrayBuffer>;
  /** Events observed (the plugin answers one result per event). */
  readonly observed: number;
}

export interface DeltaRecorder {
  observe(event: CanonicalEvent): void;
  /** The delta of the events observed since the last flush; the recorder then starts a new one. */
  flush(): PrometheusDelta;
}

export interface DeltaRecorderOptions {
  /** Tuples one metric may have in the recorder before it forgets them at a flush (default 2 × the cap, at least 1,000). */
  readonly maxTuples?: number;
}

/** The buffers to transfer (not copy) with a delta: `postMessage(delta, deltaTransferList(delta))`. */
export function deltaTransferList(delta: PrometheusDelta): ArrayBuffer[] {
  return [delta.ops.buffer, delta.vals.buffer];
}

/** A tuple the recorder knows, with what it gathered in the current chunk. */
interface Tuple {
  readonly m: number;
  readonly id: number;
  /** Place in `ops` in the current chunk; -1 when not touched yet. */
  k: number;
  observations: number;
  units: number;
  /** Histogram bucket counts of the chunk. */
  readonly buckets: number[];
}

/** Records events as `send()` would (the same `observe` of mapping.ts) into per-chunk deltas. */
export function createDeltaRecorder(
  settings: MetricsSettings,
  options: DeltaRecorderOptions = {},
): DeltaRecorder {
  const layout = metricLayout(settings);
  const index = new Map<MetricName, number>(layout.map((l, m) => [l.metric, m]));
  const maxTuples = options.maxTuples ?? Math.max(2 * settings.maxSeriesPerMetric, 1000);
  // Tuples are found as the plugin finds its series (SeriesGuard's short keys), never capped
  // here: the cap is the main thread's.
  const guards = layout.map((l) => new SeriesGuard<LabelName, Tuple>(l.names, Number.POSITIVE_INFINITY));
  /** Per metric: it has had a counter value other than 1, so its values go to `vals`. */
  const valued = layout.map(() => false);
  const makers = layout.map((l, m) => (labels: Record<LabelName, string>): Tuple => {
    const tuple = {
      m,
      id: guards[m]!.size,
      k: -1,
      observations: 0,
      units: 0,
      buckets: l.bounds.map(() => 0),
    };
    defs.push([m, tuple.id, l.names.map((n) => labels[n])]);
    return tuple;
  });
  const mapping = mappingOptions(settings);
  const labels: Labels = {};
  const full = {} as Record<LabelName, string>;
  let defs: DeltaDef[] = [];
  let touched: Tuple[] = [];
  let vals: number[] = [];
  let observed = 0;

  const record = (metric: MetricName, l: Labels, value: number): void => {
    const m = index.get(metric) as number;
    const shape = layout[m] as MetricLayout;
    const guard = guards[m] as SeriesGuard<LabelName, Tuple>;
    const tuple = guard.find(l) ?? guard.admit(fill(full, shape.names, l), makers[m]);
    if (tuple.k < 0) {
      tuple.k = touched.length;
      touched.push(tuple);
    }
    tuple.observations++;
    if (shape.counter) {
      if (value === 1 && !valued[m]) {
        tuple.units++;
        return;
      }
      valued[m] = true;
      vals.push(tuple.k, value);
      return;
    }
    const bounds = shape.bounds;
    for (let i = 0; i < bounds.length; i++) {
      if (value <= (bounds[i] as number)) {
        (tuple.buckets[i] as number)++;
        break;
      }
    }
    vals.push(tuple.k, value);
  };

  return {
    observe(event) {
      observe(event, mapping, record, labels);
      observed++;
    },
    flush() {
      let size = 0;
      for (const t of touched) size += 3 + (layout[t.m]?.counter === true ? 1 : t.buckets.length);
      const ops = new Float64Array(size);
      let o = 0;
      for (const t of touched) {
        ops[o++] = t.m;
        ops[o++] = t.id;
        ops[o++] = t.observations;
        if (layout[t.m]?.counter === true) ops[o++] = t.units;
        else for (let i = 0; i < t.buckets.length; i++) ops[o++] = t.buckets[i] as number;
        t.k = -1;
        t.observations = 0;
        t.units = 0;
        t.buckets.fill(0);
      }
      const delta = { defs, ops, vals: new Float64Array(vals), observed };
      for (let m = 0; m < guards.length; m++) {
        if ((guards[m] as SeriesGuard<LabelName, Tuple>).size > maxTuples)
          guards[m] = new SeriesGuard<LabelName, Tuple>(layout[m]!.names, Number.POSITIVE_INFINITY);
      }
      defs = [];
      touched = [];
      vals = [];
      observed = 0;
      return delta;
    },
  };
}

/** `out` set to the labels `names` of `labels`, '' for a missing one (as SeriesGuard.find reads them). */
function fill(
  out: Record<LabelName, string>,
  names: readonly LabelName[],
  labels: Labels,
): Record<LabelName, string> {
  for (const n of names) out[n] = labels[n] ?? '';
  return out;
}

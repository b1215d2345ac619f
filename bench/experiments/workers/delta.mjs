// Variant (c): the prometheus observations of one chunk pre-aggregated in the parse worker into a
// compact delta, and applied on the main thread through the plugin's own series guards and
// families, so that /metrics is byte for byte what the plugin's send() would have made.
//
// Wire format of one chunk's delta (all numbers in two transferable Float64Arrays):
// - `defs`: label tuples this worker sees for the first time, `[metric, id, values[]]`, in order
//   of first observation (ids are the worker's own, per metric; main keeps a table per worker);
// - `ops`: per series touched in the chunk, in order of first touch: a counter
//   `[metric, id, observations, increment]`, a histogram `[metric, id, count, b0..bK-1]`
//   (non-cumulative bucket counts; +Inf is count minus their sum);
// - `vals`: every histogram observation as `[k, value]` in event order, `k` its series' place in
//   `ops`, so main adds the values to `sum` in the single thread's order (a float sum depends on
//   the order, and several tuples can share a series: overflow, truncation); `--sum partial` sends
//   one partial sum per tuple instead, to show what that changes.
import { dist } from './common.mjs';

const { METRIC_LABELS, observe } = await dist('plugins/prometheus/mapping.js');
const { exposedName } = await dist('plugins/prometheus/metrics.js');
const { SeriesGuard } = await dist('plugins/prometheus/series-guard.js');

const METRICS = Object.keys(METRIC_LABELS);

/** Label names and bucket bounds per metric, as plugins/prometheus/metrics.ts builds them. */
function layout(config) {
  return METRICS.map((metric) => {
    const name = exposedName(config.metricPrefix, metric);
    const all = METRIC_LABELS[metric].filter(
      (l) => (l !== 'application' || config.labels.application) && (l !== 'user' || config.labels.user),
    );
    const allowed = config.allowLabels[name];
    const names = allowed === undefined ? all : all.filter((l) => allowed.includes(l));
    const counter = metric.endsWith('_total');
    const raw = metric === 'apim_response_size_bytes' ? config.buckets.responseSize : config.buckets.latency;
    const bounds = counter ? [] : [...new Set(raw)].sort((a, b) => a - b);
    return { metric, name, names, counter, bounds };
  });
}

/** The label set `names` of `labels`, '' for a missing one (as SeriesGuard.find reads them). */
function full(names, labels) {
  const out = {};
  for (const n of names) out[n] = labels[n] ?? '';
  return out;
}

/** Worker side: `observe(event)` per event, `flush()` per chunk → `{ defs, ops, vals }`. */
export function createDeltaRecorder(config, { partialSum = false } = {}) {
  const metrics = layout(config);
  const index = new Map(metrics.map((m, i) => [m.metric, i]));
  // The tuples this worker has seen, found as the plugin finds its series (SeriesGuard: label
  // values numbered, a short key), never capped here: the cap is the main thread's.
  const guards = metrics.map((m) => new SeriesGuard(m.names, Number.POSITIVE_INFINITY));
  const makers = metrics.map((m, mi) => (full) => {
    const entry = { mi, id: guards[mi].size, acc: undefined };
    defs.push([mi, entry.id, m.names.map((n) => full[n])]);
    return entry;
  });
  let touched = [];
  let defs = [];
  let vals = [];
  const labels = {};
  const options = config.labels;

  const record = (metric, l, value) => {
    const mi = index.get(metric);
    const m = metrics[mi];
    const entry = guards[mi].find(l) ?? guards[mi].admit(full(m.names, l), makers[mi]);
    let acc = entry.acc;
    if (acc === undefined) {
      acc = m.counter
        ? { entry, obs: 0, n: 0 }
        : { entry, k: touched.length, count: 0, sum: 0, b: new Array(m.bounds.length).fill(0) };
      entry.acc = acc;
      touched.push(acc);
    }
    if (m.counter) {
      acc.obs++;
      acc.n += value;
      return;
    }
    const bounds = m.bounds;
    for (let i = 0; i < bounds.length; i++) {
      if (value <= bounds[i]) {
        acc.b[i]++;
        break;
      }
    }
    acc.count++;
    if (partialSum) acc.sum += value;
    else {
      vals.push(acc.k, value);
    }
  };

  return {
    observe: (event) => observe(event, options, record, labels),
    flush() {
      let size = 0;
      for (const acc of touched) size += acc.b === undefined ? 4 : 3 + acc.b.length + (partialSum ? 1 : 0);
      const ops = new Float64Array(size);
      let o = 0;
      for (const acc of touched) {
        ops[o++] = acc.entry.mi;
        ops[o++] = acc.entry.id;
        acc.entry.acc = undefined;
        if (acc.b === undefined) {
          ops[o++] = acc.obs;
          ops[o++] = acc.n;
          continue;
        }
        ops[o++] = acc.count;
        if (partialSum) ops[o++] = acc.sum;
        for (const c of acc.b) ops[o++] = c;
      }
      const out = { defs, ops, vals: new Float64Array(vals) };
      touched = [];
      defs = [];
      vals = [];
      return out;
    },
  };
}

/**
 * Main side: applies deltas to the instance's metrics registered in `registry` by the plugin's
 * own GatewayMetrics (id `plugin`), through its series guards: admission order, the cap, the
 * overflow series and label truncation behave as if each observation had been recorded, and
 * `overflowed` / truncation counts grow per observation as they do in the plugin.
 */
export async function createDeltaApplier(config, registry, plugin, { partialSum = false } = {}) {
  const { instancesOf } = await dist('plugins/prometheus/metrics-self.js');
  const { truncateLabelValue } = await dist('plugins/prometheus/metrics.js');
  const stats = instancesOf(registry).get(plugin);
  const metrics = layout(config).map((m) => ({
    ...m,
    family: registry.getSingleMetric(m.name),
    guard: stats.guards.get(m.name),
    cut: stats.truncated.get(m.name),
  }));
  const max = config.maxLabelValueLength;
  /** Per worker, per metric: id → { series, overflow, cuts }. */
  const tables = new Map();

  function define(table, [mi, id, values]) {
    const m = metrics[mi];
    const labels = {};
    const picked = {};
    let cuts;
    m.names.forEach((n, i) => {
      const value = values[i];
      labels[n] = value;
      if (value.length <= max) picked[n] = value;
      else {
        picked[n] = truncateLabelValue(value, max);
        cuts ??= [];
        cuts.push(n);
      }
    });
    const guard = m.guard;
    let series = guard.find(labels);
    let overflow = false;
    if (series === undefined) {
      const before = guard.overflowed;
      series = guard.admit(picked, (l) => m.family.series(l));
      overflow = guard.overflowed > before;
      guard.overflowed = before; // counted per observation in apply()
    }
    table[mi][id] = { series, overflow, cuts };
  }

  return function apply(worker, { defs, ops, vals }) {
    let table = tables.get(worker);
    if (table === undefined) {
      table = metrics.map(() => []);
      tables.set(worker, table);
    }
    for (const def of defs) define(table, def);
    const entries = [];
    for (let o = 0; o < ops.length; ) {
      const mi = ops[o++];
      const m = metrics[mi];
      const entry = table[mi][ops[o++]];
      const series = entry.series;
      entries.push(series);
      const observations = ops[o++];
      if (m.counter) series.value += ops[o++];
      else {
        series.count += observations;
        if (partialSum) series.sum += ops[o++];
        const buckets = series.buckets;
        for (let i = 0; i < buckets.length; i++) buckets[i] += ops[o++];
      }
      if (entry.overflow) m.guard.overflowed += observations;
      if (entry.cuts !== undefined)
        for (const n of entry.cuts) m.cut.set(n, (m.cut.get(n) ?? 0) + observations);
    }
    for (let j = 0; j < vals.length; j += 2) entries[vals[j]].sum += vals[j + 1];
  };
}

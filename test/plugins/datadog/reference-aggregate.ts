import type { Contribution, CountPoint } from '../../../plugins/datadog/aggregate.js';
import { MAX_AGE_S, MAX_AHEAD_S } from '../../../plugins/datadog/aggregate.js';
import type { DatadogConfig } from '../../../plugins/datadog/config.js';
import {
  collapsed,
  globalTags,
  type Observation,
  observe,
  tagsOf,
} from '../../../plugins/datadog/mapping.js';
import { DATADOG_METRICS, type DatadogMetric } from '../../../plugins/datadog/metrics.js';
import type { CanonicalEvent } from '../../../src/schema/event.js';

interface Series {
  readonly metric: DatadogMetric;
  readonly tags: readonly string[];
}

/**
 * The Datadog plugin's aggregator as it was before the series index (commit 74fc406), kept
 * verbatim as the oracle of equivalence.test.ts: one `Observation` object per observation,
 * `tagsOf` and a joined key string per observation, a set of keys per metric for the cap.
 *
 * Pre-aggregation for Datadog, by event time in buckets of `flushIntervalSeconds`.
 *
 * Counts are last-write-wins per (series, second) at Datadog (plugins/datadog/DESIGN.md), so a
 * count point always carries the bucket's whole total: the committed total (acknowledged
 * flushes) plus the pending contributions of the flush being sent. Resending a total is
 * idempotent. Distribution values are additive and are sent once per contribution.
 */
export class ReferenceAggregator {
  readonly #config: DatadogConfig;
  readonly #global: string[];
  readonly #committed = new Map<string, Map<number, number>>();
  /** Tag sets seen per metric since the last flush (the cost cap). */
  #tagSets = new Map<DatadogMetric, Set<string>>();
  readonly #scratch: Observation[] = [];
  /** Called when a new tag set is collapsed to `other`. */
  onCollapse: (metric: DatadogMetric) => void = () => undefined;

  constructor(config: DatadogConfig) {
    this.#config = config;
    this.#global = globalTags(config);
  }

  get interval(): number {
    return this.#config.flushIntervalSeconds;
  }

  /** The metric and tags a series key stands for (tag values never contain `,` or `|`). */
  series(key: string): Series {
    const bar = key.indexOf('|');
    const tags = key.slice(bar + 1);
    return { metric: key.slice(0, bar) as DatadogMetric, tags: tags === '' ? [] : tags.split(',') };
  }

  /** The bucket (epoch seconds) of an event time. */
  bucket(ms: number): number {
    const s = Math.floor(ms / 1000);
    return s - (s % this.interval);
  }

  /**
   * Aggregates a batch. Events Datadog would refuse for their time come back in `refused`
   * (index → reason) and are not aggregated.
   */
  add(
    batch: readonly CanonicalEvent[],
    nowMs: number,
    valuesSent?: WeakSet<CanonicalEvent>,
  ): { contribution: Contribution; refused: Map<number, string> } {
    const contribution: Contribution = { counts: new Map(), values: new Map(), indices: [], events: [] };
    const refused = new Map<number, string>();
    const now = Math.floor(nowMs / 1000);
    batch.forEach((event, i) => {
      const ms = Date.parse(event.requestTimestamp);
      const at = Math.floor(ms / 1000);
      if (at < now - MAX_AGE_S) {
        refused.set(i, `event time ${event.requestTimestamp} is older than Datadog accepts (1 hour)`);
        return;
      }
      if (at > now + MAX_AHEAD_S) {
        refused.set(
          i,
          `event time ${event.requestTimestamp} is further ahead than Datadog accepts (10 minutes)`,
        );
        return;
      }
      contribution.indices.push(i);
      contribution.events.push(event);
      const bucket = this.bucket(ms);
      const out = this.#scratch;
      out.length = 0;
      observe(event, out);
      // Distribution values are additive: an event whose values already reached Datadog (its
      // batch failed later, on logs) must not add them again when the batch is resent.
      const skipValues = valuesSent?.has(event) === true;
      for (const o of out) {
        if (skipValues && DATADOG_METRICS[o.metric].type === 'distribution') continue;
        this.#record(contribution, o, bucket);
      }
    });
    return { contribution, refused };
  }

  #record(c: Contribution, o: Observation, bucket: number): void {
    const key = this.#key(o);
    if (DATADOG_METRICS[o.metric].type === 'count') {
      const buckets = c.counts.get(key) ?? new Map<number, number>();
      c.counts.set(key, buckets);
      buckets.set(bucket, (buckets.get(bucket) ?? 0) + o.value);
      return;
    }
    const buckets = c.values.get(key) ?? new Map<number, number[]>();
    c.values.set(key, buckets);
    const values = buckets.get(bucket) ?? [];
    buckets.set(bucket, values);
    values.push(o.value);
  }

  #key(o: Observation): string {
    let tags = tagsOf(o, this.#config, this.#global);
    let key = `${o.metric}|${tags.join(',')}`;
    const seen = this.#tagSets.get(o.metric) ?? new Set<string>();
    this.#tagSets.set(o.metric, seen);
    if (!seen.has(key)) {
      if (seen.size >= this.#config.maxTagSetsPerFlush) {
        tags = collapsed(tags, this.#global);
        key = `${o.metric}|${tags.join(',')}`;
        if (!seen.has(key)) this.onCollapse(o.metric);
      }
      seen.add(key);
    }
    return key;
  }

  /** Count points for every (series, bucket) the contributions touch: committed + pending. */
  totals(pending: readonly Contribution[]): CountPoint[] {
    const sums = new Map<string, Map<number, number>>();
    for (const c of pending) {
      for (const [key, buckets] of c.counts) {
        const into = sums.get(key) ?? new Map<number, number>();
        sums.set(key, into);
        for (const [bucket, n] of buckets) into.set(bucket, (into.get(bucket) ?? 0) + n);
      }
    }
    const points: CountPoint[] = [];
    for (const [key, buckets] of sums) {
      const committed = this.#committed.get(key);
      for (const [bucket, n] of buckets)
        points.push({ key, bucket, total: (committed?.get(bucket) ?? 0) + n });
    }
    return points;
  }

  /** Makes a delivered contribution's counts part of the committed totals. */
  commit(c: Contribution): void {
    for (const [key, buckets] of c.counts) {
      const into = this.#committed.get(key) ?? new Map<number, number>();
      this.#committed.set(key, into);
      for (const [bucket, n] of buckets) into.set(bucket, (into.get(bucket) ?? 0) + n);
    }
  }

  /** Starts a new flush window for the tag-set cap and forgets buckets Datadog no longer takes. */
  nextFlush(nowMs: number): void {
    this.#tagSets = new Map();
    const oldest = Math.floor(nowMs / 1000) - MAX_AGE_S - this.interval;
    for (const [key, buckets] of this.#committed) {
      for (const bucket of buckets.keys()) if (bucket < oldest) buckets.delete(bucket);
      if (buckets.size === 0) this.#committed.delete(key);
    }
  }
}

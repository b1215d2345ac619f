import type { CanonicalEvent } from '../../src/schema/event.js';
import type { DatadogConfig } from './config.js';
import { type ObservationSink, observeEvent } from './mapping.js';
import type { DatadogMetric } from './metrics.js';
import { type RawTags, rawTags, SeriesIndex } from './series-index.js';

/** Datadog keeps points up to 1 hour old and 10 minutes ahead; we stay a minute inside. */
export const MAX_AGE_S = 59 * 60;
export const MAX_AHEAD_S = 9 * 60;

interface Series {
  readonly metric: DatadogMetric;
  readonly tags: readonly string[];
}

/** What one batch adds: count deltas and distribution values per (series, bucket). */
export interface Contribution {
  readonly counts: Map<string, Map<number, number>>;
  readonly values: Map<string, Map<number, number[]>>;
  /** Indices (in the batch) of the events it covers. */
  readonly indices: number[];
  /** Those events (object identity: the pipeline resends the same objects on retry). */
  readonly events: CanonicalEvent[];
}

export interface CountPoint {
  readonly key: string;
  readonly bucket: number;
  readonly total: number;
}

/**
 * Pre-aggregation for Datadog, by event time in buckets of `flushIntervalSeconds`.
 *
 * Counts are last-write-wins per (series, second) at Datadog (plugins/datadog/DESIGN.md), so a
 * count point always carries the bucket's whole total: the committed total (acknowledged
 * flushes) plus the pending contributions of the flush being sent. Resending a total is
 * idempotent. Distribution values are additive and are sent once per contribution.
 */
export class Aggregator {
  readonly #config: DatadogConfig;
  readonly #index: SeriesIndex;
  readonly #committed = new Map<string, Map<number, number>>();
  /** Refilled for every event: the raw tag values of its observations. */
  readonly #raw: RawTags = rawTags();
  /** Where the event being observed goes: its batch's contribution, its bucket, its values or not. */
  readonly #at: { contribution: Contribution; bucket: number; values: boolean } = {
    contribution: { counts: new Map(), values: new Map(), indices: [], events: [] },
    bucket: 0,
    values: true,
  };
  readonly #sink: ObservationSink = {
    count: (metric, value) => this.#count(metric, value),
    value: (metric, value) => this.#value(metric, value),
  };

  constructor(config: DatadogConfig) {
    this.#config = config;
    this.#index = new SeriesIndex(config);
  }

  /** Called when a new tag set is collapsed to `other`. */
  set onCollapse(callback: (metric: DatadogMetric) => void) {
    this.#index.onCollapse = callback;
  }

  get interval(): number {
    return this.#config.flushIntervalSeconds;
  }

  /** The metric and tags a series key stands for (tag values never contain `,` or `|`). */
  series(key: string): Series {
    const entry = this.#index.entry(key);
    if (entry !== undefined) return entry;
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
    for (let i = 0; i < batch.length; i++) {
      const event = batch[i] as CanonicalEvent;
      const ms = Date.parse(event.requestTimestamp);
      const at = Math.floor(ms / 1000);
      if (at < now - MAX_AGE_S) {
        refused.set(i, `event time ${event.requestTimestamp} is older than Datadog accepts (1 hour)`);
        continue;
      }
      if (at > now + MAX_AHEAD_S) {
        refused.set(
          i,
          `event time ${event.requestTimestamp} is further ahead than Datadog accepts (10 minutes)`,
        );
        continue;
      }
      contribution.indices.push(i);
      contribution.events.push(event);
      const into = this.#at;
      into.contribution = contribution;
      into.bucket = this.bucket(ms);
      into.values = valuesSent?.has(event) !== true;
      observeEvent(event, this.#raw, this.#sink);
    }
    return { contribution, refused };
  }

  #count(metric: DatadogMetric, value: number): void {
    const { contribution: c, bucket } = this.#at;
    const { key } = this.#index.resolve(this.#index.tables[metric], this.#raw);
    let buckets = c.counts.get(key);
    if (buckets === undefined) {
      buckets = new Map<number, number>();
      c.counts.set(key, buckets);
    }
    buckets.set(bucket, (buckets.get(bucket) ?? 0) + value);
  }

  #value(metric: DatadogMetric, value: number): void {
    const { contribution: c, bucket, values: record } = this.#at;
    // Distribution values are additive: an event whose values already reached Datadog (its
    // batch failed later, on logs) must not add them again when the batch is resent.
    if (!record) return;
    const { key } = this.#index.resolve(this.#index.tables[metric], this.#raw);
    let buckets = c.values.get(key);
    if (buckets === undefined) {
      buckets = new Map<number, number[]>();
      c.values.set(key, buckets);
    }
    const values = buckets.get(bucket);
    if (values === undefined) buckets.set(bucket, [value]);
    else values.push(value);
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
    this.#index.nextFlush();
    const oldest = Math.floor(nowMs / 1000) - MAX_AGE_S - this.interval;
    for (const [key, buckets] of this.#committed) {
      for (const bucket of buckets.keys()) if (bucket < oldest) buckets.delete(bucket);
      if (buckets.size === 0) this.#committed.delete(key);
    }
  }
}

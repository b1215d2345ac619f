import type { ExponentialHistogram } from '@opentelemetry/sdk-metrics';
// The SDK's own value → bucket mapping (its LogarithmMapping at the top scale), so bucket
// boundaries are exactly those of an OpenTelemetry SDK's exponential histogram.
import { getMapping } from '@opentelemetry/sdk-metrics/build/src/aggregator/exponential-histogram/mapping/getMapping.js';
import { DEFAULT_MAX_BUCKETS } from './config.js';

/** The finest scale, as the SDK's (its MAX_SCALE): bucket boundaries 2^(2^-20) apart. */
export const MAX_SCALE = 20;

const top = getMapping(MAX_SCALE);

/**
 * A base-2 exponential histogram of non-negative values (OTLP `ExponentialHistogramDataPoint`,
 * positive range only: latencies, sizes and tokens are never negative) that can also take a value
 * back out. Each value's bucket is computed once at {@link MAX_SCALE}; at a coarser scale it is
 * that index shifted right, so downscaling is exact and `remove(v)` finds the bucket `add(v)`
 * counted it in, whatever scale changes happened between them. The scale starts at
 * {@link MAX_SCALE} and drops as little as needed to keep the buckets within `maxSize`.
 */
export class ExpoHistogram {
  scale = MAX_SCALE;
  /** Index of `counts[0]` at the current scale. */
  offset = 0;
  counts: number[] = [];
  zeroCount = 0;
  count = 0;
  sum = 0;
  readonly #maxSize: number;

  constructor(maxSize = DEFAULT_MAX_BUCKETS) {
    this.#maxSize = maxSize;
  }

  add(value: number): void {
    this.#record(value, 1);
  }

  /** Takes back one earlier `add(value)`. */
  remove(value: number): void {
    this.#record(value, -1);
  }

  #record(value: number, delta: 1 | -1): void {
    this.count += delta;
    this.sum += delta * value;
    if (value === 0) {
      this.zeroCount += delta;
      return;
    }
    const index = this.#fit(top.mapToIndex(value));
    const counts = this.counts;
    if (counts.length === 0) {
      this.offset = index;
      counts.push(0);
    } else if (index < this.offset) {
      counts.unshift(...new Array<number>(this.offset - index).fill(0));
      this.offset = index;
    } else if (index >= this.offset + counts.length) {
      for (let i = this.offset + counts.length; i <= index; i++) counts.push(0);
    }
    counts[index - this.offset] = (counts[index - this.offset] as number) + delta;
  }

  /** The index at the current scale of a top-scale index, downscaling first if it would not fit. */
  #fit(topIndex: number): number {
    let index = topIndex >> (MAX_SCALE - this.scale);
    if (this.counts.length === 0) return index;
    let low = Math.min(this.offset, index);
    let high = Math.max(this.offset + this.counts.length - 1, index);
    let shift = 0;
    while (high - low + 1 > this.#maxSize) {
      low >>= 1;
      high >>= 1;
      shift++;
    }
    if (shift === 0) return index;
    this.#downscale(shift);
    index >>= shift;
    return index;
  }

  #downscale(shift: number): void {
    const offset = this.offset >> shift;
    const counts: number[] = [];
    for (let i = 0; i < this.counts.length; i++) {
      const at = ((this.offset + i) >> shift) - offset;
      counts[at] = (counts[at] ?? 0) + (this.counts[i] as number);
    }
    this.scale -= shift;
    this.offset = offset;
    this.counts = counts;
  }

  /** The point value for `@opentelemetry/sdk-metrics`' data point (buckets copied). */
  value(): ExponentialHistogram {
    return {
      count: this.count,
      sum: this.sum,
      scale: this.scale,
      zeroCount: this.zeroCount,
      positive: { offset: this.offset, bucketCounts: [...this.counts] },
      negative: { offset: 0, bucketCounts: [] },
    };
  }
}

import { ExponentialHistogramAccumulation } from '@opentelemetry/sdk-metrics/build/src/aggregator/ExponentialHistogram.js';
import { describe, expect, it } from 'vitest';
import { ExpoHistogram, MAX_SCALE } from '../../../plugins/otlp/exponential.js';

/** A seeded generator (mulberry32), so a failing case can be rerun. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Buckets without leading and trailing zeros, with the offset moved to match. */
function trimmed(offset: number, counts: readonly number[]): { offset: number; counts: number[] } {
  let start = 0;
  let end = counts.length;
  while (start < end && counts[start] === 0) start++;
  while (end > start && counts[end - 1] === 0) end--;
  return { offset: offset + start, counts: counts.slice(start, end) };
}

const sets: [string, (r: () => number) => number][] = [
  ['latencies 0-30 s', (r) => Math.round(r() * 30_000) / 1000],
  ['log-normal latencies', (r) => Math.exp(r() * 12 - 8)],
  ['token counts', (r) => 1 + Math.floor(r() ** 3 * 100_000)],
  ['narrow range', (r) => 1 + r() / 1000],
];

describe('otlp exponential histogram', () => {
  it.each(sets)('puts %s into the same scale and buckets as the OpenTelemetry SDK', (_, draw) => {
    const r = random(7);
    const ours = new ExpoHistogram(160);
    const sdk = new ExponentialHistogramAccumulation([0, 0], 160);
    for (let i = 0; i < 5000; i++) {
      const v = draw(r);
      ours.add(v);
      sdk.record(v);
    }
    const want = sdk.toPointValue();
    const got = ours.value();
    expect(got.scale).toBe(want.scale);
    expect(got.count).toBe(want.count);
    expect(got.zeroCount).toBe(want.zeroCount);
    expect(got.sum).toBeCloseTo(want.sum as number, 6);
    expect(trimmed(got.positive.offset, got.positive.bucketCounts)).toEqual(
      trimmed(want.positive.offset, want.positive.bucketCounts),
    );
  });

  it('counts zeros in zeroCount and keeps every value inside its bucket', () => {
    const h = new ExpoHistogram(20);
    const values = [0, 0, 0.001, 0.5, 1, 2, 3, 1000, 1e6];
    for (const v of values) h.add(v);
    const point = h.value();
    expect(point.zeroCount).toBe(2);
    expect(point.count).toBe(values.length);
    expect(point.positive.bucketCounts.length).toBeLessThanOrEqual(20);
    const base = 2 ** (2 ** -point.scale);
    for (const v of values.filter((x) => x > 0)) {
      const index = Math.ceil(Math.log(v) / Math.log(base)) - 1;
      // (base^index, base^(index+1)]: the value's bucket holds at least one count.
      expect(point.positive.bucketCounts[index - point.positive.offset]).toBeGreaterThan(0);
    }
  });

  it('stays at the finest scale while the values fit and drops only as far as needed', () => {
    const h = new ExpoHistogram(160);
    h.add(1.5);
    expect(h.value().scale).toBe(MAX_SCALE);
    h.add(3);
    const scale = h.value().scale;
    // 1.5 and 3 are one doubling apart: at scale s that is 2^s buckets, which must fit in 160.
    expect(2 ** scale).toBeLessThanOrEqual(160);
    expect(2 ** (scale + 1)).toBeGreaterThan(160);
  });

  it('takes values back out exactly, whatever downscaling happened in between', () => {
    const r = random(11);
    const h = new ExpoHistogram(40);
    const kept = Array.from({ length: 200 }, () => Math.exp(r() * 6));
    for (const v of kept) h.add(v);
    const before = h.value();
    const extra = Array.from({ length: 300 }, () => Math.exp(r() * 20 - 10));
    for (const v of extra) h.add(v);
    for (const v of extra) h.remove(v);
    const after = h.value();
    expect(after.count).toBe(before.count);
    expect(after.sum).toBeCloseTo(before.sum as number, 6);
    // The extra values widened the range, so the scale is coarser now; the kept counts are the
    // same values re-bucketed at that scale.
    expect(after.scale).toBeLessThan(before.scale);
    const fresh = new ExpoHistogram(40);
    for (const v of extra) fresh.add(v);
    for (const v of extra) fresh.remove(v);
    for (const v of kept) fresh.add(v);
    const rebucketed = fresh.value();
    expect(rebucketed.scale).toBe(after.scale);
    expect(trimmed(after.positive.offset, after.positive.bucketCounts)).toEqual(
      trimmed(rebucketed.positive.offset, rebucketed.positive.bucketCounts),
    );
  });
});

/**
 * Seeded randomness for the generator: an sfc32 PRNG with uniform, lognormal and chance draws, and
 * weighted (cumulative-table) picking, Zipf weights included. Pure: the same seed gives the same draws.
 */

export interface Random {
  u32(): number;
  float(): number;
  int(n: number): number;
  chance(p: number): boolean;
  /** Lognormal with the given median and log-sd. */
  lognormal(median: number, sigma: number): number;
}

/** sfc32 seeded through splitmix32. */
export function createRandom(seed: number): Random {
  let s = seed >>> 0;
  const split = (): number => {
    s = (s + 0x9e3779b9) >>> 0;
    return fmix32(s);
  };
  let a = split();
  let b = split();
  let c = split();
  let d = split();
  const u32 = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  for (let i = 0; i < 12; i++) u32();
  const float = (): number => u32() / 4294967296;
  const normal = (): number => Math.sqrt(-2 * Math.log(1 - float())) * Math.cos(2 * Math.PI * float());
  return {
    u32,
    float,
    int: (n) => Math.floor(float() * n),
    chance: (p) => float() < p,
    lognormal: (median, sigma) => median * Math.exp(sigma * normal()),
  };
}

/** murmur3 finaliser: a bijection on 32-bit integers. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Cumulative weights for picking; Zipf when built from `zipfWeights`. */
export function cdf(weights: readonly number[]): Float64Array {
  const out = new Float64Array(weights.length);
  let sum = 0;
  for (let i = 0; i < weights.length; i++) {
    sum += weights[i]!;
    out[i] = sum;
  }
  for (let i = 0; i < out.length; i++) out[i] = out[i]! / sum;
  return out;
}

export const zipfWeights = (n: number, s: number): number[] =>
  Array.from({ length: n }, (_, i) => 1 / (i + 1) ** s);

export function pickIndex(table: Float64Array, r: Random): number {
  const x = r.float();
  let lo = 0;
  let hi = table.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (table[mid]! > x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

export interface Weighted<T> {
  items: readonly T[];
  table: Float64Array;
}

export const weighted = <T>(pairs: readonly (readonly [T, number])[]): Weighted<T> => ({
  items: pairs.map((p) => p[0]),
  table: cdf(pairs.map((p) => p[1])),
});

export const pick = <T>(w: Weighted<T>, r: Random): T => w.items[pickIndex(w.table, r)]!;
export const pickOne = <T>(items: readonly T[], r: Random): T => items[r.int(items.length)]!;

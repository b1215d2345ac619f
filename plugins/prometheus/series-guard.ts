/** The label value every label of a collapsed series takes once a metric is at its series cap. */
export const OVERFLOW = '__overflow__';
/** Label sets of at most this many labels, all values numbered below {@link SMALL_ID}, have number keys. */
const SMALL_LABELS = 4;
/** 8,192⁴ = 2⁵²: four such numbers fit a safe integer. */
const SMALL_ID = 8192;

/**
 * Caps the number of label sets one metric may have and keeps what each one records into (its
 * series, a "handle"). Known label sets find their series; new ones get one (`make`) until the
 * cap, then all share the overflow series, whose labels are all {@link OVERFLOW}. Memory is
 * bounded by the cap.
 *
 * A label set is remembered by a short key: each label value of an admitted set gets a number
 * (shared by all labels), and the key is those numbers as characters, one per value below 32,768.
 * At 10,000 request series that is ~60 bytes a series instead of ~190 for the values joined (the
 * key of a 9-label set is 9 characters); a value is numbered only when its label set is admitted,
 * so label sets past the cap add nothing. With at most four labels and values numbered below 8,192
 * the key is a number instead (the numbers in base 8,192): found without building a string.
 */
export class SeriesGuard<L extends string, T = Record<L, string>> {
  readonly #cap: number;
  readonly #names: readonly L[];
  readonly #seen = new Map<string, T>();
  /** Label sets keyed by number (see the class comment); `#seen` holds the others. */
  readonly #seenSmall = new Map<number, T>();
  /** At most {@link SMALL_LABELS} labels: keys may be numbers. */
  readonly #small: boolean;
  readonly #ids = new Map<string, number>();
  readonly #codes: number[] = [];
  readonly #overflowLabels: Record<L, string>;
  #overflow: T | undefined;
  overflowed = 0;

  constructor(names: readonly L[], cap: number) {
    this.#names = names;
    this.#cap = cap;
    this.#small = names.length <= SMALL_LABELS;
    this.#overflowLabels = Object.fromEntries(names.map((n) => [n, OVERFLOW])) as Record<L, string>;
  }

  get size(): number {
    return this.#seen.size + this.#seenSmall.size;
  }

  /**
   * The series of a label set already admitted, looked up without building anything: a label
   * missing from `labels` counts as `''`. Undefined for a label set not seen yet (or with a value
   * that was cut to length when admitted): then {@link admit} it.
   */
  find(labels: Partial<Record<L, string>>): T | undefined {
    const ids = this.#ids;
    if (this.#small) {
      let key = 0;
      for (const name of this.#names) {
        const id = ids.get(labels[name] ?? '');
        if (id === undefined) return undefined;
        if (id >= SMALL_ID) return this.#findLong(labels);
        key = key * SMALL_ID + id;
      }
      return this.#seenSmall.get(key);
    }
    return this.#findLong(labels);
  }

  #findLong(labels: Partial<Record<L, string>>): T | undefined {
    const ids = this.#ids;
    const codes = this.#codes;
    codes.length = 0;
    for (const name of this.#names) {
      const id = ids.get(labels[name] ?? '');
      if (id === undefined) return undefined;
      if (id < 0x8000) codes.push(id);
      else codes.push(0x8000 | (id >>> 15), id & 0x7fff);
    }
    return this.#seen.get(String.fromCharCode.apply(null, codes));
  }

  /**
   * The series to record `labels` into: its own (made by `make` the first time, while under the
   * cap) or the overflow series. Without `make` the series is the label set itself.
   */
  admit(labels: Record<L, string>, make: (labels: Record<L, string>) => T = identity as never): T {
    const known = this.find(labels);
    if (known !== undefined) return known;
    if (this.size < this.#cap) {
      const series = make(labels);
      const key = this.#key(labels);
      if (typeof key === 'number') this.#seenSmall.set(key, series);
      else this.#seen.set(key, series);
      return series;
    }
    this.overflowed++;
    this.#overflow ??= make(this.#overflowLabels);
    return this.#overflow;
  }

  /** The key of `labels`, numbering values seen for the first time (as {@link find} builds it). */
  #key(labels: Record<L, string>): string | number {
    const ids = this.#ids;
    const numbered: number[] = [];
    for (const name of this.#names) {
      const value = labels[name];
      let id = ids.get(value);
      if (id === undefined) {
        id = ids.size;
        ids.set(value, id);
      }
      numbered.push(id);
    }
    if (this.#small && numbered.every((id) => id < SMALL_ID))
      return numbered.reduce((key, id) => key * SMALL_ID + id, 0);
    const codes = this.#codes;
    codes.length = 0;
    // Prefix-free: one character below 0x8000, else two (the first marked by its top bit).
    for (const id of numbered) {
      if (id < 0x8000) codes.push(id);
      else codes.push(0x8000 | (id >>> 15), id & 0x7fff);
    }
    return String.fromCharCode.apply(null, codes);
  }
}

function identity<X>(x: X): X {
  return x;
}

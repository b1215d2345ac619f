/** The label value every label of a collapsed series takes once a metric is at its series cap. */
export const OVERFLOW = '__overflow__';

/**
 * Caps the number of label sets one metric may have. Known label sets pass; new ones pass
 * until the cap, then collapse into one overflow label set. Memory is bounded by the cap.
 *
 * A label set is remembered by a short key: each label value of an admitted set gets a number
 * (shared by all labels), and the key is those numbers as characters, one per value below 32,768.
 * At 10,000 request series that is ~60 bytes a series instead of ~190 for the values joined (the
 * key of a 9-label set is 9 characters); a value is numbered only when its label set is admitted,
 * so label sets past the cap add nothing.
 */
export class SeriesGuard<L extends string> {
  readonly #cap: number;
  readonly #names: readonly L[];
  readonly #seen = new Set<string>();
  readonly #ids = new Map<string, number>();
  readonly #codes: number[] = [];
  readonly #overflow: Record<L, string>;
  overflowed = 0;

  constructor(names: readonly L[], cap: number) {
    this.#names = names;
    this.#cap = cap;
    this.#overflow = Object.fromEntries(names.map((n) => [n, OVERFLOW])) as Record<L, string>;
  }

  get size(): number {
    return this.#seen.size;
  }

  /** The labels to record under: `labels` itself, or the overflow label set. */
  admit(labels: Record<L, string>): Record<L, string> {
    const key = this.#key(labels, false);
    if (key !== undefined && this.#seen.has(key)) return labels;
    if (this.#seen.size < this.#cap) {
      this.#seen.add(this.#key(labels, true) as string);
      return labels;
    }
    this.overflowed++;
    return this.#overflow;
  }

  clear(): void {
    this.#seen.clear();
    this.#ids.clear();
  }

  /** The key of `labels`; undefined when a value has no number yet (so the set is new), unless `number`. */
  #key(labels: Record<L, string>, number: boolean): string | undefined {
    const ids = this.#ids;
    const codes = this.#codes;
    codes.length = 0;
    for (const name of this.#names) {
      const value = labels[name];
      let id = ids.get(value);
      if (id === undefined) {
        if (!number) return undefined;
        id = ids.size;
        ids.set(value, id);
      }
      // Prefix-free: one character below 0x8000, else two (the first marked by its top bit).
      if (id < 0x8000) codes.push(id);
      else codes.push(0x8000 | (id >>> 15), id & 0x7fff);
    }
    return String.fromCharCode.apply(null, codes);
  }
}

/** The label value every label of a collapsed series takes once a metric is at its series cap. */
export const OVERFLOW = '__overflow__';

/**
 * Caps the number of label sets one metric may have. Known label sets pass; new ones pass
 * until the cap, then collapse into one overflow label set. Memory is bounded by the cap.
 */
export class SeriesGuard<L extends string> {
  readonly #cap: number;
  readonly #names: readonly L[];
  readonly #seen = new Set<string>();
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
    let key = '';
    for (const name of this.#names) key += `${labels[name]}\u0000`;
    if (this.#seen.has(key)) return labels;
    if (this.#seen.size < this.#cap) {
      this.#seen.add(key);
      return labels;
    }
    this.overflowed++;
    return this.#overflow;
  }

  clear(): void {
    this.#seen.clear();
  }
}

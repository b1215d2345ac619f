/**
 * Lets one log line per key through every `intervalMs`, counting what it held back so the
 * next line can say how many were suppressed. Keeps hot paths from flooding the log.
 */
export class LogRateLimiter {
  readonly #intervalMs: number;
  readonly #now: () => number;
  readonly #state = new Map<string, { last: number; suppressed: number }>();

  constructor(intervalMs = 10_000, now: () => number = Date.now) {
    this.#intervalMs = intervalMs;
    this.#now = now;
  }

  /** Returns undefined to suppress, or the count suppressed since the last line allowed. */
  allow(key: string): number | undefined {
    const now = this.#now();
    const state = this.#state.get(key);
    if (state === undefined) {
      if (this.#state.size > 1000) this.#state.clear();
      this.#state.set(key, { last: now, suppressed: 0 });
      return 0;
    }
    if (now - state.last < this.#intervalMs) {
      state.suppressed++;
      return undefined;
    }
    const suppressed = state.suppressed;
    state.last = now;
    state.suppressed = 0;
    return suppressed;
  }
}

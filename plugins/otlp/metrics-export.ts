import type { Resource } from '@opentelemetry/resources';
import { DELIVERED, type EventResult } from '../../src/plugin/result.js';
import type { CanonicalEvent } from '../../src/schema/event.js';
import type { Aggregator, Applied } from './aggregate.js';
import { pointCount, resourceMetrics, type Temporality } from './resource-metrics.js';

/** Sends one metrics export body; what it came to (the plugin counts, classifies and logs). */
export type SendMetrics = (rm: ReturnType<typeof resourceMetrics>, points: number) => Promise<EventResult>;

interface Unconfirmed {
  readonly applied: Applied;
  readonly events: readonly CanonicalEvent[];
}

/**
 * The metrics side of the plugin: which events the aggregates hold and when they leave again
 * (plugins/otlp/DESIGN.md, "Acknowledgement"). Totals only ever grow between two refusals, so
 * no export carries less than one the receiver may already have stored:
 *
 * - an event enters the aggregates at the first export that carries it, and is never counted
 *   again when its batch is retried (for this or for the logs);
 * - an export that failed in a way worth retrying (no answer, 429, 5xx…) keeps its events: the
 *   receiver may have stored it (a lost answer), and the retried batch is carried by a later
 *   export; they are confirmed by the next export that succeeds;
 * - an export the receiver refused (400, every point rejected) or that could not be built takes
 *   its events and every unconfirmed one back out: it was not stored, and the batches come back
 *   or are dead-lettered.
 *
 * Delta temporality clears the aggregates after each successful export only, so a failed
 * export's points go with the next one.
 */
export class MetricsExport {
  readonly #agg: Aggregator;
  readonly #temporality: Temporality;
  readonly #counted = new WeakSet<CanonicalEvent>();
  #unconfirmed: Unconfirmed[] = [];
  /** Start of every cumulative point: this run's start, so a restart is a reset. */
  #startMs = 0;
  /** End of the last successful export: the start of the next delta points. */
  #lastExportMs = 0;

  constructor(agg: Aggregator, temporality: Temporality) {
    this.#agg = agg;
    this.#temporality = temporality;
  }

  start(now: number): void {
    this.#startMs = now;
    this.#lastExportMs = now;
  }

  /** Adds the events not counted yet and exports the aggregates; what that came to for them. */
  async export(
    events: readonly CanonicalEvent[],
    resource: Resource,
    send: SendMetrics,
  ): Promise<EventResult> {
    const fresh = events.filter((e) => !this.#counted.has(e));
    const applied: Applied = { series: [], values: [] };
    let result: EventResult | undefined;
    const now = Date.now();
    try {
      this.#agg.apply(fresh, applied);
      const delta = this.#temporality === 'delta';
      const start = delta ? this.#lastExportMs : this.#startMs;
      const rm = resourceMetrics(this.#agg.stores, resource, this.#temporality, start, now);
      const points = pointCount(rm);
      result = points === 0 ? DELIVERED : await send(rm, points);
      return result;
    } finally {
      this.#settle(fresh, applied, result, now);
    }
  }

  #settle(
    fresh: readonly CanonicalEvent[],
    applied: Applied,
    result: EventResult | undefined,
    now: number,
  ): void {
    if (result?.status === 'delivered' || result?.status === 'retryable') {
      for (const e of fresh) this.#counted.add(e);
      if (result.status === 'retryable') {
        this.#unconfirmed.push({ applied, events: fresh });
        return;
      }
      this.#unconfirmed = [];
      this.#lastExportMs = now;
      if (this.#temporality === 'delta') this.#agg.clear();
      return;
    }
    this.#agg.revert(applied);
    for (const u of this.#unconfirmed) {
      this.#agg.revert(u.applied);
      for (const e of u.events) this.#counted.delete(e);
    }
    this.#unconfirmed = [];
  }
}

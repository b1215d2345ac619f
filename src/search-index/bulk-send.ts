import type { EventResult } from '../plugin/result.js';
import { retryable } from '../plugin/result.js';
import type { CanonicalEvent } from '../schema/event.js';
import { type BulkItem, classifyBulkFailure, classifyBulkItem, type RequestFailure } from './classify.js';
import type { BulkMetrics } from './metrics.js';

/** A bulk request's answer: one item per document, or why the whole request failed. */
export type BulkResponse =
  | { readonly ok: true; readonly items: readonly BulkItem[] }
  | { readonly ok: false; readonly failure: RequestFailure };

/**
 * What a well-formed bulk answer (one item per document) is turned into: by default each item
 * classified on its own ({@link BulkSender.classifyItems}); the Elasticsearch plugin's data
 * streams check some of them against earlier backing indices first.
 */
export type ItemsHandler = (
  start: number,
  items: readonly BulkItem[],
  results: EventResult[],
  signal: AbortSignal,
) => Promise<void>;

export interface BulkSenderOptions {
  /** `elasticsearch`, `opensearch`: named in the reasons. */
  readonly engine: string;
  readonly metrics: BulkMetrics;
  /** Sends one NDJSON body. */
  readonly bulk: (body: string, signal: AbortSignal) => Promise<BulkResponse>;
  /** The NDJSON lines of one event (rebuilt when a 413 splits a request). */
  readonly linesOf: (event: CanonicalEvent) => string;
}

/**
 * One bulk request of a batch's range `start`..`end` → a result per document, the same for every
 * engine with the `_bulk` API: a request failure is classified for all its documents (a `413`
 * splits the range in halves and sends each), an answer with the wrong number of items makes
 * them all retryable, and a well-formed answer goes to the items handler.
 */
export class BulkSender {
  readonly #options: BulkSenderOptions;

  constructor(options: BulkSenderOptions) {
    this.#options = options;
  }

  async sendRange(
    batch: readonly CanonicalEvent[],
    range: { readonly start: number; readonly end: number; readonly body: string },
    results: EventResult[],
    signal: AbortSignal,
    handle: ItemsHandler = async (start, items, out) => this.classifyItems(start, items, out),
  ): Promise<void> {
    const { start, end } = range;
    const { metrics, engine } = this.#options;
    const timer = metrics.startRequest();
    const response = await this.#options.bulk(range.body, signal);
    if (!response.ok) {
      const { failure } = response;
      timer(failure.statusCode === undefined ? 'error' : String(failure.statusCode));
      if (failure.statusCode === 413 && end - start > 1) {
        const mid = start + Math.floor((end - start) / 2);
        for (const [from, to] of [
          [start, mid],
          [mid, end],
        ] as const) {
          const half = { start: from, end: to, body: this.#body(batch, from, to) };
          await this.sendRange(batch, half, results, signal, handle);
        }
        return;
      }
      const result = classifyBulkFailure(failure, engine);
      for (let i = start; i < end; i++) results[i] = result;
      metrics.documents(result.status === 'rejected' ? 'rejected' : 'retryable', failure.name, end - start);
      return;
    }
    timer('200');
    const { items } = response;
    if (items.length !== end - start) {
      const result = retryable(`bulk response had ${items.length} items for ${end - start} documents`);
      for (let i = start; i < end; i++) results[i] = result;
      metrics.documents('retryable', 'item_count_mismatch', end - start);
      return;
    }
    await handle(start, items, results, signal);
  }

  /** Each item classified on its own into `results[start + k]`, and counted. */
  classifyItems(start: number, items: readonly BulkItem[], results: EventResult[]): void {
    const { metrics, engine } = this.#options;
    items.forEach((item, k) => {
      const classified = classifyBulkItem(item, engine);
      results[start + k] = classified.result;
      metrics.documents(classified.outcome, classified.errorType, 1);
    });
  }

  #body(batch: readonly CanonicalEvent[], start: number, end: number): string {
    let body = '';
    for (let i = start; i < end; i++) body += this.#options.linesOf(batch[i] as CanonicalEvent);
    return body;
  }
}

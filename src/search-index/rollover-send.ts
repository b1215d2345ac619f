import type { ErrorCode } from '../errors.js';
import { allOf, type EventResult, retryable } from '../plugin/result.js';
import type { CanonicalEvent } from '../schema/event.js';
import type { BulkSender } from './bulk-send.js';
import { type BulkItem, type ClassifiedItem, classifyBulkItem, type RequestFailure } from './classify.js';
import { type BulkChunk, toBulkChunks } from './documents.js';
import type { RolloverCounters } from './rollover.js';
import { type CreatePlan, type Moved, RolloverGuard, type RolloverGuardOptions } from './rollover-guard.js';

/** What a search plugin gives its data stream sends. */
export interface GuardedSendOptions {
  /** `elasticsearch`, `opensearch`: named in the reasons. */
  readonly engine: string;
  readonly guard: RolloverGuard;
  readonly sender: BulkSender;
  readonly metrics: RolloverCounters;
  /** A batch as bulk bodies of at most `flushBytes` each. */
  readonly chunks: (events: readonly CanonicalEvent[]) => BulkChunk[];
  /** A client error → status, name, message. */
  readonly failureOf: (err: unknown) => RequestFailure;
}

/** What differs between the search plugins' data streams: names, and how an event is written. */
export interface StreamEngine<C> {
  /** `elasticsearch`, `opensearch`: named in the reasons. */
  readonly engine: string;
  /** Logged when a lookup request fails. */
  readonly probeFailedCode: ErrorCode;
  /** The data stream of an event. */
  readonly streamOf: (event: CanonicalEvent, config: C) => string;
  /** The NDJSON lines of one event. */
  readonly linesOf: (event: CanonicalEvent, config: C) => string;
}

/** What one plugin start opened, for its data stream sends. */
export interface StreamSession {
  readonly client: RolloverGuardOptions['client'];
  readonly metrics: RolloverCounters;
  readonly sender: BulkSender;
  readonly logger: RolloverGuardOptions['logger'];
  readonly failureOf: (err: unknown) => RequestFailure;
}

/** The data stream sends of one plugin start: a rollover guard on its client, and its bulk sender. */
export function guardedSend<C extends { readonly clockSkewMs: number; readonly flushBytes: number }>(
  config: C,
  streams: StreamEngine<C>,
  session: StreamSession,
): GuardedSend {
  const { engine, probeFailedCode } = streams;
  const { client, metrics, sender, logger, failureOf } = session;
  const streamOf = (event: CanonicalEvent) => streams.streamOf(event, config);
  const guard = new RolloverGuard({
    engine,
    probeFailedCode,
    clockSkewMs: config.clockSkewMs,
    streamOf,
    client,
    metrics,
    logger,
  });
  const chunks = (events: readonly CanonicalEvent[]) =>
    toBulkChunks(events, (event) => streams.linesOf(event, config), config.flushBytes);
  return new GuardedSend({ engine, guard, sender, metrics, chunks, failureOf });
}

/**
 * `dataStream` mode of a search plugin: events that may predate the write index are probed
 * first (only those left are created), and documents created in another backing index than
 * assumed are checked for an earlier copy (rollover-guard.ts).
 */
export class GuardedSend {
  readonly #o: GuardedSendOptions;

  constructor(options: GuardedSendOptions) {
    this.#o = options;
  }

  /** One result per event of `batch` into `results` (some may be filled by the probe). */
  async send(
    batch: readonly CanonicalEvent[],
    results: EventResult[],
    signal: AbortSignal,
  ): Promise<readonly EventResult[]> {
    let plan: CreatePlan;
    try {
      plan = await this.#o.guard.before(batch, results, signal);
    } catch (err) {
      const failure = this.#o.failureOf(err);
      const result = retryable(`reading data stream backing indices: ${failure.name}: ${failure.message}`);
      this.#o.metrics.documents('retryable', 'rollover_layout_failed', batch.length);
      return allOf(batch.length, result);
    }
    const { events, positions, assumed } = plan;
    const created = new Array<EventResult>(events.length);
    for (const chunk of this.#o.chunks(events)) {
      await this.#o.sender.sendRange(events, chunk, created, signal, (start, items, out, s) =>
        this.#classify(events, start, items, out, assumed, s),
      );
    }
    created.forEach((result, k) => {
      results[positions[k] as number] = result;
    });
    return results;
  }

  /** Items classified; those created in another backing index than assumed are checked first. */
  async #classify(
    batch: readonly CanonicalEvent[],
    start: number,
    items: readonly BulkItem[],
    results: EventResult[],
    assumed: readonly (string | undefined)[],
    signal: AbortSignal,
  ): Promise<void> {
    const { metrics, engine } = this.#o;
    const moved: Moved[] = [];
    items.forEach((item, k) => {
      const classified = classifyBulkItem(item, engine);
      if (movedOn(start + k, item, classified, assumed)) {
        moved.push({ k: start + k, item, classified });
        return;
      }
      results[start + k] = classified.result;
      metrics.documents(classified.outcome, classified.errorType, 1);
    });
    if (moved.length === 0) return;
    const outcomes = await this.#checkMoved(batch, moved, signal);
    moved.forEach(({ k }, n) => {
      const outcome = outcomes[n] as ClassifiedItem;
      results[k] = outcome.result;
      metrics.documents(outcome.outcome, outcome.errorType, 1);
    });
  }

  async #checkMoved(
    batch: readonly CanonicalEvent[],
    moved: readonly Moved[],
    signal: AbortSignal,
  ): Promise<ClassifiedItem[]> {
    try {
      return await this.#o.guard.after(batch, moved, signal);
    } catch (err) {
      const reason = `${this.#o.engine}: checking a rolled-over data stream failed: ${err instanceof Error ? err.message : String(err)}`;
      return moved.map(() => ({
        outcome: 'retryable',
        result: retryable(reason),
        errorType: 'rollover_layout_failed',
      }));
    }
  }
}

/**
 * Whether a bulk item was created (or found, 409) in another backing index than the write
 * index assumed at probe time: a rollover came between, so an earlier index may hold a copy.
 */
function movedOn(
  k: number,
  item: BulkItem,
  classified: ClassifiedItem,
  assumed: readonly (string | undefined)[],
): boolean {
  if (item._index === assumed[k] || item._index === undefined) return false;
  return classified.outcome === 'created' || classified.outcome === 'duplicate';
}

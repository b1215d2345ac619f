import type { Logger } from 'pino';
import type { ErrorCode } from '../errors.js';
import { DELIVERED, type EventResult, retryable } from '../plugin/result.js';
import type { CanonicalEvent } from '../schema/event.js';
import type { BulkItem, ClassifiedItem } from './classify.js';
import { documentId } from './documents.js';
import {
  classifyProbe,
  mayPredateWriteIndex,
  newerThan,
  type ProbeAnswer,
  type ProbeStage,
  probeCandidates,
  type RolloverClient,
  type RolloverCounters,
  type StreamLayout,
  writeIndex,
} from './rollover.js';

/** What differs between the engines. */
export interface RolloverGuardOptions {
  /** `elasticsearch`, `opensearch`: named in the reasons. */
  readonly engine: string;
  readonly clockSkewMs: number;
  /** The data stream of an event. */
  readonly streamOf: (event: CanonicalEvent) => string;
  /** Logged when a lookup request fails. */
  readonly probeFailedCode: ErrorCode;
  readonly client: RolloverClient;
  readonly metrics: RolloverCounters;
  readonly logger: Logger;
}

/** Lookups per `_mget` request. */
const MGET_MAX_DOCS = 10_000;

/** The error type of a document whose earlier copy was found in an earlier backing index. */
export const FOUND_EARLIER = 'found_in_earlier_backing_index';

/** What to create after the probe: the events, their batch positions, the write index assumed. */
export interface CreatePlan {
  readonly events: CanonicalEvent[];
  readonly positions: number[];
  readonly assumed: (string | undefined)[];
}

/**
 * A document created (or found, 409) in another index than the write index assumed when it was
 * probed: `k` is its position, `classified` what the bulk item said.
 */
export interface Moved {
  readonly k: number;
  readonly item: BulkItem;
  readonly classified: ClassifiedItem;
}

interface Lookup {
  readonly k: number;
  readonly index: string;
  readonly id: string;
}

const DUPLICATE: ClassifiedItem = { outcome: 'duplicate', result: DELIVERED, errorType: FOUND_EARLIER };

/**
 * Exactly once into data streams across a rollover (the search plugins' README.md, "Index modes"). Before `create`,
 * events that may predate the write index are looked up by `_id` in the backing indices that
 * were the write index at or after their time (realtime `_mget`): found → a duplicate, not sent.
 * After `create`, a document that landed in another index than the write index assumed (a
 * rollover between probe and create) is checked against the indices before it; if an earlier
 * copy is there, the new one is deleted. The earliest copy always wins: a probe that finds one
 * also deletes later copies (left by a process killed between a create and its check).
 * Backing indices and creation times are cached per data stream and re-read when a bulk item
 * names another index than the write index assumed (`after`). In steady state (no rollover within `clockSkewMs`) no
 * request is made.
 */
export class RolloverGuard {
  readonly #options: RolloverGuardOptions;
  readonly #client: RolloverClient;
  readonly #metrics: RolloverCounters;
  readonly #layouts = new Map<string, Promise<StreamLayout>>();

  constructor(options: RolloverGuardOptions) {
    this.#options = options;
    this.#client = options.client;
    this.#metrics = options.metrics;
  }

  /**
   * Probes what needs it; fills `results` for the events not to create (duplicates, or
   * retryable when a lookup failed) and returns the rest. Throws when a layout cannot be read.
   */
  async before(
    batch: readonly CanonicalEvent[],
    results: EventResult[],
    signal: AbortSignal,
  ): Promise<CreatePlan> {
    const skew = this.#options.clockSkewMs;
    const plan: CreatePlan = { events: [], positions: [], assumed: [] };
    const lookups: Lookup[] = [];
    const layouts = new Map<string, StreamLayout>();
    for (let i = 0; i < batch.length; i++) {
      const event = batch[i] as CanonicalEvent;
      const stream = this.#options.streamOf(event);
      const layout = layouts.get(stream) ?? (await this.#layout(stream, signal));
      layouts.set(stream, layout);
      const eventMs = Date.parse(event.requestTimestamp);
      if (mayPredateWriteIndex(layout, eventMs, skew)) {
        const id = documentId(event);
        for (const index of probeCandidates(layout, eventMs, skew)) lookups.push({ k: i, index, id });
      }
      plan.events.push(event);
      plan.positions.push(i);
      plan.assumed.push(writeIndex(layout));
    }
    if (lookups.length === 0) return plan;
    const answers = await this.#lookup(lookups, 'before_create', signal);
    const found = new Map<number, string>();
    const open = new Set<number>();
    lookups.forEach((l, n) => {
      if (answers[n] === 'found' && !found.has(l.k)) found.set(l.k, l.index);
      if (answers[n] === 'error') open.add(l.k);
    });
    await this.#repair(batch, layouts, found, results, signal);
    const kept: CreatePlan = { events: [], positions: [], assumed: [] };
    plan.positions.forEach((i, k) => {
      if (found.has(i)) {
        this.#metrics.rolloverDuplicates('before_create', 1);
        if (results[i] === undefined) {
          results[i] = DELIVERED;
          this.#metrics.documents('duplicate', FOUND_EARLIER, 1);
        } else this.#metrics.documents('retryable', 'rollover_check_failed', 1);
        return;
      }
      if (open.has(i)) {
        results[i] = retryable(
          `${this.#options.engine}: looking up an earlier copy in a rolled-over backing index failed`,
        );
        this.#metrics.documents('retryable', 'rollover_probe_failed', 1);
        return;
      }
      kept.events.push(plan.events[k] as CanonicalEvent);
      kept.positions.push(i);
      kept.assumed.push(plan.assumed[k]);
    });
    return kept;
  }

  /**
   * Documents created (or found) in another index than assumed: re-reads the layout and looks
   * each one up in the indices before the one it is in. Found → that later copy is deleted and
   * the result is a duplicate; else the bulk item's own outcome. One outcome per entry, in order.
   */
  async after(
    events: readonly CanonicalEvent[],
    moved: readonly Moved[],
    signal: AbortSignal,
  ): Promise<ClassifiedItem[]> {
    const skew = this.#options.clockSkewMs;
    const lookups: Lookup[] = [];
    const streams = new Set(moved.map((m) => this.#options.streamOf(events[m.k] as CanonicalEvent)));
    for (const stream of streams) this.#layouts.delete(stream);
    for (const [n, { k, item }] of moved.entries()) {
      const event = events[k] as CanonicalEvent;
      const layout = await this.#layout(this.#options.streamOf(event), signal);
      const id = documentId(event);
      const eventMs = Date.parse(event.requestTimestamp);
      for (const index of probeCandidates(layout, eventMs, skew, item._index))
        lookups.push({ k: n, index, id });
    }
    const outcomes: ClassifiedItem[] = moved.map((m) => m.classified);
    if (lookups.length === 0) return outcomes;
    const answers = await this.#lookup(lookups, 'after_create', signal);
    const byMoved = new Map<number, Lookup>();
    lookups.forEach((l, n) => {
      if (answers[n] === 'found')
        byMoved.set(l.k, { k: l.k, index: moved[l.k]?.item._index ?? '', id: l.id });
      if (answers[n] === 'error') outcomes[l.k] = this.#retryLater('checking for an earlier copy');
    });
    const doomed = [...byMoved.values()];
    const deleted = await this.#delete(doomed, signal);
    deleted.forEach((ok, n) => {
      const { k } = doomed[n] as Lookup;
      outcomes[k] = ok ? DUPLICATE : this.#retryLater('deleting a second copy');
      if (ok) this.#metrics.rolloverDuplicates('after_create', 1);
    });
    return outcomes;
  }

  /**
   * Copies later than the earliest one found (a process killed between a create and its check
   * left two): looked up in every later backing index and deleted. A failure makes the event
   * retryable, so the next attempt repairs it.
   */
  async #repair(
    batch: readonly CanonicalEvent[],
    layouts: ReadonlyMap<string, StreamLayout>,
    found: ReadonlyMap<number, string>,
    results: EventResult[],
    signal: AbortSignal,
  ): Promise<void> {
    const lookups: Lookup[] = [];
    for (const [i, earliest] of found) {
      const event = batch[i] as CanonicalEvent;
      const layout = layouts.get(this.#options.streamOf(event)) ?? [];
      const id = documentId(event);
      for (const index of newerThan(layout, earliest)) lookups.push({ k: i, index, id });
    }
    if (lookups.length === 0) return;
    const answers = await this.#lookup(lookups, 'repair', signal);
    const doomed = lookups.filter((_, n) => answers[n] === 'found');
    for (const [n, l] of lookups.entries()) {
      if (answers[n] === 'error') results[l.k] = this.#retryLater('checking for a later copy').result;
    }
    const deleted = await this.#delete(doomed, signal);
    deleted.forEach((ok, n) => {
      const l = doomed[n] as Lookup;
      if (!ok) results[l.k] = this.#retryLater('deleting a later copy').result;
      else this.#metrics.rolloverDuplicates('repair', 1);
    });
  }

  /**
   * Realtime `_mget` of every lookup → one answer each (`found`, `absent` or `error`); a failed
   * request answers `error`, and so does an index that is gone (the layouts are re-read).
   */
  async #lookup(lookups: readonly Lookup[], stage: ProbeStage, signal: AbortSignal): Promise<ProbeAnswer[]> {
    this.#metrics.rolloverProbes(stage, lookups.length);
    const answers: ProbeAnswer[] = [];
    for (let start = 0; start < lookups.length; start += MGET_MAX_DOCS) {
      const part = lookups.slice(start, start + MGET_MAX_DOCS);
      const response = await this.#client.mget(part, signal);
      if (!response.ok) {
        this.#options.logger.warn(
          { reason: response.failure.message, code: this.#options.probeFailedCode },
          'Looking up documents in rolled-over backing indices failed; those documents are retried.',
        );
      }
      for (let n = 0; n < part.length; n++)
        answers.push(response.ok ? classifyProbe(response.docs[n]) : 'error');
    }
    if (!answers.includes('gone')) return answers;
    // A backing index was deleted or replaced under another name: re-read every layout, and
    // leave these documents to the next attempt rather than trust a stale list.
    this.#layouts.clear();
    return answers.map((a) => (a === 'gone' ? 'error' : a));
  }

  /** Deletes each (index, id) with one bulk request; true where the copy is gone. */
  async #delete(targets: readonly Lookup[], signal: AbortSignal): Promise<boolean[]> {
    if (targets.length === 0) return [];
    const body = targets
      .map((t) => `${JSON.stringify({ delete: { _index: t.index, _id: t.id } })}\n`)
      .join('');
    const response = await this.#client.bulk(body, signal);
    if (!response.ok || response.items.length !== targets.length) return targets.map(() => false);
    return response.items.map((item) => (item.status >= 200 && item.status < 300) || item.status === 404);
  }

  /** The cached layout of `stream`, read once (concurrent sends share the read). */
  #layout(stream: string, signal: AbortSignal): Promise<StreamLayout> {
    const cached = this.#layouts.get(stream);
    if (cached !== undefined) return cached;
    const read = this.#client.streamLayout(stream, signal);
    this.#layouts.set(stream, read);
    read.catch(() => {
      if (this.#layouts.get(stream) === read) this.#layouts.delete(stream);
    });
    return read;
  }

  #retryLater(what: string): ClassifiedItem {
    return {
      outcome: 'retryable',
      result: retryable(`${this.#options.engine}: ${what} in a rolled-over data stream failed`),
      errorType: 'rollover_check_failed',
    };
  }
}

/**
 * Pure parts of exactly-once delivery into data streams across a rollover, for any engine with
 * data streams and `_mget` (Elasticsearch, OpenSearch; see their plugins' README.md, "Index
 * modes"). A `create` answers 409 only inside one backing index; after a rollover a
 * resend would create a second copy in the new write index. An earlier copy of an event can
 * only live in a backing index that was the write index at some time at or after the event's
 * own `requestTimestamp` (minus a clock-skew margin): those indices are probed by `_id` first.
 */

import type { BulkResponse } from './bulk-send.js';
import type { ItemOutcome, RequestFailure } from './classify.js';

/**
 * When a data stream lookup by `_id` ran: `before_create` (an event that may predate the write
 * index), `after_create` (a document landed in a newer index than assumed), `repair` (later
 * copies of one found earlier).
 */
export type ProbeStage = 'before_create' | 'after_create' | 'repair';
export const PROBE_STAGES: readonly ProbeStage[] = ['before_create', 'after_create', 'repair'];

/** One backing index of a data stream: its name and creation time (epoch ms). */
export interface BackingIndex {
  readonly name: string;
  readonly createdMs: number;
}

/**
 * A data stream's backing indices in generation order (oldest first); the last one is the
 * write index. Empty when the data stream does not exist yet.
 */
export type StreamLayout = readonly BackingIndex[];

/** The write index of a layout, or undefined when the data stream does not exist. */
export function writeIndex(layout: StreamLayout): string | undefined {
  return layout.at(-1)?.name;
}

/**
 * Whether an event of time `eventMs` may have an earlier copy outside the write index: the
 * steady-state test (one comparison, no allocation). False when the write index was created
 * more than `skewMs` before the event; true for an unparsable time (probe rather than guess).
 */
export function mayPredateWriteIndex(layout: StreamLayout, eventMs: number, skewMs: number): boolean {
  const write = layout.at(-1);
  if (write === undefined || layout.length === 1) return false;
  if (Number.isNaN(eventMs)) return true;
  return eventMs - skewMs < write.createdMs;
}

/**
 * The backing indices before `upTo` (default: the write index) that may hold an earlier copy of
 * an event of time `eventMs`: index i was the write index from its creation until the creation
 * of index i+1, and an earlier write of the event happened at or after `eventMs - skewMs`, so
 * index i qualifies when the next one was created after that. Oldest first. When `upTo` is not
 * in the layout (deleted meanwhile), every index but it qualifies by the same rule.
 */
export function probeCandidates(
  layout: StreamLayout,
  eventMs: number,
  skewMs: number,
  upTo?: string,
): string[] {
  const position = upTo === undefined ? layout.length - 1 : layout.findIndex((i) => i.name === upTo);
  const end = position === -1 ? layout.length : position;
  const since = Number.isNaN(eventMs) ? Number.NEGATIVE_INFINITY : eventMs - skewMs;
  const found: string[] = [];
  for (let i = 0; i < end; i++) {
    const next = layout[i + 1];
    const index = layout[i] as BackingIndex;
    if (index.name === upTo) continue;
    if (next === undefined || next.createdMs > since) found.push(index.name);
  }
  return found;
}

/** The backing indices after `name` (later generations), oldest first. */
export function newerThan(layout: StreamLayout, name: string): string[] {
  const position = layout.findIndex((i) => i.name === name);
  return position === -1 ? [] : layout.slice(position + 1).map((i) => i.name);
}

/**
 * What one `_mget` lookup said about a document in one backing index: `gone` is an index no
 * longer there (ILM or ISM deleted it, or replaced it by a shrunk or searchable-snapshot copy under
 * another name: the layout must be re-read before the answer means anything).
 */
export type ProbeAnswer = 'found' | 'absent' | 'gone' | 'error';

/** One document of an `_mget` response. */
export interface MgetDoc {
  readonly _index?: string;
  readonly _id?: string;
  readonly found?: boolean;
  readonly error?: { readonly type?: string; readonly reason?: string | null };
}

/** One `_mget` answer → found, absent, gone (index not found) or error (the question stays open). */
export function classifyProbe(doc: MgetDoc | undefined): ProbeAnswer {
  if (doc === undefined) return 'error';
  if (doc.error !== undefined) return doc.error.type === 'index_not_found_exception' ? 'gone' : 'error';
  return doc.found === true ? 'found' : 'absent';
}

/**
 * `GET _resolve/index/<name>` → the backing index names in generation order (the resolve API is
 * in every distribution; `GET _data_stream` is not in the minimal one the tests run).
 */
export function parseDataStream(body: unknown, name: string): string[] {
  const streams = (body as { data_streams?: { name?: string; backing_indices?: string[] }[] })?.data_streams;
  return streams?.find((s) => s.name === name)?.backing_indices ?? [];
}

/**
 * `GET <stream>/_settings/index.creation_date?flat_settings=true` and the generation order →
 * the layout. An index without a creation date (never seen in practice) counts as created at
 * +∞: its creation only bounds what its predecessor may hold, so an unknown date widens what is
 * probed and never narrows it.
 */
export function toLayout(names: readonly string[], settings: unknown): StreamLayout {
  const all = (settings ?? {}) as Record<string, { settings?: Record<string, unknown> }>;
  return names.map((name) => {
    const created = Number(all[name]?.settings?.['index.creation_date']);
    return { name, createdMs: Number.isFinite(created) ? created : Number.POSITIVE_INFINITY };
  });
}

/** What the guard asks of an engine's client. */
export interface RolloverClient {
  /** Realtime `_mget` by `_index` / `_id` without `_source`: one answer per lookup, in order. */
  mget(
    docs: readonly { readonly index: string; readonly id: string }[],
    signal: AbortSignal,
  ): Promise<
    | { readonly ok: true; readonly docs: readonly MgetDoc[] }
    | { readonly ok: false; readonly failure: RequestFailure }
  >;
  /** One NDJSON bulk body (the guard's deletes by `_index` / `_id`). */
  bulk(body: string, signal: AbortSignal): Promise<BulkResponse>;
  /** A data stream's backing indices with creation times, oldest first; empty when it does not exist. */
  streamLayout(name: string, signal: AbortSignal): Promise<StreamLayout>;
}

/** What the guard counts. */
export interface RolloverCounters {
  documents(outcome: ItemOutcome, errorType: string, count: number): void;
  rolloverProbes(stage: ProbeStage, count: number): void;
  rolloverDuplicates(stage: ProbeStage, count: number): void;
}

/** The query of the guard's `_mget`: realtime (sees every acknowledged write), no `_source`. */
const MGET_QUERY = { _source: 'false', realtime: 'true' };

/** One JSON request on an engine's client → its answer's body; `ignoreNotFound`: a 404 does not throw. */
export type JsonRequest = (
  call: {
    readonly method: 'GET' | 'POST';
    readonly path: string;
    readonly querystring?: Record<string, string>;
    readonly body?: object;
    readonly ignoreNotFound?: boolean;
  },
  signal: AbortSignal,
) => Promise<unknown>;

/**
 * The guard's reads on an engine's client: realtime `_mget` of `_id`s in concrete indices without
 * `_source` (one answer per lookup, in order; a failed request is an answer, not a throw), and a
 * data stream's backing indices in generation order with their creation times (the resolve API,
 * then the creation dates; empty when the data stream does not exist yet; throws on any other
 * failure).
 */
export function rolloverReads(
  request: JsonRequest,
  failureOf: (err: unknown) => RequestFailure,
): Pick<RolloverClient, 'mget' | 'streamLayout'> {
  return {
    async mget(docs, signal) {
      try {
        const body = { docs: docs.map((d) => ({ _index: d.index, _id: d.id })) };
        const call = { method: 'POST', path: '/_mget', querystring: MGET_QUERY, body } as const;
        const answer = (await request(call, signal)) as { docs?: MgetDoc[] } | undefined;
        return { ok: true, docs: answer?.docs ?? [] };
      } catch (err) {
        return { ok: false, failure: failureOf(err) };
      }
    },
    async streamLayout(name, signal) {
      const path = encodeURIComponent(name);
      const resolved = await request(
        { method: 'GET', path: `/_resolve/index/${path}`, ignoreNotFound: true },
        signal,
      );
      const names = parseDataStream(resolved, name);
      if (names.length === 0) return [];
      const querystring = { flat_settings: 'true', expand_wildcards: 'all' };
      const settings = await request(
        { method: 'GET', path: `/${path}/_settings/index.creation_date`, querystring },
        signal,
      );
      return toLayout(names, settings);
    },
  };
}

/**
 * What happened to one event in one `send` call. A plugin classifies; the shared retry layer
 * (src/pipeline/retry.ts) decides whether and when to send again.
 *
 * - `delivered`: the backend has it (including "already there", e.g. an Elasticsearch 409 on create).
 * - `retryable`: a transient failure (429, 5xx, timeout); `retryAfterMs` is the backend's hint.
 * - `rejected`: the backend will never take this event as it is; it goes to the dead-letter file.
 */
export type EventResult =
  | { readonly status: 'delivered' }
  | { readonly status: 'retryable'; readonly reason: string; readonly retryAfterMs?: number }
  | { readonly status: 'rejected'; readonly reason: string };

export const DELIVERED: EventResult = Object.freeze({ status: 'delivered' });

export function retryable(reason: string, retryAfterMs?: number): EventResult {
  return retryAfterMs === undefined
    ? { status: 'retryable', reason }
    : { status: 'retryable', reason, retryAfterMs };
}

export function rejected(reason: string): EventResult {
  return { status: 'rejected', reason };
}

/** One result per event of a batch, in batch order. */
export function allOf(count: number, result: EventResult): EventResult[] {
  return new Array<EventResult>(count).fill(result);
}

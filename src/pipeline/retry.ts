import type { Plugin, SendContext } from '../plugin/contract.js';
import type { EventResult } from '../plugin/result.js';
import type { CanonicalEvent } from '../schema/event.js';

/** Retry settings (config `pipeline.retry`). `maxElapsedMs: 0` retries until stopped. */
export interface RetryPolicy {
  readonly initialIntervalMs: number;
  readonly maxIntervalMs: number;
  readonly multiplier: number;
  readonly jitter: number;
  readonly maxElapsedMs: number;
}

/** Final fate of one event in one plugin. `aborted` events stay unacknowledged and are re-read. */
export type Outcome =
  | { readonly status: 'delivered' }
  | { readonly status: 'dead'; readonly reason: string; readonly kind: 'rejected' | 'exhausted' }
  | { readonly status: 'aborted' };

export interface Clock {
  now(): number;
  /** Resolves after `ms`, or early (without throwing) when `signal` aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal.aborted) return resolve();
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done, { once: true });
    }),
};

export interface DeliverHooks {
  /** Called once per `send` that returned at least one retryable result (`count` events). */
  onRetry?(count: number, reason: string, delayMs: number): void;
  /** Called when `send` threw (a plugin bug); the batch is treated as retryable. */
  onSendError?(err: unknown): void;
}

export interface DeliverRequest {
  readonly plugin: Plugin;
  readonly events: readonly CanonicalEvent[];
  readonly policy: RetryPolicy;
  readonly signal: AbortSignal;
  readonly clock?: Clock;
  readonly random?: () => number;
  readonly hooks?: DeliverHooks;
  /** Handed to every `send` of these events (the batch's positions). */
  readonly context?: SendContext;
}

/** The delay before retry number `attempt` (1-based), with jitter, before any Retry-After. */
export function backoffDelay(policy: RetryPolicy, attempt: number, random: () => number): number {
  const base = Math.min(policy.maxIntervalMs, policy.initialIntervalMs * policy.multiplier ** (attempt - 1));
  const spread = base * policy.jitter;
  return Math.max(0, Math.round(base - spread + random() * 2 * spread));
}

/**
 * Sends `events` through `plugin` until every event is delivered or dead, resending only the
 * events whose last result was retryable. The only place in the daemon that retries.
 */
export async function deliver(request: DeliverRequest): Promise<Outcome[]> {
  const { plugin, events, policy, signal, hooks } = request;
  const clock = request.clock ?? systemClock;
  const random = request.random ?? Math.random;
  const outcomes: (Outcome | undefined)[] = Array.from({ length: events.length }, () => undefined);
  let pending = events.map((_, i) => i);
  const started = clock.now();
  for (let attempt = 1; ; attempt++) {
    if (signal.aborted) break;
    const batch = pending.map((i) => events[i] as CanonicalEvent);
    const results = await sendOnce(plugin, batch, signal, hooks, request.context);
    const retry: number[] = [];
    let retryAfterMs = 0;
    let lastReason = '';
    for (const [k, result] of results.entries()) {
      const index = pending[k] as number;
      switch (result.status) {
        case 'delivered':
          outcomes[index] = { status: 'delivered' };
          break;
        case 'rejected':
          outcomes[index] = { status: 'dead', reason: result.reason, kind: 'rejected' };
          break;
        case 'retryable':
          retry.push(index);
          lastReason = result.reason;
          retryAfterMs = Math.max(retryAfterMs, result.retryAfterMs ?? 0);
          break;
        default:
          assertNever(result);
      }
    }
    pending = retry;
    if (pending.length === 0) break;
    const delay = Math.max(backoffDelay(policy, attempt, random), retryAfterMs);
    if (policy.maxElapsedMs > 0 && clock.now() - started + delay > policy.maxElapsedMs) {
      const reason = `retries exhausted after ${attempt} attempts: ${lastReason}`;
      for (const i of pending) outcomes[i] = { status: 'dead', reason, kind: 'exhausted' };
      pending = [];
      break;
    }
    hooks?.onRetry?.(pending.length, lastReason, delay);
    await clock.sleep(delay, signal);
  }
  return outcomes.map((o) => o ?? { status: 'aborted' });
}

async function sendOnce(
  plugin: Plugin,
  batch: readonly CanonicalEvent[],
  signal: AbortSignal,
  hooks: DeliverHooks | undefined,
  context: SendContext | undefined,
): Promise<readonly EventResult[]> {
  try {
    const results = await plugin.send(batch, signal, context);
    if (results.length !== batch.length) {
      throw new Error(`plugin returned ${results.length} results for ${batch.length} events`);
    }
    return results;
  } catch (err) {
    hooks?.onSendError?.(err);
    const reason = `plugin error: ${err instanceof Error ? err.message : String(err)}`;
    return batch.map(() => ({ status: 'retryable', reason }) satisfies EventResult);
  }
}

function assertNever(value: never): never {
  throw new Error(`unexpected result ${JSON.stringify(value)}`);
}

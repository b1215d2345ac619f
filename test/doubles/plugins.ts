import type { Plugin } from '../../src/plugin/contract.js';
import { DELIVERED, type EventResult } from '../../src/plugin/result.js';
import type { CanonicalEvent } from '../../src/schema/event.js';

/** Delivers everything and remembers each event it received, in order. */
export class RecordingPlugin implements Plugin {
  readonly received: CanonicalEvent[] = [];
  readonly batches: number[] = [];
  started = false;
  stopped = 0;

  async start(): Promise<void> {
    this.started = true;
  }

  async send(batch: readonly CanonicalEvent[]): Promise<readonly EventResult[]> {
    this.batches.push(batch.length);
    this.received.push(...batch);
    return batch.map(() => DELIVERED);
  }

  async stop(): Promise<void> {
    this.stopped++;
  }
}

/**
 * Decides each event's result with `decide(event, attempt)` (attempt counts sends of that event,
 * from 1); records what ended up delivered.
 */
export class ScriptedPlugin implements Plugin {
  readonly delivered: CanonicalEvent[] = [];
  readonly attempts = new Map<string, number>();
  sends = 0;
  readonly #decide: (event: CanonicalEvent, attempt: number) => EventResult;

  constructor(decide: (event: CanonicalEvent, attempt: number) => EventResult) {
    this.#decide = decide;
  }

  async start(): Promise<void> {}

  async send(batch: readonly CanonicalEvent[]): Promise<readonly EventResult[]> {
    this.sends++;
    return batch.map((event) => {
      const attempt = (this.attempts.get(event.correlationId) ?? 0) + 1;
      this.attempts.set(event.correlationId, attempt);
      const result = this.#decide(event, attempt);
      if (result.status === 'delivered') this.delivered.push(event);
      return result;
    });
  }

  async stop(): Promise<void> {}
}

/** Never answers until the signal aborts: a backend that hangs. */
export class HangingPlugin implements Plugin {
  async start(): Promise<void> {}

  send(batch: readonly CanonicalEvent[], signal: AbortSignal): Promise<readonly EventResult[]> {
    return new Promise((resolve) => {
      const aborted = () =>
        resolve(batch.map(() => ({ status: 'retryable', reason: 'aborted' }) satisfies EventResult));
      if (signal.aborted) aborted();
      else signal.addEventListener('abort', aborted, { once: true });
    });
  }

  async stop(): Promise<void> {}
}

/** A minimal canonical event for pipeline tests. */
export function testEvent(n: number, overrides: Partial<CanonicalEvent> = {}): CanonicalEvent {
  return {
    eventType: 'response',
    correlationId: `corr-${n}`,
    requestTimestamp: '2025-03-04T09:15:27.041Z',
    apiName: 'OrdersAPI',
    properties: {},
    ...overrides,
  } as CanonicalEvent;
}

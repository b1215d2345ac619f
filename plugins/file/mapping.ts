import type { CanonicalEvent } from '../../src/schema/event.js';

/** Canonical events → NDJSON text, one event per line, in batch order. */
export function toNdjson(batch: readonly CanonicalEvent[]): string {
  return serialise(batch).text;
}

/**
 * NDJSON of the events that can be serialised, and the index and reason of each that cannot
 * (`JSON.stringify` throws on a `BigInt` or overflows the stack on very deep values): one bad
 * event must be dead-lettered, not make the whole batch fail forever.
 */
export function serialise(batch: readonly CanonicalEvent[]): {
  text: string;
  failed: Map<number, string>;
} {
  let text = '';
  const failed = new Map<number, string>();
  for (const [i, event] of batch.entries()) {
    try {
      text += `${JSON.stringify(event)}\n`;
    } catch (err) {
      failed.set(i, `cannot serialise the event: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return { text, failed };
}

import type { CanonicalEvent } from '../../src/schema/event.js';

/** Canonical events → NDJSON text, one event per line, in batch order. */
export function toNdjson(batch: readonly CanonicalEvent[]): string {
  let text = '';
  for (const event of batch) text += `${JSON.stringify(event)}\n`;
  return text;
}

import type { CanonicalEvent } from '../../src/schema/event.js';

/** One event as a Kafka record, before its partition is chosen. */
export interface EventRecord {
  /** Index of the event in the batch `send` got. */
  readonly index: number;
  readonly topic: string;
  /** The correlation id, UTF-8: one request's events land on one partition, in order. */
  readonly key: Buffer;
  /** The canonical event as JSON, the same text the file plugin writes. */
  readonly value: Buffer;
}

/** The topics a config writes to: both event types' for a `{eventType}` name. */
export function topicsOf(template: string): string[] {
  return template.includes('{eventType}')
    ? ['response', 'faulty'].map((t) => template.replaceAll('{eventType}', t))
    : [template];
}

/** The topic of an event: `{eventType}` in the configured name replaced by its type. */
export function topicOf(template: string, event: CanonicalEvent): string {
  return template.includes('{eventType}') ? template.replaceAll('{eventType}', event.eventType) : template;
}

/**
 * The batch as records, and the index and reason of each event that cannot be one: JSON that
 * does not serialise (a `BigInt`, too deep) or that is larger than `maxMessageBytes` (the broker
 * would refuse it on every retry). Those go to the dead-letter file, not into a retry loop.
 */
export function toRecords(
  batch: readonly CanonicalEvent[],
  topic: string,
  maxMessageBytes: number,
): { records: EventRecord[]; failed: Map<number, string> } {
  const records: EventRecord[] = [];
  const failed = new Map<number, string>();
  for (const [index, event] of batch.entries()) {
    let value: Buffer;
    try {
      value = Buffer.from(JSON.stringify(event));
    } catch (err) {
      failed.set(index, `cannot serialise the event: ${err instanceof Error ? err.message : String(err)}`);
      continue;
    }
    if (value.length > maxMessageBytes) {
      failed.set(
        index,
        `event is ${value.length} bytes as JSON, over kafka maxMessageBytes (${maxMessageBytes})`,
      );
      continue;
    }
    records.push({ index, topic: topicOf(topic, event), key: Buffer.from(event.correlationId), value });
  }
  return { records, failed };
}

/**
 * Records in consecutive groups of at most `maxBytes` of values (at least one record each), in
 * order: one produce request each.
 */
export function requests(records: readonly EventRecord[], maxBytes: number): EventRecord[][] {
  const groups: EventRecord[][] = [];
  let group: EventRecord[] = [];
  let bytes = 0;
  for (const record of records) {
    if (group.length > 0 && bytes + record.value.length > maxBytes) {
      groups.push(group);
      group = [];
      bytes = 0;
    }
    group.push(record);
    bytes += record.value.length;
  }
  if (group.length > 0) groups.push(group);
  return groups;
}

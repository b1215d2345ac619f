import type { CanonicalEvent, EventType } from '../schema/event.js';

/** The event types, each with its own index: `<prefix>_response`, `<prefix>_faulty`. */
export const EVENT_TYPES: readonly EventType[] = ['response', 'faulty'];

/** The index (or data stream) name of an event type, without a date suffix: WSO2's `apim_event_response`. */
export function indexBase(prefix: string, eventType: EventType): string {
  return `${prefix}_${eventType}`;
}

/**
 * The daily index of an event: `<base>-YYYY<sep>MM<sep>DD` from the event's own time (UTC), so a
 * re-sent event lands in the same index and is still recognised as a duplicate. Logstash and
 * Elasticsearch's conventions write `.` (`2025.03.04`); WSO2's Fluent Bit setup for OpenSearch
 * writes `-` (`Logstash_DateFormat %Y-%m-%d`).
 */
export function dailyIndex(prefix: string, event: CanonicalEvent, separator: '.' | '-'): string {
  const day = event.requestTimestamp.slice(0, 10);
  return `${indexBase(prefix, event.eventType)}-${separator === '-' ? day : day.replaceAll('-', separator)}`;
}

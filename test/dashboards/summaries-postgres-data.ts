import type { Client } from 'pg';
import { aggregate } from '../../plugins/summaries/aggregate.js';
import { schemaStatements } from '../../plugins/summaries/ddl.js';
import type { Granularity } from '../../plugins/summaries/granularity.js';
import { upsert } from '../../plugins/summaries/sql.js';
import { TABLES } from '../../plugins/summaries/tables.js';
import { parseLine } from '../../src/parsers/wso2-apim/parse.js';
import { createGenerator } from '../../src/parsers/wso2-apim/sim/generate.js';
import type { CanonicalEvent } from '../../src/schema/event.js';

/**
 * Forty days of generated WSO2 API-M 4.x traffic (the log simulator's lines through the wso2-apim
 * parser) written into the summaries plugin's WSO2 2.x/3.x aggregate tables in PostgreSQL, and
 * the numbers a test expects from them, computed from the events directly (never from the tables).
 */

const DAY_MS = 86_400_000;

/** First request time of the data: 2026-03-01T00:00:00Z. */
export const DATA_START = Date.UTC(2026, 2, 1);
/** The data spans 40 days: 2026-03-01 to 2026-04-09 (UTC). */
export const DATA_DAYS = 40;
export const EVENT_COUNT = 6000;
/** What the tests fill: minutes for a finer check, and the dashboard's hours, days and months. */
export const FILLED_GRANULARITIES: readonly Granularity[] = ['MINUTES', 'HOURS', 'DAYS', 'MONTHS'];
/** A time range holding all the data, aligned to months: every granularity sees every event. */
export const FULL_RANGE = { from: DATA_START, to: Date.UTC(2026, 4, 1) } as const;

/**
 * The generated events, all parsed (8 APIs, 7 applications, 12 % faults, about a third THROTTLED),
 * over {@link DATA_DAYS} days from `start` (epoch ms).
 */
export function generatedEvents(start = DATA_START): CanonicalEvent[] {
  const generator = createGenerator({
    seed: 19,
    apis: 8,
    applications: 6,
    users: 30,
    faultyRatio: 0.12,
    aiRatio: 0,
    startTime: start,
    eventsPerSecond: EVENT_COUNT / ((DATA_DAYS * DAY_MS) / 1000),
  });
  const events: CanonicalEvent[] = [];
  for (let i = 0; i < EVENT_COUNT; i++) {
    const result = parseLine(generator.next());
    if (result.kind !== 'event') throw new Error(`generated line ${i} not parsed: ${JSON.stringify(result)}`);
    events.push(result.event as CanonicalEvent);
  }
  return events;
}

/** Creates the tables in schema `public` and upserts every delta of `events`, as the plugin does. */
export async function fillSummaries(client: Client, events: readonly CanonicalEvent[]): Promise<void> {
  for (const statement of schemaStatements('public', FILLED_GRANULARITIES)) await client.query(statement);
  for (const delta of aggregate(events, TABLES, FILLED_GRANULARITIES)) {
    const { text, values } = upsert('public', delta);
    await client.query(text, values);
  }
}

/** Epoch ms of an event's request. */
export const requestMs = (e: CanonicalEvent): number => Date.parse(e.requestTimestamp);
export const isResponse = (e: CanonicalEvent): boolean => e.eventType === 'response';
export const isThrottled = (e: CanonicalEvent): boolean =>
  e.eventType === 'faulty' && e.errorType === 'THROTTLED';
export const isFault = (e: CanonicalEvent): boolean =>
  e.eventType === 'faulty' && e.errorType !== 'THROTTLED';

/** Events whose request falls in [from, to). */
export function within(events: readonly CanonicalEvent[], from: number, to: number): CanonicalEvent[] {
  return events.filter((e) => requestMs(e) >= from && requestMs(e) < to);
}

/** Counts per key, largest first (ties by key). */
export function countBy(
  events: readonly CanonicalEvent[],
  key: (e: CanonicalEvent) => string,
): [string, number][] {
  const counts = new Map<string, number>();
  for (const e of events) counts.set(key(e), (counts.get(key(e)) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
}

/** Sum of a latency over events, divided by their number. */
export function average(events: readonly CanonicalEvent[], value: (e: CanonicalEvent) => number): number {
  return events.reduce((s, e) => s + value(e), 0) / events.length;
}

/** The start of the UTC day holding `ms`. */
export const dayStart = (ms: number): number => Math.floor(ms / DAY_MS) * DAY_MS;
export { DAY_MS };

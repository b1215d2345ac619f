import type { v2 } from '@datadog/datadog-api-client';
import type { CanonicalEvent } from '../../src/schema/event.js';
import type { DatadogConfig } from './config.js';
import { logItem, logItemBytes } from './payload.js';

/**
 * Datadog accepts a log entry over 1 MB (1,048,576 bytes) but truncates it, which cuts the
 * attributes (or the JSON in `message`) at an arbitrary point. Below that, with room to spare.
 */
export const LOG_ITEM_BYTES = 1_000_000;

/** The parts of `properties` that can be large, given up first (in this order) to fit. */
export const BULKY_PROPERTIES = ['requestHeaders', 'responseHeaders', 'mcpAnalytics'] as const;

/** A log item ready to send: the event it stands for, its size, and what was left out to fit. */
export interface SizedLog {
  readonly event: CanonicalEvent;
  readonly item: v2.HTTPLogItem;
  readonly bytes: number;
  /** `properties.<key>` left out to fit LOG_ITEM_BYTES (also in the item's `apim.omitted`). */
  readonly omitted: readonly string[];
}

/**
 * `event` as a log item within LOG_ITEM_BYTES when it can be: an item over it is built again
 * without `properties.requestHeaders`, then `responseHeaders`, then `mcpAnalytics`, until it fits,
 * and names what it left out in the attribute `apim.omitted` (the facets and measures WSO2's
 * dashboards use are never among them). Still over (custom properties that large): sent as is,
 * and Datadog truncates it; `bytes` says so.
 */
export function sizedLog(
  event: CanonicalEvent,
  config: Pick<DatadogConfig, 'service' | 'logs'>,
  tags: readonly string[],
): SizedLog {
  const item = logItem(event, config, tags);
  const bytes = logItemBytes(item);
  if (bytes <= LOG_ITEM_BYTES || event.properties === undefined) return { event, item, bytes, omitted: [] };
  const properties: Record<string, unknown> = { ...event.properties };
  const omitted: string[] = [];
  let smaller = { item, bytes };
  for (const key of BULKY_PROPERTIES) {
    if (properties[key] === undefined) continue;
    delete properties[key];
    omitted.push(`properties.${key}`);
    const next = logItem({ ...event, properties }, config, tags);
    next.additionalProperties = withOmitted(next.additionalProperties, omitted);
    smaller = { item: next, bytes: logItemBytes(next) };
    if (smaller.bytes <= LOG_ITEM_BYTES) break;
  }
  return { event, ...smaller, omitted };
}

function withOmitted(
  attributes: Record<string, unknown> | undefined,
  omitted: readonly string[],
): Record<string, unknown> {
  const apim = attributes?.apim;
  const moved = typeof apim === 'object' && apim !== null ? (apim as Record<string, unknown>) : {};
  return { ...attributes, apim: { ...moved, omitted: [...omitted] } };
}

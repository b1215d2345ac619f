import type { v2 } from '@datadog/datadog-api-client';
import type { CanonicalEvent } from '../../src/schema/event.js';

/**
 * Canonical events as the logs of WSO2's Datadog solution (`logs.format: wso2`): after WSO2's
 * "PreProcessing" pipeline (a grok parser on `source:apim_node`), a log carries every key of the
 * event JSON as a top-level attribute (`apiName`, `proxyResponseCode`, `properties.*`, …) plus
 * `eventType` (`response` or `faulty`), and WSO2's facets, measures and dashboards read those.
 * The canonical event already has exactly those names (src/schema/event.ts), so gax sends them
 * as attributes directly: the dashboards work whether or not the grok pipeline exists, with none
 * of the grok's failure cases (MDC values, thread names with several dashes) and none of the
 * cost of a second copy of the event in `message`.
 */

/**
 * Item keys the intake reads itself, and attributes Datadog's preprocessing takes as the log's
 * date, status or host. An event root key of that name (an unknown key kept by the parser) is
 * sent under `apim.<key>` instead, so it can neither replace the item's own nor vanish.
 */
const RESERVED = new Set([
  'ddsource',
  'ddtags',
  'hostname',
  'service',
  'message',
  'timestamp',
  'date',
  'status',
  'host',
  'apim',
]);

/** The attribute object moved event keys go under (`apim.<key>`). */
export const MOVED_KEYS_ATTRIBUTE = 'apim';

/**
 * The event's attributes: every root key except `host` (its `host.name` is the item's
 * `hostname`); a reserved key moves under `apim`. Values are the event's own (not copied).
 */
export function wso2Attributes(event: CanonicalEvent): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let moved: Record<string, unknown> | undefined;
  for (const [key, value] of Object.entries(event)) {
    if (key === 'host' && isHostObject(value)) continue;
    if (RESERVED.has(key)) {
      moved ??= {};
      moved[key] = value;
      continue;
    }
    out[key] = value;
  }
  if (moved !== undefined) out[MOVED_KEYS_ATTRIBUTE] = moved;
  return out;
}

/**
 * The log's one-line `message`, for the Log Explorer's list: the metric name WSO2 writes, then
 * what happened. `apim:response GET /pizzashack/1.0.0/menu 200 4 ms (PizzaShackAPI 1.0.0)`,
 * `apim:faulty AUTH 900901 AUTHENTICATION_FAILURE 401 (PizzaShackAPI 1.0.0)`. Only fields PII
 * rules do not cover: the user, client IP and user agent are attributes only.
 */
export function wso2Message(event: CanonicalEvent): string {
  const api = [event.apiName, event.apiVersion].filter((p) => p !== undefined).join(' ');
  const parts: (string | number | undefined)[] =
    event.eventType === 'faulty'
      ? ['apim:faulty', event.errorType, event.errorCode, event.errorMessage, event.proxyResponseCode]
      : [
          'apim:response',
          event.apiMethod,
          path(event.apiContext, event.apiResourceTemplate),
          event.proxyResponseCode,
          event.responseLatency === undefined ? undefined : `${event.responseLatency} ms`,
        ];
  if (api !== '') parts.push(`(${api})`);
  return parts.filter((p) => p !== undefined && p !== '').join(' ');
}

/** A canonical event as WSO2's Datadog solution expects its log (see the file comment). */
export function wso2LogItem(
  event: CanonicalEvent,
  source: string,
  service: string,
  tags: readonly string[],
): v2.HTTPLogItem {
  const host = event.host?.name;
  return {
    ddsource: source,
    ...(tags.length === 0 ? {} : { ddtags: tags.join(',') }),
    ...(host === undefined ? {} : { hostname: host }),
    service,
    message: wso2Message(event),
    additionalProperties: { ...wso2Attributes(event), timestamp: Date.parse(event.requestTimestamp) },
  };
}

function path(context: string | undefined, template: string | undefined): string | undefined {
  if (context === undefined) return template;
  if (template === undefined) return context;
  return `${context.replace(/\/+$/, '')}/${template.replace(/^\/+/, '')}`;
}

function isHostObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

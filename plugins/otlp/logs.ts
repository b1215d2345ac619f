import type { AnyValue, AnyValueMap, LogAttributes } from '@opentelemetry/api-logs';
import { type Resource, resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { CanonicalEvent } from '../../src/schema/event.js';
import { hrTime, SCOPE } from './resource-metrics.js';
import { HTTP_METHODS, providerName, SEMCONV } from './semconv.js';

/** OTLP severity numbers (logs data model): INFO and WARN. */
const INFO = 9;
const WARN = 13;

/**
 * The semantic-convention attributes of an event (HTTP, GenAI, `log.record.uid`); the log
 * record carries them next to the canonical fields (see {@link logRecord}).
 */
export function semconvAttributes(event: CanonicalEvent): LogAttributes {
  const out: LogAttributes = { [SEMCONV.logRecordUid]: event.correlationId };
  const method = event.apiMethod?.toUpperCase();
  if (method !== undefined && method !== '') {
    out[SEMCONV.httpRequestMethod] = HTTP_METHODS.has(method) ? method : '_OTHER';
    if (!HTTP_METHODS.has(method)) out[SEMCONV.httpRequestMethodOriginal] = event.apiMethod;
  }
  if (event.apiResourceTemplate !== undefined) out[SEMCONV.httpRoute] = event.apiResourceTemplate;
  if (event.proxyResponseCode !== undefined) out[SEMCONV.httpResponseStatusCode] = event.proxyResponseCode;
  if (event.eventType === 'faulty') out[SEMCONV.errorType] = event.errorType ?? '_OTHER';
  if (event.userName !== undefined) out[SEMCONV.userName] = event.userName;
  if (event.userAgentHeader !== undefined) out[SEMCONV.userAgentOriginal] = event.userAgentHeader;
  if (event.userIp !== undefined && event.userIp !== 'UNKNOWN') out[SEMCONV.clientAddress] = event.userIp;
  const ai = event.properties?.aiMetadata;
  if (ai !== undefined) {
    out[SEMCONV.genAiProviderName] = providerName(ai.vendorName ?? '');
    if (ai.model !== undefined) out[SEMCONV.genAiRequestModel] = ai.model;
  }
  const usage = event.properties?.aiTokenUsage;
  if (typeof usage?.promptTokens === 'number') out[SEMCONV.genAiUsageInputTokens] = usage.promptTokens;
  if (typeof usage?.completionTokens === 'number')
    out[SEMCONV.genAiUsageOutputTokens] = usage.completionTokens;
  return out;
}

/**
 * One log record per canonical event: its time is the request's, its event name `apim.response`
 * or `apim.faulty`, its severity INFO (WARN for faulty events), its body a one-line summary, its
 * attributes the semantic-convention ones plus every canonical field under its own name
 * (docs/events.md; nested objects as maps). The event's `host.name` goes to the resource.
 */
export function logRecord(event: CanonicalEvent, resource: Resource, observedMs: number): ReadableLogRecord {
  const attributes: LogAttributes = semconvAttributes(event);
  for (const [key, value] of Object.entries(event)) {
    if (key === 'host' || value === undefined) continue;
    attributes[key] = anyValue(value);
  }
  const faulty = event.eventType === 'faulty';
  const at = Date.parse(event.requestTimestamp);
  return {
    hrTime: hrTime(Number.isNaN(at) ? observedMs : at),
    hrTimeObserved: hrTime(observedMs),
    severityNumber: faulty ? WARN : INFO,
    severityText: faulty ? 'WARN' : 'INFO',
    eventName: `apim.${event.eventType}`,
    body: summary(event),
    resource,
    instrumentationScope: SCOPE,
    attributes,
    droppedAttributesCount: 0,
  };
}

/** `GET /orders/{id} 200` (or the fault: `faulty AUTH 900901`). */
function summary(event: CanonicalEvent): string {
  if (event.eventType === 'faulty') {
    return `faulty ${event.errorType ?? ''} ${event.errorCode ?? ''} ${event.apiName ?? ''}`
      .replace(/\s+/g, ' ')
      .trim();
  }
  const parts = [
    event.apiMethod,
    event.apiContext ?? event.apiName,
    event.apiResourceTemplate,
    event.proxyResponseCode,
  ];
  return parts.filter((p) => p !== undefined && p !== '').join(' ');
}

/** A JSON value as an OTLP AnyValue (objects as maps, arrays as arrays, null left out of maps). */
function anyValue(value: unknown): AnyValue {
  if (value === null) return null;
  if (Array.isArray(value)) return value.map(anyValue);
  if (typeof value === 'object') {
    const map: AnyValueMap = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) map[k] = anyValue(v);
    return map;
  }
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  return String(value);
}

/**
 * The resource of each event's log records: `base` plus the event's `host.name` (the gateway
 * node), one object per host so the serializer groups records by it.
 */
export class LogResources {
  readonly #base: Record<string, string>;
  readonly #byHost = new Map<string, Resource>();

  constructor(base: Record<string, string>) {
    this.#base = base;
  }

  of(event: CanonicalEvent): Resource {
    const host = event.host?.name ?? '';
    let resource = this.#byHost.get(host);
    if (resource === undefined) {
      resource = resourceFromAttributes(
        host === '' ? this.#base : { ...this.#base, [SEMCONV.hostName]: host },
      );
      this.#byHost.set(host, resource);
    }
    return resource;
  }
}

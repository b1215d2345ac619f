import type { CanonicalEvent } from '../../src/schema/event.js';
import { HTTP_METHODS, providerName, SEMCONV } from './semconv.js';

/** The gateway metrics, one per Prometheus plugin metric (README "Metrics" maps them). */
export type MetricId =
  | 'requests'
  | 'requestDuration'
  | 'backendDuration'
  | 'mediationDuration'
  | 'errors'
  | 'cacheHits'
  | 'responseSize'
  | 'tokenUsage'
  | 'aiRequests';

/** An attribute value as the plugin records it; `undefined`: the event has none (left out). */
export type AttrValue = string | number | undefined;
export type Attrs = Record<string, AttrValue>;

/** One metric: its OTLP name, unit, instrument and the attributes it keeps. */
export interface MetricDef {
  readonly name: string;
  readonly description: string;
  readonly unit: string;
  readonly instrument: 'counter' | 'histogram';
  /** Integer values (counts, tokens, bytes) or doubles (seconds). */
  readonly integer: boolean;
  /** Which configured boundaries an explicit histogram uses. */
  readonly buckets?: 'latency' | 'responseSize' | 'tokens';
  readonly attributes: readonly string[];
}

const API = ['apim.api.name', 'apim.api.version'] as const;
const ROUTE = [SEMCONV.httpRequestMethod, SEMCONV.httpRoute] as const;
const GEN_AI = [SEMCONV.genAiProviderName, SEMCONV.genAiRequestModel] as const;

/** Optional attributes with unbounded cardinality, as the Prometheus plugin's `labels`. */
export interface MappingOptions {
  readonly application: boolean;
  readonly user: boolean;
}

/** The metric definitions (names per semantic conventions where one exists, else `apim.`). */
export function metricDefs(options: MappingOptions): Record<MetricId, MetricDef> {
  const optional = [
    ...(options.application ? ['apim.application.name'] : []),
    ...(options.user ? [SEMCONV.userName] : []),
  ];
  return {
    requests: {
      name: 'apim.requests',
      description: 'Requests seen by the gateway (analytics events), as apim_requests_total.',
      unit: '{request}',
      instrument: 'counter',
      integer: true,
      attributes: [
        ...API,
        ...ROUTE,
        SEMCONV.httpResponseStatusCode,
        'apim.event.type',
        'apim.key_type',
        ...optional,
      ],
    },
    requestDuration: {
      name: SEMCONV.httpServerRequestDuration,
      description: 'Total gateway latency (responseLatency), as apim_request_duration_seconds.',
      unit: 's',
      instrument: 'histogram',
      integer: false,
      buckets: 'latency',
      attributes: [...API, ...ROUTE, SEMCONV.httpResponseStatusCode, SEMCONV.errorType],
    },
    backendDuration: {
      name: 'apim.backend.duration',
      description: 'Backend latency (backendLatency); cache hits are not observed.',
      unit: 's',
      instrument: 'histogram',
      integer: false,
      buckets: 'latency',
      attributes: [...API, ...ROUTE],
    },
    mediationDuration: {
      name: 'apim.mediation.duration',
      description: 'Gateway mediation latency, request or response direction.',
      unit: 's',
      instrument: 'histogram',
      integer: false,
      buckets: 'latency',
      attributes: [...API, ...ROUTE, 'apim.mediation.direction'],
    },
    errors: {
      name: 'apim.errors',
      description: 'Gateway faults (apim:faulty events) by error type and code.',
      unit: '{error}',
      instrument: 'counter',
      integer: true,
      attributes: [...API, SEMCONV.errorType, 'apim.error.code'],
    },
    cacheHits: {
      name: 'apim.cache.hits',
      description: 'Requests answered from the gateway response cache.',
      unit: '{request}',
      instrument: 'counter',
      integer: true,
      attributes: [...API],
    },
    responseSize: {
      name: SEMCONV.httpServerResponseBodySize,
      description: 'Response size in bytes, where the gateway reports it.',
      unit: 'By',
      instrument: 'histogram',
      integer: true,
      buckets: 'responseSize',
      attributes: [...API],
    },
    tokenUsage: {
      name: SEMCONV.genAiClientTokenUsage,
      description: 'Input and output tokens used through AI (egress) APIs, per request.',
      unit: '{token}',
      instrument: 'histogram',
      integer: true,
      buckets: 'tokens',
      attributes: [...GEN_AI, SEMCONV.genAiTokenType],
    },
    aiRequests: {
      name: 'apim.ai.requests',
      description: 'Requests to AI (egress) APIs, by provider, model and status.',
      unit: '{request}',
      instrument: 'counter',
      integer: true,
      attributes: [...GEN_AI, SEMCONV.httpResponseStatusCode],
    },
  };
}

/**
 * Receives each observation. `attrs` is the caller's scratch object, filled for this metric (it
 * may hold other metrics' attributes too) and changed by the next call: read it, do not keep it.
 */
export type Recorder = (metric: MetricId, attrs: Attrs, value: number) => void;

/**
 * The observations one canonical event makes, as the Prometheus plugin's `observe` makes them
 * (same events, same values; latencies in seconds), with semantic-convention attributes.
 */
export function observe(event: CanonicalEvent, record: Recorder, attrs: Attrs = {}): void {
  attrs['apim.api.name'] = event.apiName;
  attrs['apim.api.version'] = event.apiVersion;
  setMethod(attrs, event.apiMethod);
  attrs[SEMCONV.httpRoute] = event.apiResourceTemplate;
  attrs[SEMCONV.httpResponseStatusCode] = event.proxyResponseCode;
  attrs['apim.event.type'] = event.eventType;
  attrs['apim.key_type'] = event.keyType;
  attrs['apim.application.name'] = event.applicationName;
  attrs[SEMCONV.userName] = event.userName;
  const faulty = event.eventType === 'faulty';
  attrs[SEMCONV.errorType] = faulty ? (event.errorType ?? '_OTHER') : undefined;
  record('requests', attrs, 1);

  if (faulty) {
    attrs['apim.error.code'] = event.errorCode;
    record('errors', attrs, 1);
  }
  latency(record, 'requestDuration', attrs, event.responseLatency);
  if (event.responseCacheHit === true) record('cacheHits', attrs, 1);
  else latency(record, 'backendDuration', attrs, event.backendLatency);
  attrs['apim.mediation.direction'] = 'request';
  latency(record, 'mediationDuration', attrs, event.requestMediationLatency);
  attrs['apim.mediation.direction'] = 'response';
  latency(record, 'mediationDuration', attrs, event.responseMediationLatency);

  const properties = event.properties;
  const size = properties?.responseSize;
  if (typeof size === 'number' && Number.isFinite(size) && size > 0) record('responseSize', attrs, size);
  const ai = properties?.aiMetadata;
  if (ai === undefined) return;
  attrs[SEMCONV.genAiProviderName] = providerName(ai.vendorName ?? '');
  attrs[SEMCONV.genAiRequestModel] = ai.model;
  record('aiRequests', attrs, 1);
  const usage = properties?.aiTokenUsage;
  tokens(record, attrs, 'input', usage?.promptTokens);
  tokens(record, attrs, 'output', usage?.completionTokens);
}

/** `http.request.method`: a known method as it is, any other `_OTHER` (semconv HTTP). */
function setMethod(attrs: Attrs, method: string | undefined): void {
  if (method === undefined || method === '') {
    attrs[SEMCONV.httpRequestMethod] = undefined;
    return;
  }
  const upper = method.toUpperCase();
  attrs[SEMCONV.httpRequestMethod] = HTTP_METHODS.has(upper) ? upper : '_OTHER';
}

function latency(record: Recorder, metric: MetricId, attrs: Attrs, ms: number | undefined): void {
  if (typeof ms === 'number' && Number.isFinite(ms) && ms >= 0) record(metric, attrs, ms / 1000);
}

function tokens(record: Recorder, attrs: Attrs, type: 'input' | 'output', count: number | undefined): void {
  if (typeof count === 'number' && Number.isFinite(count) && count > 0) {
    attrs[SEMCONV.genAiTokenType] = type;
    record('tokenUsage', attrs, count);
  }
}

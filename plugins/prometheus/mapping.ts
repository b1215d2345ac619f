import type { CanonicalEvent } from '../../src/schema/event.js';

/** Every gateway metric with all the labels it can have (the public contract, docs/metrics.md). */
export const METRIC_LABELS = {
  apim_requests_total: [
    'api',
    'api_version',
    'method',
    'resource',
    'status_code',
    'event_type',
    'key_type',
    'application',
    'user',
  ],
  apim_request_duration_seconds: ['api', 'api_version', 'method', 'resource'],
  apim_backend_duration_seconds: ['api', 'api_version', 'method', 'resource'],
  apim_mediation_duration_seconds: ['api', 'api_version', 'method', 'resource', 'direction'],
  apim_errors_total: ['api', 'api_version', 'error_type', 'error_code'],
  apim_cache_hits_total: ['api', 'api_version'],
  apim_response_size_bytes: ['api', 'api_version'],
  apim_ai_tokens_total: ['vendor', 'model', 'token_type'],
  apim_ai_requests_total: ['vendor', 'model', 'status_code'],
} as const;

export type MetricName = keyof typeof METRIC_LABELS;
export type LabelName = (typeof METRIC_LABELS)[MetricName][number];
export type Labels = Partial<Record<LabelName, string>>;

/** One thing to record: add `value` to a counter, or observe it in a histogram (tests collect these). */
export interface Observation {
  readonly metric: MetricName;
  readonly labels: Labels;
  readonly value: number;
}

/**
 * Receives each observation. `labels` is the caller's scratch object, filled for this metric
 * (it may hold other metrics' labels too) and changed by the next call: read it, do not keep it.
 */
export type Recorder = (metric: MetricName, labels: Labels, value: number) => void;

export interface MappingOptions {
  readonly application: boolean;
  readonly user: boolean;
}

/**
 * The observations one canonical event makes, handed to `record` one by one. Latencies become
 * seconds. Every label a metric has is set in `labels` before that metric is recorded; the one
 * object serves all of an event's observations (and, given, all events), so nothing is allocated
 * per observation.
 */
export function observe(
  event: CanonicalEvent,
  options: MappingOptions,
  record: Recorder,
  labels: Labels = {},
): void {
  labels.api = event.apiName ?? '';
  labels.api_version = event.apiVersion ?? '';
  labels.method = event.apiMethod ?? '';
  labels.resource = event.apiResourceTemplate ?? '';
  const status = event.proxyResponseCode === undefined ? '' : String(event.proxyResponseCode);
  labels.status_code = status;
  labels.event_type = event.eventType;
  labels.key_type = event.keyType ?? '';
  if (options.application) labels.application = event.applicationName ?? '';
  if (options.user) labels.user = event.userName ?? '';
  record('apim_requests_total', labels, 1);

  if (event.eventType === 'faulty') {
    labels.error_type = event.errorType ?? '';
    labels.error_code = event.errorCode === undefined ? '' : String(event.errorCode);
    record('apim_errors_total', labels, 1);
  }
  latency(record, 'apim_request_duration_seconds', labels, event.responseLatency);
  if (event.responseCacheHit === true) record('apim_cache_hits_total', labels, 1);
  else latency(record, 'apim_backend_duration_seconds', labels, event.backendLatency);
  labels.direction = 'request';
  latency(record, 'apim_mediation_duration_seconds', labels, event.requestMediationLatency);
  labels.direction = 'response';
  latency(record, 'apim_mediation_duration_seconds', labels, event.responseMediationLatency);

  const properties = event.properties;
  const size = properties?.responseSize;
  if (typeof size === 'number' && Number.isFinite(size) && size > 0)
    record('apim_response_size_bytes', labels, size);
  const ai = properties?.aiMetadata;
  if (ai === undefined) return;
  labels.vendor = ai.vendorName ?? '';
  labels.model = ai.model ?? '';
  record('apim_ai_requests_total', labels, 1);
  const usage = properties?.aiTokenUsage;
  tokens(record, labels, 'prompt', usage?.promptTokens);
  tokens(record, labels, 'completion', usage?.completionTokens);
}

function latency(record: Recorder, metric: MetricName, labels: Labels, ms: number | undefined): void {
  if (typeof ms === 'number' && Number.isFinite(ms) && ms >= 0) record(metric, labels, ms / 1000);
}

function tokens(record: Recorder, labels: Labels, type: string, count: number | undefined): void {
  if (typeof count === 'number' && Number.isFinite(count) && count > 0) {
    labels.token_type = type;
    record('apim_ai_tokens_total', labels, count);
  }
}

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

/** One thing to record: add `value` to a counter, or observe it in a histogram. */
export interface Observation {
  readonly metric: MetricName;
  readonly labels: Labels;
  readonly value: number;
}

export interface MappingOptions {
  readonly application: boolean;
  readonly user: boolean;
}

/** The observations one canonical event makes (pure). Latencies become seconds. */
export function observe(event: CanonicalEvent, options: MappingOptions, out: Observation[]): void {
  const api = event.apiName ?? '';
  const api_version = event.apiVersion ?? '';
  const route = {
    api,
    api_version,
    method: event.apiMethod ?? '',
    resource: event.apiResourceTemplate ?? '',
  };
  const status = event.proxyResponseCode === undefined ? '' : String(event.proxyResponseCode);
  const requests: Labels = {
    ...route,
    status_code: status,
    event_type: event.eventType,
    key_type: event.keyType ?? '',
  };
  if (options.application) requests.application = event.applicationName ?? '';
  if (options.user) requests.user = event.userName ?? '';
  out.push({ metric: 'apim_requests_total', labels: requests, value: 1 });

  if (event.eventType === 'faulty') {
    const code = event.errorCode === undefined ? '' : String(event.errorCode);
    out.push({
      metric: 'apim_errors_total',
      labels: { api, api_version, error_type: event.errorType ?? '', error_code: code },
      value: 1,
    });
  }
  latency(out, 'apim_request_duration_seconds', route, event.responseLatency);
  if (event.responseCacheHit === true)
    out.push({ metric: 'apim_cache_hits_total', labels: { api, api_version }, value: 1 });
  else latency(out, 'apim_backend_duration_seconds', route, event.backendLatency);
  latency(
    out,
    'apim_mediation_duration_seconds',
    { ...route, direction: 'request' },
    event.requestMediationLatency,
  );
  latency(
    out,
    'apim_mediation_duration_seconds',
    { ...route, direction: 'response' },
    event.responseMediationLatency,
  );

  const properties = event.properties;
  const size = properties?.responseSize;
  if (typeof size === 'number' && size > 0)
    out.push({ metric: 'apim_response_size_bytes', labels: { api, api_version }, value: size });
  const ai = properties?.aiMetadata;
  if (ai === undefined) return;
  const vendor = ai.vendorName ?? '';
  const model = ai.model ?? '';
  out.push({ metric: 'apim_ai_requests_total', labels: { vendor, model, status_code: status }, value: 1 });
  const usage = properties?.aiTokenUsage;
  tokens(out, vendor, model, 'prompt', usage?.promptTokens);
  tokens(out, vendor, model, 'completion', usage?.completionTokens);
}

function latency(out: Observation[], metric: MetricName, labels: Labels, ms: number | undefined): void {
  if (typeof ms === 'number' && Number.isFinite(ms) && ms >= 0)
    out.push({ metric, labels, value: ms / 1000 });
}

function tokens(
  out: Observation[],
  vendor: string,
  model: string,
  type: string,
  count: number | undefined,
): void {
  if (typeof count === 'number' && count > 0) {
    out.push({ metric: 'apim_ai_tokens_total', labels: { vendor, model, token_type: type }, value: count });
  }
}

import {
  errorCodeText,
  family,
  PLATFORM_FAMILIES,
  USER_AGENT_FAMILIES,
} from '../../src/schema/dimensions.js';
import type { CanonicalEvent } from '../../src/schema/event.js';
import { redactUrlCredentials } from '../../src/telemetry/redact.js';
import { httpMethod } from './semconv-method.js';

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
    'platform',
    'user_agent',
    'destination',
    'target_status_code',
    'tenant',
    'region',
    'api_creator',
    'application_owner',
  ],
  apim_request_duration_seconds: ['api', 'api_version', 'method', 'resource'],
  apim_backend_duration_seconds: ['api', 'api_version', 'method', 'resource', 'destination'],
  apim_mediation_duration_seconds: ['api', 'api_version', 'method', 'resource', 'direction'],
  apim_errors_total: ['api', 'api_version', 'error_type', 'error_code', 'error_message'],
  apim_cache_hits_total: ['api', 'api_version'],
  apim_response_size_bytes: ['api', 'api_version'],
  apim_ai_tokens_total: ['api', 'vendor', 'model', 'token_type'],
  apim_ai_requests_total: ['api', 'vendor', 'model', 'status_code'],
  apim_ai_request_duration_seconds: ['api', 'vendor', 'model'],
  /** OpenTelemetry's stable HTTP server histogram (`semconv.http`); never prefixed. */
  http_server_request_duration_seconds: [
    'http_request_method',
    'http_response_status_code',
    'http_route',
    'error_type',
  ],
} as const;

/** Opt-in labels (off by default) and the `labels.*` config key that turns each on. */
export const OPTIONAL_LABELS = {
  application: 'application',
  user: 'user',
  platform: 'platform',
  user_agent: 'userAgent',
  destination: 'destination',
  target_status_code: 'targetStatusCode',
  error_message: 'errorMessage',
  tenant: 'tenant',
  region: 'region',
  api_creator: 'apiCreator',
  application_owner: 'applicationOwner',
} as const;

/** A `labels.*` config key. */
export type LabelOption = (typeof OPTIONAL_LABELS)[keyof typeof OPTIONAL_LABELS];

/** The metric that exists only with `semconv.http` on. */
export const SEMCONV_HTTP_METRIC = 'http_server_request_duration_seconds';

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

/** Which opt-in labels to set (`labels.*`) and whether to record the OpenTelemetry histogram. */
export type MappingOptions = Readonly<Partial<Record<LabelOption, boolean>>> & {
  readonly semconvHttp?: boolean;
};

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
  // Each opt-in label costs one untaken branch when off.
  if (options.platform) labels.platform = family(PLATFORM_FAMILIES, event.platform, 'UNKNOWN');
  if (options.userAgent) labels.user_agent = family(USER_AGENT_FAMILIES, event.userAgent, 'UNKNOWN');
  if (options.destination)
    labels.destination = event.destination === undefined ? '' : redactUrlCredentials(event.destination);
  if (options.targetStatusCode)
    labels.target_status_code =
      event.targetResponseCode === undefined ? '' : String(event.targetResponseCode);
  if (options.tenant) labels.tenant = event.apiCreatorTenantDomain ?? '';
  if (options.region) labels.region = event.regionId ?? '';
  if (options.apiCreator) labels.api_creator = event.apiCreator ?? '';
  if (options.applicationOwner) labels.application_owner = event.applicationOwner ?? '';
  record('apim_requests_total', labels, 1);

  if (event.eventType === 'faulty') {
    labels.error_type = event.errorType ?? '';
    labels.error_code = event.errorCode === undefined ? '' : String(event.errorCode);
    if (options.errorMessage) labels.error_message = errorCodeText(event.errorCode, event.errorType);
    record('apim_errors_total', labels, 1);
  }
  latency(record, 'apim_request_duration_seconds', labels, event.responseLatency);
  if (event.responseCacheHit === true) record('apim_cache_hits_total', labels, 1);
  else latency(record, 'apim_backend_duration_seconds', labels, event.backendLatency);
  labels.direction = 'request';
  latency(record, 'apim_mediation_duration_seconds', labels, event.requestMediationLatency);
  labels.direction = 'response';
  latency(record, 'apim_mediation_duration_seconds', labels, event.responseMediationLatency);
  if (options.semconvHttp) semconvHttp(event, status, record, labels);

  const properties = event.properties;
  const size = properties?.responseSize;
  if (typeof size === 'number' && Number.isFinite(size) && size > 0)
    record('apim_response_size_bytes', labels, size);
  const ai = properties?.aiMetadata;
  if (ai === undefined) return;
  labels.vendor = ai.vendorName ?? '';
  labels.model = ai.model ?? '';
  record('apim_ai_requests_total', labels, 1);
  latency(record, 'apim_ai_request_duration_seconds', labels, event.responseLatency);
  const usage = properties?.aiTokenUsage;
  if (usage === undefined) return;
  const prompt = count(usage.promptTokens);
  const completion = count(usage.completionTokens);
  tokens(record, labels, 'prompt', prompt);
  tokens(record, labels, 'completion', completion);
  // docs/metrics.md: the token types sum to WSO2's totalTokens; what only the total counts is `other`.
  tokens(record, labels, 'other', count(usage.totalTokens) - prompt - completion);
}

/**
 * OpenTelemetry's `http.server.request.duration` (stable HTTP semantic conventions): the route
 * is the API context followed by the resource template, so routes of different APIs differ;
 * `error_type` is the status code of a 5xx response or the fault category of a faulty event.
 */
function semconvHttp(event: CanonicalEvent, status: string, record: Recorder, labels: Labels): void {
  labels.http_request_method = httpMethod(event.apiMethod);
  labels.http_response_status_code = status;
  const template = event.apiResourceTemplate;
  labels.http_route = template === undefined ? '' : `${event.apiContext ?? ''}${template}`;
  if (event.eventType === 'faulty') labels.error_type = event.errorType ?? '_OTHER';
  else labels.error_type = status.length === 3 && status.charCodeAt(0) === 53 ? status : '';
  latency(record, SEMCONV_HTTP_METRIC, labels, event.responseLatency);
}

/** A token count: a finite positive number, else 0. */
function count(n: number | undefined): number {
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : 0;
}

function latency(record: Recorder, metric: MetricName, labels: Labels, ms: number | undefined): void {
  if (typeof ms === 'number' && Number.isFinite(ms) && ms >= 0) record(metric, labels, ms / 1000);
}

function tokens(record: Recorder, labels: Labels, type: string, n: number): void {
  if (n <= 0) return;
  labels.token_type = type;
  record('apim_ai_tokens_total', labels, n);
}

/**
 * The Datadog metrics the plugin emits: the public contract (docs/datadog.md, the bundled
 * dashboards and monitors are checked against it). Names are relative to the configured prefix
 * (`apim.` by default). Tags are the ones a metric can carry; `defaultTags` is the allow-list a
 * config without `tags` gets (cost control: every distinct tag set is a custom metric).
 */
export interface MetricSpec {
  /** `count`: a sum per flush interval; `distribution`: every value, for true percentiles. */
  readonly type: 'count' | 'distribution';
  readonly unit?: 'millisecond' | 'request' | 'error' | 'token' | 'hit';
  readonly description: string;
  readonly tags: readonly string[];
  readonly defaultTags: readonly string[];
}

const route = ['api', 'api_version', 'method', 'resource'] as const;
/** Where a request came from and went: opt-in on `requests` (docs: plugins/datadog/README.md). */
const client = ['platform', 'user_agent'] as const;
const backend = ['destination', 'target_status_code'] as const;
const owner = ['tenant', 'api_creator', 'application_owner'] as const;
const place = ['region', 'gateway_host'] as const;

export const DATADOG_METRICS = {
  requests: {
    type: 'count',
    unit: 'request',
    description: 'Requests (response and faulty events).',
    tags: [
      ...route,
      'status_code',
      'event_type',
      'key_type',
      'application',
      'user',
      ...client,
      ...backend,
      ...owner,
      ...place,
    ],
    defaultTags: [...route, 'status_code', 'event_type'],
  },
  errors: {
    type: 'count',
    unit: 'error',
    description: 'Gateway-side faults (faulty events) by category and code.',
    tags: [
      'api',
      'api_version',
      'error_type',
      'error_code',
      'error_message',
      'destination',
      'tenant',
      ...place,
    ],
    defaultTags: ['api', 'api_version', 'error_type', 'error_code'],
  },
  'latency.response': {
    type: 'distribution',
    unit: 'millisecond',
    description: 'Total gateway time per request (responseLatency).',
    tags: [...route, 'tenant', ...place],
    defaultTags: ['api', 'api_version'],
  },
  'latency.backend': {
    type: 'distribution',
    unit: 'millisecond',
    description: 'Backend time per request (backendLatency); not recorded on cache hits.',
    tags: [...route, 'destination', ...place],
    defaultTags: ['api', 'api_version'],
  },
  'latency.mediation': {
    type: 'distribution',
    unit: 'millisecond',
    description: 'Mediation time per request, `direction:request` or `direction:response`.',
    tags: [...route, 'direction'],
    // Per-API mediation is rarely worth 10 custom metrics per API: split by direction only.
    defaultTags: ['direction'],
  },
  cache_hits: {
    type: 'count',
    unit: 'hit',
    description: 'Requests answered from the gateway response cache.',
    tags: ['api', 'api_version'],
    defaultTags: ['api', 'api_version'],
  },
  'ai.tokens': {
    type: 'count',
    unit: 'token',
    description:
      'AI tokens of egress (AI) API calls, `token_type:prompt`, `completion` or `other` (in totalTokens only); their sum is totalTokens.',
    tags: ['vendor', 'model', 'token_type', 'api'],
    defaultTags: ['vendor', 'model', 'token_type'],
  },
  'ai.requests': {
    type: 'count',
    unit: 'request',
    description:
      'Egress (AI) API calls by vendor, model and API; errors are `event_type:faulty` plus `event_type:response` with a 5xx `status_code`.',
    tags: ['vendor', 'model', 'status_code', 'event_type', 'api'],
    // An AI API mostly calls one vendor and model, so `api` and `event_type` add few tag sets.
    defaultTags: ['vendor', 'model', 'status_code', 'event_type', 'api'],
  },
  'ai.latency': {
    type: 'distribution',
    unit: 'millisecond',
    description: 'Total gateway time of egress (AI) API calls (responseLatency).',
    tags: ['vendor', 'model', 'api'],
    defaultTags: ['vendor', 'model'],
  },
} as const satisfies Record<string, MetricSpec>;

export type DatadogMetric = keyof typeof DATADOG_METRICS;

/** Tags every metric also carries, from the config (`env`, `service`) and the exporter. */
export const GLOBAL_TAGS = ['env', 'service'] as const;

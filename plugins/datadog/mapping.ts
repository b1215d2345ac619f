import {
  errorCodeText,
  family,
  PLATFORM_FAMILIES,
  USER_AGENT_FAMILIES,
} from '../../src/schema/dimensions.js';
import type { CanonicalEvent } from '../../src/schema/event.js';
import { redactUrlCredentials } from '../../src/telemetry/redact.js';
import type { DatadogConfig } from './config.js';
import { DATADOG_METRICS, type DatadogMetric } from './metrics.js';
import type { RawTags } from './series-index.js';

/** One thing an event adds to: `value` to a count, or one value to a distribution. */
export interface Observation {
  readonly metric: DatadogMetric;
  /** Every tag the metric can carry, before the allow-list. */
  readonly tags: Readonly<Record<string, string>>;
  readonly value: number;
}

type MappingConfig = Pick<DatadogConfig, 'tags'>;

/**
 * The observations one canonical event makes (pure). Latencies stay in milliseconds. The readable
 * definition; the aggregator uses `observeEvent`, which must make the same ones.
 */
export function observe(event: CanonicalEvent, out: Observation[]): void {
  const api = event.apiName ?? 'unknown';
  const api_version = event.apiVersion ?? 'unknown';
  const route = {
    api,
    api_version,
    method: event.apiMethod ?? 'none',
    resource: event.apiResourceTemplate ?? 'none',
  };
  const status_code = event.proxyResponseCode === undefined ? 'none' : String(event.proxyResponseCode);
  const destination = backendOf(event);
  const tenant = event.apiCreatorTenantDomain ?? 'none';
  const place = { region: event.regionId ?? 'none', gateway_host: event.host?.name ?? 'none' };
  out.push({
    metric: 'requests',
    tags: {
      ...route,
      status_code,
      event_type: event.eventType,
      key_type: event.keyType ?? 'none',
      application: event.applicationName ?? 'none',
      user: event.userName ?? 'none',
      platform: family(PLATFORM_FAMILIES, event.platform, 'none'),
      user_agent: family(USER_AGENT_FAMILIES, event.userAgent, 'none'),
      destination,
      target_status_code: event.targetResponseCode === undefined ? 'none' : String(event.targetResponseCode),
      tenant,
      api_creator: event.apiCreator ?? 'none',
      application_owner: event.applicationOwner ?? 'none',
      ...place,
    },
    value: 1,
  });
  if (event.eventType === 'faulty') {
    const error_code = event.errorCode === undefined ? 'none' : String(event.errorCode);
    out.push({
      metric: 'errors',
      tags: {
        api,
        api_version,
        error_type: event.errorType ?? 'none',
        error_code,
        error_message: errorCodeText(event.errorCode, event.errorType),
        destination,
        tenant,
        ...place,
      },
      value: 1,
    });
  }
  latency(out, 'latency.response', { ...route, tenant, ...place }, event.responseLatency);
  if (event.responseCacheHit === true)
    out.push({ metric: 'cache_hits', tags: { api, api_version }, value: 1 });
  else latency(out, 'latency.backend', { ...route, destination, ...place }, event.backendLatency);
  latency(out, 'latency.mediation', { ...route, direction: 'request' }, event.requestMediationLatency);
  latency(out, 'latency.mediation', { ...route, direction: 'response' }, event.responseMediationLatency);
  const ai = event.properties?.aiMetadata;
  if (ai === undefined) return;
  const vendor = ai.vendorName ?? 'unknown';
  const model = ai.model ?? 'unknown';
  out.push({
    metric: 'ai.requests',
    tags: { vendor, model, status_code, event_type: event.eventType, api },
    value: 1,
  });
  latency(out, 'ai.latency', { vendor, model, api }, event.responseLatency);
  for (const [token_type, value] of tokenCounts(event.properties?.aiTokenUsage)) {
    if (value > 0) out.push({ metric: 'ai.tokens', tags: { vendor, model, token_type, api }, value });
  }
}

/** `destination` with URL credentials redacted (the check for `@` keeps the common case free). */
function backendOf(event: CanonicalEvent): string {
  const destination = event.destination;
  if (destination === undefined) return 'none';
  return destination.includes('@') ? redactUrlCredentials(destination) : destination;
}

type TokenUsage = NonNullable<NonNullable<CanonicalEvent['properties']>['aiTokenUsage']>;

/**
 * Tokens by `token_type` (docs/metrics.md): prompt, completion, and `other` = what totalTokens
 * counts beyond them (reasoning, cached), so the types add up to totalTokens.
 */
function tokenCounts(usage: TokenUsage | undefined): [string, number][] {
  const prompt = usage?.promptTokens ?? 0;
  const completion = usage?.completionTokens ?? 0;
  return [
    ['prompt', prompt],
    ['completion', completion],
    ['other', otherTokens(usage, prompt, completion)],
  ];
}

/** totalTokens − prompt − completion when the total is known and larger; else 0. */
function otherTokens(usage: TokenUsage | undefined, prompt: number, completion: number): number {
  const total = usage?.totalTokens;
  if (total === undefined) return 0;
  return Math.max(0, total - Math.max(0, prompt) - Math.max(0, completion));
}

function latency(
  out: Observation[],
  metric: DatadogMetric,
  tags: Readonly<Record<string, string>>,
  value: number | undefined,
): void {
  if (value === undefined || !Number.isFinite(value) || value < 0) return;
  out.push({ metric, tags, value });
}

/** Where `observeEvent` puts an event's observations (the raw tags are in its `raw` at the time). */
export interface ObservationSink {
  count(metric: DatadogMetric, value: number): void;
  value(metric: DatadogMetric, value: number): void;
}

/**
 * The observations of `observe`, in the same order, without an object per observation: `raw` is
 * refilled with the event's tag values (and `direction`, `token_type` per observation) and the
 * sink is called for each count and distribution value. test/plugins/datadog/equivalence.test.ts
 * holds it to `observe` + `tagsOf`.
 */
export function observeEvent(event: CanonicalEvent, raw: RawTags, sink: ObservationSink): void {
  raw.api = event.apiName ?? 'unknown';
  raw.api_version = event.apiVersion ?? 'unknown';
  raw.method = event.apiMethod ?? 'none';
  raw.resource = event.apiResourceTemplate ?? 'none';
  raw.status_code = event.proxyResponseCode === undefined ? 'none' : String(event.proxyResponseCode);
  raw.event_type = event.eventType;
  raw.key_type = event.keyType ?? 'none';
  raw.application = event.applicationName ?? 'none';
  raw.user = event.userName ?? 'none';
  raw.platform = family(PLATFORM_FAMILIES, event.platform, 'none');
  raw.user_agent = family(USER_AGENT_FAMILIES, event.userAgent, 'none');
  raw.destination = backendOf(event);
  raw.target_status_code = event.targetResponseCode === undefined ? 'none' : String(event.targetResponseCode);
  raw.tenant = event.apiCreatorTenantDomain ?? 'none';
  raw.api_creator = event.apiCreator ?? 'none';
  raw.application_owner = event.applicationOwner ?? 'none';
  raw.region = event.regionId ?? 'none';
  raw.gateway_host = event.host?.name ?? 'none';
  sink.count('requests', 1);
  if (event.eventType === 'faulty') {
    raw.error_type = event.errorType ?? 'none';
    raw.error_code = event.errorCode === undefined ? 'none' : String(event.errorCode);
    raw.error_message = errorCodeText(event.errorCode, event.errorType);
    sink.count('errors', 1);
  }
  latencyValue(sink, 'latency.response', event.responseLatency);
  if (event.responseCacheHit === true) sink.count('cache_hits', 1);
  else latencyValue(sink, 'latency.backend', event.backendLatency);
  raw.direction = 'request';
  latencyValue(sink, 'latency.mediation', event.requestMediationLatency);
  raw.direction = 'response';
  latencyValue(sink, 'latency.mediation', event.responseMediationLatency);
  const ai = event.properties?.aiMetadata;
  if (ai === undefined) return;
  raw.vendor = ai.vendorName ?? 'unknown';
  raw.model = ai.model ?? 'unknown';
  sink.count('ai.requests', 1);
  latencyValue(sink, 'ai.latency', event.responseLatency);
  const usage = event.properties?.aiTokenUsage;
  const prompt = usage?.promptTokens ?? 0;
  if (prompt > 0) {
    raw.token_type = 'prompt';
    sink.count('ai.tokens', prompt);
  }
  const completion = usage?.completionTokens ?? 0;
  if (completion > 0) {
    raw.token_type = 'completion';
    sink.count('ai.tokens', completion);
  }
  const other = otherTokens(usage, prompt, completion);
  if (other > 0) {
    raw.token_type = 'other';
    sink.count('ai.tokens', other);
  }
}

function latencyValue(sink: ObservationSink, metric: DatadogMetric, value: number | undefined): void {
  if (value === undefined || !Number.isFinite(value) || value < 0) return;
  sink.value(metric, value);
}

/**
 * The Datadog tags of an observation: the metric's allow-listed tags in their declared order,
 * then the global ones. Values are normalised the way Datadog would (lower case is not forced:
 * API names are case-sensitive in WSO2), with characters Datadog does not keep replaced by `_`.
 */
export function tagsOf(o: Observation, config: MappingConfig, global: readonly string[]): string[] {
  const allowed = allowList(config.tags, o.metric);
  const tags: string[] = [];
  for (const name of DATADOG_METRICS[o.metric].tags) {
    if (allowed.has(name)) tags.push(`${name}:${tagValue(o.tags[name] ?? 'none')}`);
  }
  return [...tags, ...global];
}

/** Allow-lists as sets, built once per config (tagsOf runs for every observation). */
const allowLists = new WeakMap<MappingConfig['tags'], Map<DatadogMetric, ReadonlySet<string>>>();

function allowList(tags: MappingConfig['tags'], metric: DatadogMetric): ReadonlySet<string> {
  let sets = allowLists.get(tags);
  if (sets === undefined) {
    sets = new Map();
    allowLists.set(tags, sets);
  }
  let set = sets.get(metric);
  if (set === undefined) {
    set = new Set<string>(tags[metric] ?? DATADOG_METRICS[metric].defaultTags);
    sets.set(metric, set);
  }
  return set;
}

/** Datadog keeps letters, digits, `_ - : . /`; tags are at most 200 characters. */
export function tagValue(value: string): string {
  const clean = value.replace(/[^\p{L}\p{N}_\-:./]/gu, '_');
  return clean === '' ? 'none' : clean.slice(0, 190);
}

/** The same tags with every metric tag's value replaced by `other` (cost cap reached). */
export function collapsed(tags: readonly string[], global: readonly string[]): string[] {
  const keep = new Set(global);
  return tags.map((t) => (keep.has(t) ? t : `${t.slice(0, t.indexOf(':'))}:other`));
}

/** The global tags from the config: `env:…`, `service:…`. */
export function globalTags(config: Pick<DatadogConfig, 'env' | 'service'>): string[] {
  const tags: string[] = [];
  if (config.env !== undefined) tags.push(`env:${tagValue(config.env)}`);
  if (config.service !== undefined) tags.push(`service:${tagValue(config.service)}`);
  return tags;
}

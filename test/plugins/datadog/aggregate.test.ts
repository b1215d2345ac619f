import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { Aggregator } from '../../../plugins/datadog/aggregate.js';
import { classifyOutcome, rateLimitDelay } from '../../../plugins/datadog/classify.js';
import type { DatadogConfig } from '../../../plugins/datadog/config.js';
import { DatadogConfigSchema } from '../../../plugins/datadog/index.js';
import { type Observation, observe, tagsOf, tagValue } from '../../../plugins/datadog/mapping.js';
import { DATADOG_METRICS } from '../../../plugins/datadog/metrics.js';
import { distributionPayload, seriesPayloads } from '../../../plugins/datadog/payload.js';
import type { CanonicalEvent } from '../../../src/schema/event.js';
import { testEvent } from '../../doubles/plugins.js';

const NOW = Date.parse('2026-01-01T12:00:00Z');
const config = (overrides: Partial<DatadogConfig> = {}): DatadogConfig => ({
  ...(Value.Default(DatadogConfigSchema, {}) as DatadogConfig),
  ...overrides,
});
const at = (iso: string, overrides: Partial<CanonicalEvent> = {}) =>
  testEvent(1, {
    requestTimestamp: iso,
    apiVersion: '1.0',
    apiMethod: 'GET',
    apiResourceTemplate: '/x',
    proxyResponseCode: 200,
    responseLatency: 12,
    ...overrides,
  });

describe('datadog mapping', () => {
  it('observes a response: a request, latencies, no error', () => {
    const out: Observation[] = [];
    observe(
      at('2026-01-01T11:59:00.000Z', {
        backendLatency: 5,
        requestMediationLatency: 1,
        responseMediationLatency: 2,
      }),
      out,
    );
    expect(out.map((o) => [o.metric, o.value])).toEqual([
      ['requests', 1],
      ['latency.response', 12],
      ['latency.backend', 5],
      ['latency.mediation', 1],
      ['latency.mediation', 2],
    ]);
  });

  it('observes a faulty event as a request and an error, and AI tokens by type', () => {
    const out: Observation[] = [];
    observe(
      at('2026-01-01T11:59:00.000Z', {
        eventType: 'faulty',
        errorType: 'AUTH',
        errorCode: 900901,
        responseLatency: undefined,
      }),
      out,
    );
    expect(out.map((o) => o.metric)).toEqual(['requests', 'errors']);
    out.length = 0;
    observe(
      at('2026-01-01T11:59:00.000Z', {
        properties: {
          aiMetadata: { vendorName: 'OpenAI', model: 'gpt-4o' },
          aiTokenUsage: { promptTokens: 7, completionTokens: 3, totalTokens: 14 },
        },
      }),
      out,
    );
    expect(
      out.filter((o) => o.metric.startsWith('ai.')).map((o) => [o.metric, o.tags.token_type, o.value]),
    ).toEqual([
      ['ai.requests', undefined, 1],
      ['ai.latency', undefined, 12],
      ['ai.tokens', 'prompt', 7],
      ['ai.tokens', 'completion', 3],
      // Tokens in totalTokens only (reasoning, cached): the types add up to WSO2's total.
      ['ai.tokens', 'other', 4],
    ]);
  });

  it('counts no `other` tokens when totalTokens is absent or not above prompt + completion', () => {
    const tokens = (usage: Record<string, number>) => {
      const out: Observation[] = [];
      observe(
        at('2026-01-01T11:59:00.000Z', {
          properties: { aiMetadata: { vendorName: 'OpenAI', model: 'm' }, aiTokenUsage: usage },
        }),
        out,
      );
      return out.filter((o) => o.metric === 'ai.tokens').map((o) => [o.tags.token_type, o.value]);
    };
    expect(tokens({ promptTokens: 5, completionTokens: 2 })).toEqual([
      ['prompt', 5],
      ['completion', 2],
    ]);
    expect(tokens({ promptTokens: 5, completionTokens: 2, totalTokens: 7 })).toHaveLength(2);
    expect(tokens({ promptTokens: 5, completionTokens: 2, totalTokens: 6 })).toHaveLength(2);
    expect(tokens({ totalTokens: 9 })).toEqual([['other', 9]]);
  });

  it('makes AI errors countable by vendor and model: event_type and status_code on ai.requests', () => {
    const ai = { aiMetadata: { vendorName: 'Mistral', model: 'large' } };
    const out: Observation[] = [];
    observe(at('2026-01-01T11:59:00.000Z', { proxyResponseCode: 502, properties: ai }), out);
    observe(
      at('2026-01-01T11:59:00.000Z', {
        eventType: 'faulty',
        errorType: 'TARGET_CONNECTIVITY',
        errorCode: 101504,
        proxyResponseCode: 504,
        properties: ai,
      }),
      out,
    );
    const cfg = config();
    expect(out.filter((o) => o.metric === 'ai.requests').map((o) => tagsOf(o, cfg, []))).toEqual([
      ['vendor:Mistral', 'model:large', 'status_code:502', 'event_type:response', 'api:OrdersAPI'],
      ['vendor:Mistral', 'model:large', 'status_code:504', 'event_type:faulty', 'api:OrdersAPI'],
    ]);
  });

  it('fills the opt-in tags from the canonical fields, bounded where the field is open-ended', () => {
    const out: Observation[] = [];
    const fields: Partial<CanonicalEvent> = {
      platform: 'Mac OS X',
      userAgent: 'Chrome',
      destination: 'https://backend.internal:8443/orders',
      targetResponseCode: 503,
      apiCreatorTenantDomain: 'carbon.super',
      apiCreator: 'admin',
      applicationOwner: 'alice',
      regionId: 'eu-west',
      host: { name: 'gw-1' },
      backendLatency: 4,
    };
    observe(at('2026-01-01T11:59:00.000Z', fields), out);
    observe(
      at('2026-01-01T11:59:00.000Z', {
        userAgent: 'MyCustomBot/1.0 (+https://x)',
        destination: 'https://svc:s3cret@backend.internal/v1',
      }),
      out,
    );
    observe(
      at('2026-01-01T11:59:00.000Z', {
        ...fields,
        eventType: 'faulty',
        errorType: 'THROTTLED',
        errorCode: 900803,
        errorMessage: 'Message throttled out for app 7f3a…',
      }),
      out,
    );
    observe(
      at('2026-01-01T11:59:00.000Z', { eventType: 'faulty', errorType: 'GUARDRAIL_FAULT', errorCode: 446 }),
      out,
    );
    observe(at('2026-01-01T11:59:00.000Z', { eventType: 'faulty' }), out);
    const every = Object.fromEntries(
      Object.entries(DATADOG_METRICS).map(([m, spec]) => [m, [...spec.tags]]),
    ) as unknown as DatadogConfig['tags'];
    const cfg = config({ tags: every });
    const tagsOfMetric = (metric: string) =>
      out.filter((o) => o.metric === metric).map((o) => tagsOf(o, cfg, []));
    const [first, unknownClient] = tagsOfMetric('requests');
    expect(first).toEqual(
      expect.arrayContaining([
        'platform:Mac_OS_X',
        'user_agent:Chrome',
        'destination:https://backend.internal:8443/orders',
        'target_status_code:503',
        'tenant:carbon.super',
        'api_creator:admin',
        'application_owner:alice',
        'region:eu-west',
        'gateway_host:gw-1',
      ]),
    );
    expect(unknownClient).toContain('user_agent:Other');
    expect(unknownClient).toContain('gateway_host:none');
    // URL credentials never become a tag value.
    expect(unknownClient?.find((t) => t.startsWith('destination:'))).toBe(
      'destination:https://svc:_redacted__backend.internal/v1',
    );
    // error_message: the code's text, else the error type when a known category, else `other`; never the raw message.
    expect(tagsOfMetric('errors').map((t) => t.find((x) => x.startsWith('error_message:')))).toEqual([
      'error_message:Application_level_throttle_out',
      'error_message:GUARDRAIL_FAULT',
      'error_message:other',
    ]);
    expect(tagsOfMetric('latency.backend')[0]).toContain('destination:https://backend.internal:8443/orders');
    // None of them is on by default.
    for (const o of out)
      expect(tagsOf(o, config(), []).join()).not.toMatch(/platform|user_agent|destination/);
  });

  it('keeps only allow-listed tags, in a fixed order, plus env and service', () => {
    const o: Observation = {
      metric: 'requests',
      tags: { api: 'Pizza API', status_code: '200', user: 'alice' },
      value: 1,
    };
    expect(
      tagsOf(o, config({ tags: { ...config().tags, requests: ['status_code', 'api'] } }), ['env:prod']),
    ).toEqual(['api:Pizza_API', 'status_code:200', 'env:prod']);
    expect(tagValue('')).toBe('none');
  });
});

describe('datadog aggregation', () => {
  it('sums counts per series and bucket and keeps every latency value', () => {
    const agg = new Aggregator(config());
    const batch = [
      at('2026-01-01T11:59:00.100Z'),
      at('2026-01-01T11:59:09.900Z'),
      at('2026-01-01T11:59:10.000Z', { responseLatency: 30 }),
    ];
    const { contribution, refused } = agg.add(batch, NOW);
    expect(refused.size).toBe(0);
    const points = agg.totals([contribution]).filter((p) => p.key.startsWith('requests|'));
    expect(points.map((p) => [p.bucket, p.total])).toEqual([
      [Date.parse('2026-01-01T11:59:00Z') / 1000, 2],
      [Date.parse('2026-01-01T11:59:10Z') / 1000, 1],
    ]);
    const dist = distributionPayload([contribution], agg, 'apim.');
    const response = dist.series.find((s) => s.metric === 'apim.latency.response');
    expect(response?.points).toEqual([
      [Date.parse('2026-01-01T11:59:00Z') / 1000, [12, 12]],
      [Date.parse('2026-01-01T11:59:10Z') / 1000, [30]],
    ]);
  });

  it('sends whole totals: committed flushes plus the pending ones, so a resend is idempotent', () => {
    const agg = new Aggregator(config());
    const first = agg.add([at('2026-01-01T11:59:01.000Z')], NOW).contribution;
    agg.commit(first);
    const second = agg.add(
      [at('2026-01-01T11:59:02.000Z'), at('2026-01-01T11:59:03.000Z')],
      NOW,
    ).contribution;
    const body = seriesPayloads(agg.totals([second]), agg, 'apim.', 3)[0];
    const requests = body?.series.find((s) => s.metric === 'apim.requests');
    expect(requests?.points).toEqual([
      { timestamp: Date.parse('2026-01-01T11:59:00Z') / 1000 + 3, value: 3 },
    ]);
    expect(requests?.type).toBe(1);
    expect(requests?.interval).toBe(10);
  });

  it('refuses events older than an hour or more than ten minutes ahead, with the reason', () => {
    const agg = new Aggregator(config());
    const { contribution, refused } = agg.add(
      [at('2026-01-01T10:59:00.000Z'), at('2026-01-01T12:20:00.000Z'), at('2026-01-01T11:30:00.000Z')],
      NOW,
    );
    expect([...refused.keys()]).toEqual([0, 1]);
    expect(refused.get(0)).toMatch(/older than Datadog accepts \(1 hour\)/);
    expect(refused.get(1)).toMatch(/further ahead than Datadog accepts/);
    expect(contribution.indices).toEqual([2]);
  });

  it('collapses tag sets beyond the per-flush cap to `other` and counts each collapse once', () => {
    const agg = new Aggregator(config({ maxTagSetsPerFlush: 2 }));
    const collapsed: string[] = [];
    agg.onCollapse = (m) => collapsed.push(m);
    const batch = ['A', 'B', 'C', 'D'].map((api) => at('2026-01-01T11:59:00.000Z', { apiName: api }));
    const { contribution } = agg.add(batch, NOW);
    const keys = agg.totals([contribution]).filter((p) => p.key.startsWith('requests|'));
    expect(keys.map((p) => [agg.series(p.key).tags[0], p.total])).toEqual([
      ['api:A', 1],
      ['api:B', 1],
      ['api:other', 2],
    ]);
    expect(collapsed.filter((m) => m === 'requests')).toEqual(['requests']);
    agg.nextFlush(NOW);
    const next = agg.add([at('2026-01-01T11:59:00.000Z', { apiName: 'C' })], NOW).contribution;
    expect(agg.series([...next.counts.keys()][0] as string).tags[0]).toBe('api:C');
  });

  it('does not add the distribution values of an event already sent again', () => {
    const agg = new Aggregator(config());
    const event = at('2026-01-01T11:59:00.000Z');
    const sent = new WeakSet<CanonicalEvent>([event]);
    const { contribution } = agg.add([event], NOW, sent);
    expect(contribution.values.size).toBe(0);
    expect(contribution.counts.size).toBeGreaterThan(0);
  });
});

describe('datadog classification', () => {
  it.each([
    [{ status: 202, message: 'ok' }, 'delivered'],
    [{ status: 429, message: 'slow down', retryAfterMs: 3000 }, 'retryable'],
    [{ status: 503, message: 'unavailable' }, 'retryable'],
    [{ message: 'ECONNRESET' }, 'retryable'],
    [{ status: 403, message: 'Forbidden' }, 'retryable'],
    [{ status: 400, message: 'Invalid metric name' }, 'rejected'],
    [{ status: 413, message: 'Payload too large' }, 'rejected'],
  ])('classifies %j as %s', (outcome, status) => {
    expect(classifyOutcome(outcome).status).toBe(status);
  });

  it("passes a 429's rate-limit reset to the retry layer", () => {
    expect(classifyOutcome({ status: 429, message: 'x', retryAfterMs: 4000 })).toEqual({
      status: 'retryable',
      reason: 'datadog 429: x',
      retryAfterMs: 4000,
    });
    expect(rateLimitDelay(new Headers({ 'x-ratelimit-reset': '4' }))).toBe(4000);
    expect(rateLimitDelay(new Headers({ 'retry-after': '2' }))).toBe(2000);
    expect(rateLimitDelay(new Headers())).toBeUndefined();
  });
});

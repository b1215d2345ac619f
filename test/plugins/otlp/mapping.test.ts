import { describe, expect, it } from 'vitest';
import { LogResources, logRecord, semconvAttributes } from '../../../plugins/otlp/logs.js';
import { type Attrs, type MetricId, metricDefs, observe } from '../../../plugins/otlp/mapping.js';
import { providerName } from '../../../plugins/otlp/semconv.js';
import type { CanonicalEvent } from '../../../src/schema/event.js';

const RESPONSE: CanonicalEvent = {
  eventType: 'response',
  requestTimestamp: '2026-12-07T10:00:00.123Z',
  correlationId: 'c0ffee00-0000-4000-8000-000000000001',
  apiName: 'PizzaShackAPI',
  apiVersion: '1.0.0',
  apiMethod: 'get',
  apiContext: '/pizzashack/1.0.0',
  apiResourceTemplate: '/menu',
  proxyResponseCode: 200,
  keyType: 'PRODUCTION',
  applicationName: 'DefaultApplication',
  userName: 'admin@carbon.super',
  userIp: '10.0.0.7',
  responseLatency: 120,
  backendLatency: 100,
  requestMediationLatency: 12,
  responseMediationLatency: 8,
  responseCacheHit: false,
  properties: {
    responseSize: 2048,
    aiMetadata: { vendorName: 'AzureOpenAI', model: 'gpt-4o-mini', vendorVersion: '2024-06-01' },
    aiTokenUsage: { promptTokens: 30, completionTokens: 12, totalTokens: 42 },
  },
  gateway: { type: 'wso2-apim' },
  host: { name: 'gw-1' },
};

const FAULTY: CanonicalEvent = {
  eventType: 'faulty',
  requestTimestamp: '2026-12-07T10:00:01.000Z',
  correlationId: 'c0ffee00-0000-4000-8000-000000000002',
  apiName: 'PizzaShackAPI',
  apiVersion: '1.0.0',
  proxyResponseCode: 401,
  errorType: 'AUTH',
  errorCode: 900901,
  properties: {},
};

type Seen = { metric: MetricId; attrs: Record<string, string | number>; value: number };

/** Every observation of an event with the attributes its metric keeps (undefined ones left out). */
function observations(event: CanonicalEvent, options = { application: false, user: false }): Seen[] {
  const defs = metricDefs(options);
  const seen: Seen[] = [];
  observe(event, (metric: MetricId, attrs: Attrs, value: number) => {
    const kept: Record<string, string | number> = {};
    for (const name of defs[metric].attributes) {
      const v = attrs[name];
      if (v !== undefined) kept[name] = v;
    }
    seen.push({ metric, attrs: kept, value });
  });
  return seen;
}

describe('otlp mapping: events → observations', () => {
  it('names metrics per the semantic conventions and keeps API-specific ones under apim.', () => {
    const defs = metricDefs({ application: false, user: false });
    expect(Object.values(defs).map((d) => [d.name, d.unit, d.instrument])).toEqual([
      ['apim.requests', '{request}', 'counter'],
      ['http.server.request.duration', 's', 'histogram'],
      ['apim.backend.duration', 's', 'histogram'],
      ['apim.mediation.duration', 's', 'histogram'],
      ['apim.errors', '{error}', 'counter'],
      ['apim.cache.hits', '{request}', 'counter'],
      ['http.server.response.body.size', 'By', 'histogram'],
      ['gen_ai.client.token.usage', '{token}', 'histogram'],
      ['apim.ai.requests', '{request}', 'counter'],
    ]);
  });

  it('makes the observations the Prometheus plugin makes, latencies in seconds, with semconv attributes', () => {
    const api = { 'apim.api.name': 'PizzaShackAPI', 'apim.api.version': '1.0.0' };
    const route = { ...api, 'http.request.method': 'GET', 'http.route': '/menu' };
    const genAi = { 'gen_ai.provider.name': 'azure.ai.openai', 'gen_ai.request.model': 'gpt-4o-mini' };
    expect(observations(RESPONSE)).toEqual([
      {
        metric: 'requests',
        attrs: {
          ...route,
          'http.response.status_code': 200,
          'apim.event.type': 'response',
          'apim.key_type': 'PRODUCTION',
        },
        value: 1,
      },
      { metric: 'requestDuration', attrs: { ...route, 'http.response.status_code': 200 }, value: 0.12 },
      { metric: 'backendDuration', attrs: route, value: 0.1 },
      {
        metric: 'mediationDuration',
        attrs: { ...route, 'apim.mediation.direction': 'request' },
        value: 0.012,
      },
      {
        metric: 'mediationDuration',
        attrs: { ...route, 'apim.mediation.direction': 'response' },
        value: 0.008,
      },
      { metric: 'responseSize', attrs: api, value: 2048 },
      { metric: 'aiRequests', attrs: { ...genAi, 'http.response.status_code': 200 }, value: 1 },
      { metric: 'tokenUsage', attrs: { ...genAi, 'gen_ai.token.type': 'input' }, value: 30 },
      { metric: 'tokenUsage', attrs: { ...genAi, 'gen_ai.token.type': 'output' }, value: 12 },
    ]);
  });

  it('counts a faulty event in requests and errors with error.type, and no latency it does not have', () => {
    const api = { 'apim.api.name': 'PizzaShackAPI', 'apim.api.version': '1.0.0' };
    expect(observations(FAULTY)).toEqual([
      {
        metric: 'requests',
        attrs: { ...api, 'http.response.status_code': 401, 'apim.event.type': 'faulty' },
        value: 1,
      },
      { metric: 'errors', attrs: { ...api, 'error.type': 'AUTH', 'apim.error.code': 900901 }, value: 1 },
    ]);
  });

  it('adds application and user attributes to apim.requests only when asked to', () => {
    const [requests] = observations(RESPONSE, { application: true, user: true });
    expect(requests?.attrs).toMatchObject({
      'apim.application.name': 'DefaultApplication',
      'user.name': 'admin@carbon.super',
    });
    expect(observations(RESPONSE)[0]?.attrs).not.toHaveProperty('user.name');
  });

  it('sends an unknown HTTP method as _OTHER and a cache hit as a hit, not a backend latency', () => {
    const seen = observations({ ...RESPONSE, apiMethod: 'PURGE', responseCacheHit: true, properties: {} });
    expect(seen[0]?.attrs['http.request.method']).toBe('_OTHER');
    expect(seen.map((s) => s.metric)).toEqual([
      'requests',
      'requestDuration',
      'cacheHits',
      'mediationDuration',
      'mediationDuration',
    ]);
  });

  it.each([
    ['OpenAI', 'openai'],
    ['AzureOpenAI', 'azure.ai.openai'],
    ['MistralAI', 'mistral_ai'],
    ['Anthropic', 'anthropic'],
    ['SomeNewVendor', 'somenewvendor'],
  ])('maps the vendor %s to gen_ai.provider.name %s', (vendor, provider) => {
    expect(providerName(vendor)).toBe(provider);
  });
});

describe('otlp mapping: events → log records', () => {
  it('makes one record per event with the request time, semconv and GenAI attributes and every canonical field', () => {
    const resources = new LogResources({ 'service.name': 'gax' });
    const record = logRecord(RESPONSE, resources.of(RESPONSE), Date.parse('2026-12-07T10:00:05Z'));
    expect(record.hrTime).toEqual([Date.parse('2026-12-07T10:00:00Z') / 1000, 123_000_000]);
    expect(record.eventName).toBe('apim.response');
    expect(record.severityNumber).toBe(9);
    expect(record.body).toBe('get /pizzashack/1.0.0 /menu 200');
    expect(record.attributes).toMatchObject({
      'log.record.uid': RESPONSE.correlationId,
      'http.request.method': 'GET',
      'http.route': '/menu',
      'http.response.status_code': 200,
      'user.name': 'admin@carbon.super',
      'client.address': '10.0.0.7',
      'gen_ai.provider.name': 'azure.ai.openai',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.usage.input_tokens': 30,
      'gen_ai.usage.output_tokens': 12,
      correlationId: RESPONSE.correlationId,
      apiName: 'PizzaShackAPI',
      responseLatency: 120,
      properties: RESPONSE.properties,
      gateway: { type: 'wso2-apim' },
    });
    expect(record.attributes).not.toHaveProperty('host');
    expect(record.resource.attributes).toEqual({ 'service.name': 'gax', 'host.name': 'gw-1' });
  });

  it('marks a faulty event WARN with error.type and shares one resource per host', () => {
    const resources = new LogResources({ 'service.name': 'gax' });
    const record = logRecord(FAULTY, resources.of(FAULTY), 0);
    expect(record.severityText).toBe('WARN');
    expect(record.eventName).toBe('apim.faulty');
    expect(semconvAttributes(FAULTY)).toEqual({
      'log.record.uid': FAULTY.correlationId,
      'http.response.status_code': 401,
      'error.type': 'AUTH',
    });
    expect(resources.of(FAULTY)).toBe(resources.of({ ...FAULTY, correlationId: 'x' }));
    expect(resources.of(FAULTY).attributes).toEqual({ 'service.name': 'gax' });
  });
});

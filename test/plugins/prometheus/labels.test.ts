/** Opt-in labels (issue 20), `api` on the AI metrics, the AI latency histogram and OpenTelemetry's HTTP histogram. */
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { mappingOptions, metricLayout } from '../../../plugins/prometheus/layout.js';
import {
  type MappingOptions,
  type Observation,
  OPTIONAL_LABELS,
  observe,
} from '../../../plugins/prometheus/mapping.js';
import { create as createPrometheus } from '../../../plugins/prometheus/plugin.js';
import { parseConfig } from '../../../src/config/load.js';
import { errorCodeText, family, USER_AGENT_FAMILIES } from '../../../src/schema/dimensions.js';
import type { CanonicalEvent } from '../../../src/schema/event.js';
import { silentLogger } from '../../../src/telemetry/logger.js';
import { testEvent } from '../../doubles/plugins.js';

function config(yaml = '') {
  const loaded = parseConfig(`inputs: [{ paths: [x.log] }]\nplugins:\n  prometheus:\n${yaml}`, { env: {} });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  return loaded.config.plugins.prometheus;
}

const ALL_ON = `    labels: { ${Object.values(OPTIONAL_LABELS)
  .map((k) => `${k}: true`)
  .join(', ')} }\n`;

function observations(event: CanonicalEvent, options: MappingOptions): Observation[] {
  const out: Observation[] = [];
  observe(event, options, (metric, labels, value) => out.push({ metric, labels: { ...labels }, value }));
  return out;
}

async function expose(events: readonly CanonicalEvent[], yaml: string, registry = new Registry()) {
  const plugin = createPrometheus(config(yaml), {
    id: 'prometheus',
    logger: silentLogger(),
    registry,
    stateDir: '/nonexistent',
  });
  await plugin.start(new AbortController().signal);
  await plugin.send(events, new AbortController().signal);
  const text = await registry.metrics();
  await plugin.stop(Date.now() + 1000);
  return text;
}

const response = testEvent(1, {
  apiName: 'PizzaShackAPI',
  apiContext: '/pizzashack/1.0.0',
  apiResourceTemplate: '/menu',
  apiMethod: 'GET',
  proxyResponseCode: 502,
  targetResponseCode: 502,
  responseLatency: 40,
  backendLatency: 30,
  destination: 'https://bob:secret@backend.internal/api/',
  platform: 'Mac OS X',
  userAgent: 'SomeBrowserNobodyKnows',
  apiCreatorTenantDomain: 'carbon.super',
  regionId: 'eu-west',
  apiCreator: 'admin',
  applicationOwner: 'alice',
});

describe('opt-in labels', () => {
  it('are absent by default, and every metric keeps its old labels', () => {
    const layout = metricLayout(config());
    const requests = layout.find((l) => l.metric === 'apim_requests_total');
    expect(requests?.names).toEqual([
      'api',
      'api_version',
      'method',
      'resource',
      'status_code',
      'event_type',
      'key_type',
    ]);
    expect(layout.find((l) => l.metric === 'apim_errors_total')?.names).not.toContain('error_message');
    expect(layout.some((l) => l.name === 'http_server_request_duration_seconds')).toBe(false);
    const labels = observations(response, mappingOptions(config()))[0]?.labels;
    expect(labels).not.toHaveProperty('destination');
    expect(labels).not.toHaveProperty('user_agent');
  });

  it('are set with bounded values when on: families, redacted destination, no free text', () => {
    const out = observations(response, mappingOptions(config(ALL_ON)));
    expect(out[0]?.labels).toMatchObject({
      platform: 'Mac OS X',
      user_agent: 'Other',
      destination: 'https://bob:<redacted>@backend.internal/api/',
      target_status_code: '502',
      tenant: 'carbon.super',
      region: 'eu-west',
      api_creator: 'admin',
      application_owner: 'alice',
    });
    const fault = testEvent(2, {
      eventType: 'faulty',
      errorType: 'THROTTLED',
      errorCode: 900803,
      errorMessage: 'free text: user alice@example.com exceeded 10 rpm',
    });
    const errors = observations(fault, mappingOptions(config(ALL_ON))).find(
      (o) => o.metric === 'apim_errors_total',
    );
    expect(errors?.labels.error_message).toBe('Application level throttle out');
  });

  it('reduce error codes to their WSO2 text, unknown codes to the fault category or other', () => {
    expect(errorCodeText(900901, 'AUTH')).toBe('Invalid credentials');
    expect(errorCodeText(101504, 'TARGET_CONNECTIVITY')).toBe('Connection timed out');
    expect(errorCodeText(303001, 'TARGET_CONNECTIVITY')).toBe('Address endpoint not ready');
    expect(errorCodeText(123456, 'AUTH')).toBe('AUTH');
    expect(errorCodeText(123456, 'made up by someone')).toBe('other');
    expect(errorCodeText(undefined, undefined)).toBe('other');
    expect(family(USER_AGENT_FAMILIES, 'Chrome', 'UNKNOWN')).toBe('Chrome');
    expect(family(USER_AGENT_FAMILIES, 'SomeBrowserNobodyKnows', 'UNKNOWN')).toBe('Other');
    expect(family(USER_AGENT_FAMILIES, undefined, 'UNKNOWN')).toBe('UNKNOWN');
  });

  it('appear on the metrics they mean something on, and stay under the series cap', async () => {
    const events = Array.from({ length: 50 }, (_, i) =>
      testEvent(i, { destination: `http://b${i}.internal/`, backendLatency: 5, responseLatency: 9 }),
    );
    const text = await expose(events, `${ALL_ON}    maxSeriesPerMetric: 10\n`);
    expect(text).toContain('destination="http://b0.internal/"');
    expect(text).toMatch(/apim_backend_duration_seconds_count\{[^}]*destination="http:\/\/b1\.internal\/"/);
    expect(text).toContain('gax_prometheus_series{metric="apim_requests_total"} 10');
    expect(text).toContain('gax_prometheus_series_overflow_total{metric="apim_requests_total"} 40');
  });
});

describe('AI metrics', () => {
  const ai = testEvent(3, {
    apiName: 'OpenAIProxy',
    responseLatency: 1840,
    properties: {
      aiMetadata: { vendorName: 'OpenAI', model: 'o3-mini' },
      aiTokenUsage: { promptTokens: 100, completionTokens: 40, totalTokens: 200 },
    },
  } as Partial<CanonicalEvent>);

  it('carry the api, and the token types sum to totalTokens (the rest is other)', () => {
    const out = observations(ai, {});
    const tokens = out.filter((o) => o.metric === 'apim_ai_tokens_total');
    expect(tokens.map((o) => [o.labels.token_type, o.value])).toEqual([
      ['prompt', 100],
      ['completion', 40],
      ['other', 60],
    ]);
    expect(tokens.every((o) => o.labels.api === 'OpenAIProxy')).toBe(true);
    expect(out.find((o) => o.metric === 'apim_ai_requests_total')?.labels.api).toBe('OpenAIProxy');
    const latency = out.find((o) => o.metric === 'apim_ai_request_duration_seconds');
    expect(latency?.value).toBe(1.84);
    expect(latency?.labels).toMatchObject({ api: 'OpenAIProxy', vendor: 'OpenAI', model: 'o3-mini' });
  });

  it('record no other tokens when totalTokens is absent or not more than prompt + completion', () => {
    const noTotal = testEvent(4, {
      properties: { aiMetadata: { vendorName: 'v', model: 'm' }, aiTokenUsage: { promptTokens: 5 } },
    } as Partial<CanonicalEvent>);
    const types = observations(noTotal, {})
      .filter((o) => o.metric === 'apim_ai_tokens_total')
      .map((o) => o.labels.token_type);
    expect(types).toEqual(['prompt']);
  });
});

describe('OpenTelemetry HTTP semantic conventions (semconv.http)', () => {
  const semconv = '    semconv: { http: true }\n';

  it('exposes http_server_request_duration_seconds with the stable buckets and labels, unprefixed', async () => {
    const fault = testEvent(5, {
      eventType: 'faulty',
      errorType: 'AUTH',
      apiMethod: 'PROPFIND',
      proxyResponseCode: 401,
      responseLatency: 2,
    });
    const ok = testEvent(6, {
      apiMethod: 'GET',
      apiContext: '/orders/1.0',
      apiResourceTemplate: '/orders/{id}',
      proxyResponseCode: 200,
      responseLatency: 7,
    });
    const text = await expose([response, fault, ok], `${semconv}    metricPrefix: gw\n`);
    const bounds = [
      ...text.matchAll(
        /http_server_request_duration_seconds_bucket\{le="([^"]+)",http_request_method="GET",http_response_status_code="200"/g,
      ),
    ].map((m) => m[1]);
    expect(bounds).toEqual([
      '0.005',
      '0.01',
      '0.025',
      '0.05',
      '0.075',
      '0.1',
      '0.25',
      '0.5',
      '0.75',
      '1',
      '2.5',
      '5',
      '7.5',
      '10',
      '+Inf',
    ]);
    expect(text).toContain(
      'http_server_request_duration_seconds_count{http_request_method="GET",http_response_status_code="200",http_route="/orders/1.0/orders/{id}",error_type=""} 1',
    );
    expect(text).toContain(
      'http_server_request_duration_seconds_count{http_request_method="GET",http_response_status_code="502",http_route="/pizzashack/1.0.0/menu",error_type="502"} 1',
    );
    expect(text).toContain(
      'http_server_request_duration_seconds_count{http_request_method="_OTHER",http_response_status_code="401",http_route="",error_type="AUTH"} 1',
    );
    expect(text).toContain('gw_requests_total{');
  });

  it('may be on in one prometheus instance only: the config check and start both refuse a second', async () => {
    const yaml = `inputs: [{ paths: [x.log] }]\nplugins:\n  prometheus: { semconv: { http: true } }\n  prometheus/b: { metricPrefix: b, semconv: { http: true } }\n`;
    const loaded = parseConfig(yaml, { env: {} });
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
    // Reported by check-config (and logged at start) as the metricPrefix clash is, on the later instance.
    expect(loaded.warnings).toContainEqual(
      expect.objectContaining({
        code: 'GAX_ERR_CONFIG_CONFLICT',
        message: expect.stringMatching(/prometheus already enables semconv\.http/),
      }),
    );
    const registry = new Registry();
    const first = createPrometheus(config(semconv), {
      id: 'prometheus',
      logger: silentLogger(),
      registry,
      stateDir: '/x',
    });
    await first.start(new AbortController().signal);
    const second = createPrometheus(config(`${semconv}    metricPrefix: b\n`), {
      id: 'prometheus/b',
      logger: silentLogger(),
      registry,
      stateDir: '/x',
    });
    await expect(second.start(new AbortController().signal)).rejects.toThrow(
      /semconv\.http is already enabled on plugin "prometheus"/,
    );
    await first.stop(Date.now() + 1000);
  });
});

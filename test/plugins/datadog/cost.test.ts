import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import type { DatadogConfig } from '../../../plugins/datadog/config.js';
import { estimateCost, type MetricCost } from '../../../plugins/datadog/cost.js';
import { datadogCost } from '../../../plugins/datadog/describe.js';
import { DatadogConfigSchema } from '../../../plugins/datadog/index.js';
import type { CanonicalEvent } from '../../../src/schema/event.js';
import { testEvent } from '../../doubles/plugins.js';

const config = (overrides: Partial<DatadogConfig> = {}): DatadogConfig => ({
  ...(Value.Default(DatadogConfigSchema, {}) as DatadogConfig),
  ...overrides,
});

/**
 * 2 APIs × 3 platforms × 2 user agents, each API with its own backend (`destination` adds no tag
 * set to `requests` beside `api`), every event a response with a backend latency.
 */
function sample(): CanonicalEvent[] {
  const events: CanonicalEvent[] = [];
  let n = 0;
  for (const api of ['A', 'B'])
    for (const platform of ['Windows', 'Linux', 'Mac OS X'])
      for (const userAgent of ['Chrome', 'Some Unknown Client']) {
        events.push(
          testEvent(n++, {
            apiName: api,
            apiVersion: '1',
            platform,
            userAgent,
            destination: `https://${api}.internal/v1`,
            proxyResponseCode: 200,
            responseLatency: 5,
            backendLatency: 3,
          }),
        );
      }
  return events;
}

const of = (costs: MetricCost[], metric: string) => costs.find((c) => c.metric === metric);
const optIn = (cost: MetricCost | undefined, tag: string) => cost?.optIn?.find((o) => o.tag === tag);

describe('datadog cost estimate of opt-in tags from a sample', () => {
  it('counts what each opt-in tag would add to the default config', () => {
    const costs = estimateCost(config(), sample());
    const requests = of(costs, 'requests');
    // Defaults: api, api_version, method, resource, status_code, event_type → one set per API.
    expect(requests?.tagSets).toBe(2);
    expect(optIn(requests, 'platform')).toEqual({
      tag: 'platform',
      enabled: false,
      values: 3,
      customMetrics: 4,
    });
    // `Some Unknown Client` is bounded to `Other`: still 2 values.
    expect(optIn(requests, 'user_agent')).toEqual({
      tag: 'user_agent',
      enabled: false,
      values: 2,
      customMetrics: 2,
    });
    expect(optIn(requests, 'destination')).toMatchObject({ values: 2, customMetrics: 0 });
    // A distribution costs 10 per tag set: destination adds nothing beside api either.
    expect(optIn(of(costs, 'latency.backend'), 'destination')).toMatchObject({ values: 2, customMetrics: 0 });
    expect(optIn(of(costs, 'latency.backend'), 'method')).toMatchObject({ values: 1, customMetrics: 0 });
    // Default tags are not opt-in tags.
    expect(optIn(requests, 'api')).toBeUndefined();
  });

  it('counts what the opted-in tags add, and includes them in the totals', () => {
    const cfg = config({
      tags: {
        ...config().tags,
        requests: ['api', 'platform', 'user_agent'],
        'latency.backend': ['destination'],
      },
    });
    const costs = estimateCost(cfg, sample());
    const requests = of(costs, 'requests');
    expect(requests?.tags).toEqual(['api', 'platform', 'user_agent']);
    expect(requests?.tagSets).toBe(12);
    expect(requests?.customMetrics).toBe(12);
    // Without platform: 2 APIs × 2 agents = 4 sets, so platform adds 8.
    expect(optIn(requests, 'platform')).toEqual({
      tag: 'platform',
      enabled: true,
      values: 3,
      customMetrics: 8,
    });
    expect(optIn(requests, 'user_agent')).toMatchObject({ enabled: true, customMetrics: 6 });
    const backend = of(costs, 'latency.backend');
    expect(backend?.tagSets).toBe(2);
    expect(backend?.customMetrics).toBe(20);
    // Without destination the distribution has one tag set (10 custom metrics): it adds 10.
    expect(optIn(backend, 'destination')).toMatchObject({ enabled: true, customMetrics: 10 });
  });

  it('shows the opt-in tags on and off in check-config --sample', () => {
    const cfg = config({ tags: { ...config().tags, requests: ['api', 'platform'] } });
    const lines = datadogCost(cfg, {
      id: 'datadog',
      sample: { path: 'x.log', events: sample() },
    });
    const at = lines.findIndex((l) => l.includes('apim.requests'));
    expect(lines[at]).toMatch(/apim\.requests\s+6 tag sets →\s+6 /);
    expect(lines[at + 1]).toBe('      opt-in tags on (values, custom metrics they add): platform 3 +4');
    expect(lines[at + 2]).toContain('user_agent 2 +6');
    expect(lines[at + 2]).toMatch(
      /^ {6}opt-in tags off \(values, custom metrics they would add\): key_type /,
    );
  });

  it('reports no opt-in figures without a sample', () => {
    for (const c of estimateCost(config())) expect(c.optIn).toBeUndefined();
  });
});

import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { Aggregator, type Contribution } from '../../../plugins/datadog/aggregate.js';
import type { DatadogConfig } from '../../../plugins/datadog/config.js';
import { DatadogConfigSchema } from '../../../plugins/datadog/index.js';
import { DATADOG_METRICS, type DatadogMetric } from '../../../plugins/datadog/metrics.js';
import { distributionPayload, seriesPayloads } from '../../../plugins/datadog/payload.js';
import { parseLine } from '../../../src/parsers/wso2-apim/parse.js';
import { createGenerator } from '../../../src/parsers/wso2-apim/sim/generate.js';
import type { CanonicalEvent } from '../../../src/schema/event.js';
import { testEvent } from '../../doubles/plugins.js';
import { ReferenceAggregator } from './reference-aggregate.js';

/**
 * The aggregator (series index, no per-observation objects) against the one it replaced
 * (reference-aggregate.ts: `observe` + `tagsOf` + joined keys), on generated traffic plus edge
 * cases, through the plugin's whole cycle: add batches, totals, payloads, commit, next flush.
 * Everything the plugin sends is derived from what is compared here.
 */
const NOW = Date.parse('2026-01-01T12:00:00Z');
const config = (overrides: Partial<DatadogConfig> = {}): DatadogConfig => ({
  ...(Value.Default(DatadogConfigSchema, {}) as DatadogConfig),
  ...overrides,
});

function generated(lines: number, seed: number): CanonicalEvent[] {
  // 10 events/s starting 50 minutes before NOW: inside Datadog's window, over ~200 buckets.
  const gen = createGenerator({ seed, apis: 50, startTime: NOW - 50 * 60_000, eventsPerSecond: 10 });
  const events: CanonicalEvent[] = [];
  for (let i = 0; i < lines; i++) {
    const parsed = parseLine(gen.next());
    if (parsed.kind === 'event') events.push(parsed.event);
  }
  return events;
}

/** Tag values that normalise alike, are empty, long, odd, missing; values that are not recorded. */
function edgeCases(): CanonicalEvent[] {
  const at = '2026-01-01T11:58:03.250Z';
  const e = (n: number, o: Partial<CanonicalEvent>) =>
    testEvent(n, { requestTimestamp: at, proxyResponseCode: 200, responseLatency: 5, ...o });
  return [
    e(1, { apiName: 'Pizza API' }),
    e(2, { apiName: 'Pizza_API' }),
    e(3, { apiName: 'Pizza\u00a0API', apiVersion: '' }),
    e(4, { apiName: 'x'.repeat(400), apiMethod: 'GET', apiResourceTemplate: '/a/{id}?q=1' }),
    e(5, { apiName: 'Ünïcødé 名前', userName: 'a,b|c', applicationName: 'app one' }),
    e(6, { apiName: 'other', apiVersion: 'other', proxyResponseCode: undefined }),
    e(7, { responseLatency: -1, backendLatency: Number.NaN, requestMediationLatency: 0 }),
    e(8, { responseCacheHit: true, backendLatency: 3, responseMediationLatency: 2 }),
    e(9, { eventType: 'faulty', errorType: 'AUTH', errorCode: 900901 } as Partial<CanonicalEvent>),
    e(10, { eventType: 'faulty' } as Partial<CanonicalEvent>),
    e(11, {
      properties: {
        aiMetadata: { vendorName: 'OpenAI', model: 'gpt 4o' },
        aiTokenUsage: { promptTokens: 0, completionTokens: 9 },
      },
    }),
    e(12, { properties: { aiMetadata: {} } }),
    e(13, { requestTimestamp: '2026-01-01T10:30:00.000Z' }),
    // Opt-in tags: known and unknown user agents, error codes with and without a text, tokens
    // counted only in the total, a faulty AI call, odd destinations and hosts.
    e(15, {
      platform: 'Mac OS X',
      userAgent: 'Chrome',
      destination: 'https://b.internal:8443/v1?x=1',
      targetResponseCode: 503,
      apiCreatorTenantDomain: 'carbon.super',
      apiCreator: 'admin',
      applicationOwner: 'alice',
      regionId: 'eu west',
      host: { name: 'gw-1' },
    }),
    e(16, {
      userAgent: 'SomeBot/1.0',
      platform: '',
      targetResponseCode: -1,
      host: { name: 'gw,2|x' },
      destination: 'http://u:p@b/x',
    }),
    e(17, {
      eventType: 'faulty',
      errorType: 'THROTTLED',
      errorCode: 900803,
      errorMessage: 'raw 7f',
    } as Partial<CanonicalEvent>),
    e(18, { eventType: 'faulty', errorType: 'GUARDRAIL', errorCode: 446 } as Partial<CanonicalEvent>),
    e(19, {
      properties: {
        aiMetadata: { vendorName: 'OpenAI', model: 'o3' },
        aiTokenUsage: { promptTokens: 10, completionTokens: 5, totalTokens: 40 },
      },
    }),
    e(20, {
      eventType: 'faulty',
      errorType: 'TARGET_CONNECTIVITY',
      errorCode: 101504,
      proxyResponseCode: 504,
      properties: { aiMetadata: { vendorName: 'OpenAI', model: 'o3' }, aiTokenUsage: { totalTokens: 3 } },
    } as Partial<CanonicalEvent>),
    e(14, { requestTimestamp: '2026-01-01T12:30:00.000Z' }),
  ];
}

const every = Object.fromEntries(
  Object.entries(DATADOG_METRICS).map(([m, spec]) => [m, [...spec.tags]]),
) as unknown as DatadogConfig['tags'];

const CASES: readonly [string, DatadogConfig][] = [
  ['the default config', config()],
  [
    'every tag, env and service, a tag-set cap that collapses',
    config({
      tags: every,
      env: 'prod east',
      service: 'gw',
      maxTagSetsPerFlush: 40,
    }),
  ],
  [
    'no tags on some metrics, a cap of one',
    config({
      tags: { ...config().tags, requests: [], 'latency.mediation': [], 'ai.tokens': ['token_type'] },
      env: 'e',
      maxTagSetsPerFlush: 1,
    }),
  ],
];

const entries = (c: Contribution) => ({
  counts: [...c.counts].map(([k, b]) => [k, [...b]]),
  values: [...c.values].map(([k, b]) => [k, [...b]]),
  indices: c.indices,
});

describe('datadog aggregation: the series index against the aggregator it replaced', () => {
  const events = [...generated(12_000, 7), ...edgeCases(), ...generated(3_000, 8)];

  it.each(CASES)('gives the same contributions, totals and payloads with %s', (_name, cfg) => {
    const ours = new Aggregator(cfg);
    const ref = new ReferenceAggregator(cfg);
    const collapses: [DatadogMetric[], DatadogMetric[]] = [[], []];
    ours.onCollapse = (m) => collapses[0].push(m);
    ref.onCollapse = (m) => collapses[1].push(m);
    // Every 7th event's values count as already sent (a resent batch): not added again.
    const sent = new WeakSet(events.filter((_, i) => i % 7 === 3));
    let pending: [Contribution[], Contribution[]] = [[], []];
    let refused = 0;
    let points = 0;
    for (let start = 0; start < events.length; start += 500) {
      const batch = events.slice(start, start + 500);
      const a = ours.add(batch, NOW, sent);
      const b = ref.add(batch, NOW, sent);
      expect([...a.refused]).toEqual([...b.refused]);
      expect(entries(a.contribution)).toEqual(entries(b.contribution));
      refused += a.refused.size;
      pending[0].push(a.contribution);
      pending[1].push(b.contribution);
      if (pending[0].length < 4 && start + 500 < events.length) continue;
      // A flush: totals and payloads of what waits, then commit and a new window.
      const totals = ours.totals(pending[0]);
      expect(totals).toEqual(ref.totals(pending[1]));
      points += totals.length;
      expect(seriesPayloads(totals, ours, 'apim.', 3)).toEqual(seriesPayloads(totals, ref, 'apim.', 3));
      expect(distributionPayload(pending[0], ours, 'apim.')).toEqual(
        distributionPayload(pending[1], ref, 'apim.'),
      );
      for (const c of pending[0]) ours.commit(c);
      for (const c of pending[1]) ref.commit(c);
      ours.nextFlush(NOW);
      ref.nextFlush(NOW);
      pending = [[], []];
    }
    expect(collapses[0]).toEqual(collapses[1]);
    // The comparison covered what it is meant to: time refusals, many points, and (capped) collapses.
    expect(refused).toBe(2);
    expect(points).toBeGreaterThan(1000);
    if (cfg.maxTagSetsPerFlush < 100) expect(collapses[0].length).toBeGreaterThan(0);
  });
});

import { v1, v2 } from '@datadog/datadog-api-client';
import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { Aggregator } from '../../../plugins/datadog/aggregate.js';
import type { DatadogConfig } from '../../../plugins/datadog/config.js';
import { DatadogConfigSchema } from '../../../plugins/datadog/index.js';
import { globalTags } from '../../../plugins/datadog/mapping.js';
import { distributionPayload, logItem, logsJson, seriesPayloads } from '../../../plugins/datadog/payload.js';
import { parseLine } from '../../../src/parsers/wso2-apim/parse.js';
import { createGenerator } from '../../../src/parsers/wso2-apim/sim/generate.js';
import type { CanonicalEvent } from '../../../src/schema/event.js';
import { testEvent } from '../../doubles/plugins.js';

/**
 * The request bodies the client builds now (JSON.stringify, logsJson) against the ones the
 * datadog-api-client's API classes built before (ObjectSerializer.serialize + stringify), for
 * bodies of generated traffic: the same JSON values, so the receiver and Datadog get the same data.
 */
const NOW = Date.parse('2026-01-01T12:00:00Z');
const cfg: DatadogConfig = {
  ...(Value.Default(DatadogConfigSchema, {}) as DatadogConfig),
  env: 'prod',
  service: 'gw',
};

function events(): CanonicalEvent[] {
  const gen = createGenerator({ seed: 3, apis: 20, startTime: NOW - 30 * 60_000, eventsPerSecond: 5 });
  const out: CanonicalEvent[] = [];
  for (let i = 0; i < 3000; i++) {
    const parsed = parseLine(gen.next());
    if (parsed.kind === 'event') out.push(parsed.event);
  }
  out.push(testEvent(1, { requestTimestamp: '2026-01-01T11:59:00.000Z', host: { name: 'gw-1' } }));
  return out;
}

const serialized = (json: string): unknown => JSON.parse(json);

describe('datadog request bodies', () => {
  const batch = events();
  const agg = new Aggregator(cfg);
  const { contribution } = agg.add(batch, NOW);

  it('writes v2 series as the client did', () => {
    const bodies = seriesPayloads(agg.totals([contribution]), agg, 'apim.', 1);
    expect(bodies.length).toBeGreaterThan(0);
    for (const body of bodies) {
      const before = v2.ObjectSerializer.serialize(body, 'MetricPayload', '');
      expect(serialized(JSON.stringify(body))).toEqual(
        serialized(v2.ObjectSerializer.stringify(before, 'application/json')),
      );
    }
  });

  it('writes v1 distribution points as the client did', () => {
    const body = distributionPayload([contribution], agg, 'apim.');
    expect(body.series.length).toBeGreaterThan(0);
    const before = v1.ObjectSerializer.serialize(body, 'DistributionPointsPayload', '');
    expect(serialized(JSON.stringify(body))).toEqual(
      serialized(v1.ObjectSerializer.stringify(before, 'text/json')),
    );
  });

  it('writes log items as the client did (additionalProperties as attributes)', () => {
    for (const logs of [
      cfg.logs,
      { ...cfg.logs, source: 'wso2' },
      { ...cfg.logs, format: 'wso2' as const },
    ]) {
      const items = batch.slice(-200).map((e) => logItem(e, { ...cfg, logs }, globalTags(cfg)));
      const before = v2.ObjectSerializer.serialize(items, 'Array<HTTPLogItem>', '');
      const ours = serialized(logsJson(items)) as Record<string, unknown>[];
      expect(ours).toEqual(serialized(v2.ObjectSerializer.stringify(before, 'application/json')));
      expect(ours.at(-1)).toMatchObject({ hostname: 'gw-1', timestamp: Date.parse('2026-01-01T11:59:00Z') });
    }
  });
});

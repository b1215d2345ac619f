import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { describe, expect, it } from 'vitest';
import { Aggregator } from '../../../plugins/otlp/aggregate.js';
import { encodeLogs, encodeMetrics } from '../../../plugins/otlp/client.js';
import { LogResources, logRecord } from '../../../plugins/otlp/logs.js';
import { resourceMetrics } from '../../../plugins/otlp/resource-metrics.js';
import { parseLine } from '../../../src/parsers/wso2-apim/parse.js';
import type { CanonicalEvent } from '../../../src/schema/event.js';
import { expectGolden } from '../../helpers/golden.js';

/** The wire format of the reference fixtures, as OTLP/JSON request bodies (compared as parsed data). */

async function fixtureEvents(): Promise<CanonicalEvent[]> {
  const text = await readFile(
    fileURLToPath(new URL('../../fixtures/wso2-apim/SYNTHETIC_apim_metrics_fixtures.log', import.meta.url)),
    'utf8',
  );
  return text.split('\n').flatMap((line) => {
    const result = parseLine(line);
    return result.kind === 'event' ? [{ ...result.event, host: { name: 'gw-1' } }] : [];
  });
}

const decode = (bytes: Uint8Array): unknown => JSON.parse(new TextDecoder().decode(bytes));
const golden = (name: string) => fileURLToPath(new URL(`golden/${name}`, import.meta.url));

describe('otlp wire format of the reference fixtures', () => {
  it('writes the metrics export request (cumulative, explicit histograms)', async () => {
    const agg = new Aggregator({
      histogram: 'explicit',
      maxBuckets: 160,
      buckets: {
        latency: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
        responseSize: [100, 1000, 10_000, 100_000, 1_000_000, 10_000_000],
      },
      labels: { application: false, user: false },
      maxSeriesPerMetric: 10_000,
    });
    agg.apply(await fixtureEvents());
    const resource = resourceFromAttributes({ 'service.name': 'gax', 'host.name': 'gax-host' });
    const rm = resourceMetrics(
      agg.stores,
      resource,
      'cumulative',
      Date.UTC(2026, 0, 1),
      Date.UTC(2026, 0, 1, 0, 0, 10),
    );
    const request = decode(encodeMetrics(rm, 'json')) as {
      resourceMetrics: { scopeMetrics: { metrics: { name: string }[] }[] }[];
    };
    const names = request.resourceMetrics.flatMap((r) =>
      r.scopeMetrics.flatMap((s) => s.metrics.map((m) => m.name)),
    );
    expect(names).toContain('http.server.request.duration');
    await expectGolden(golden('fixtures-metrics.json'), request);
  });

  it('writes the logs export request (one record per event)', async () => {
    const resources = new LogResources({ 'service.name': 'gax' });
    const events = await fixtureEvents();
    const records = events.map((e) => logRecord(e, resources.of(e), Date.UTC(2026, 0, 1)));
    const request = decode(encodeLogs(records, 'json')) as {
      resourceLogs: { scopeLogs: { logRecords: unknown[] }[] }[];
    };
    const sent = request.resourceLogs.flatMap((r) => r.scopeLogs.flatMap((s) => s.logRecords));
    expect(sent).toHaveLength(events.length);
    await expectGolden(golden('fixtures-logs.json'), request);
  });
});

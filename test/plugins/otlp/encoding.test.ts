import { resourceFromAttributes } from '@opentelemetry/resources';
import { describe, expect, it } from 'vitest';
import { type AggregateSettings, Aggregator } from '../../../plugins/otlp/aggregate.js';
import { encodeLogs, encodeMetrics, partialSuccess, signalUrl } from '../../../plugins/otlp/client.js';
import { LogResources, logRecord } from '../../../plugins/otlp/logs.js';
import { resourceMetrics } from '../../../plugins/otlp/resource-metrics.js';
import { knownLog } from '../../helpers/es-scenario.js';
import { attributes, double, messages, scalar, string } from './wire.js';

const SETTINGS: AggregateSettings = {
  histogram: 'explicit',
  maxBuckets: 160,
  buckets: { latency: [0.01, 0.1, 1], responseSize: [1000] },
  labels: { application: false, user: false },
  maxSeriesPerMetric: 10_000,
};
const log = knownLog(300, { seed: 41, aiRatio: 0.3, variants: false });
const resource = resourceFromAttributes({ 'service.name': 'gax', 'host.name': 'test' });

function metricsOf(
  histogram: 'explicit' | 'exponential',
  temporality: 'cumulative' | 'delta' = 'cumulative',
) {
  const agg = new Aggregator({ ...SETTINGS, histogram });
  agg.apply(log.events);
  return resourceMetrics(agg.stores, resource, temporality, 1_700_000_000_000, 1_700_000_010_000);
}

interface JsonPoint {
  attributes: { key: string; value: Record<string, unknown> }[];
  asInt?: number | string;
  count?: number | string;
  startTimeUnixNano: string;
  timeUnixNano: string;
}
interface JsonMetric {
  name: string;
  unit: string;
  sum?: { aggregationTemporality: number; isMonotonic: boolean; dataPoints: JsonPoint[] };
  histogram?: { dataPoints: JsonPoint[] };
  exponentialHistogram?: { dataPoints: (JsonPoint & { scale: number })[] };
}

describe('otlp encodings', () => {
  it('writes metrics as OTLP/JSON that decodes back to the counts', () => {
    const body = JSON.parse(new TextDecoder().decode(encodeMetrics(metricsOf('explicit'), 'json')));
    const [rm] = body.resourceMetrics;
    expect(rm.resource.attributes).toContainEqual({ key: 'service.name', value: { stringValue: 'gax' } });
    const metrics = rm.scopeMetrics[0].metrics as JsonMetric[];
    const requests = metrics.find((m) => m.name === 'apim.requests');
    expect(requests?.sum?.aggregationTemporality).toBe(2); // CUMULATIVE in the proto enum
    expect(requests?.sum?.isMonotonic).toBe(true);
    const total = requests?.sum?.dataPoints.reduce((n, p) => n + Number(p.asInt), 0);
    expect(total).toBe(log.events.length);
    expect(requests?.sum?.dataPoints[0]?.startTimeUnixNano).toBe('1700000000000000000');
    expect(requests?.sum?.dataPoints[0]?.timeUnixNano).toBe('1700000010000000000');
    const duration = metrics.find((m) => m.name === 'http.server.request.duration');
    expect(duration?.unit).toBe('s');
    expect(duration?.histogram?.dataPoints.length).toBeGreaterThan(0);
    const tokens = metrics.find((m) => m.name === 'gen_ai.client.token.usage');
    const keys = new Set(tokens?.histogram?.dataPoints.flatMap((p) => p.attributes.map((a) => a.key)));
    expect(keys).toEqual(new Set(['gen_ai.provider.name', 'gen_ai.request.model', 'gen_ai.token.type']));
  });

  it('writes delta temporality and exponential histograms in OTLP/JSON', () => {
    const body = JSON.parse(
      new TextDecoder().decode(encodeMetrics(metricsOf('exponential', 'delta'), 'json')),
    );
    const metrics = body.resourceMetrics[0].scopeMetrics[0].metrics as JsonMetric[];
    expect(metrics.find((m) => m.name === 'apim.requests')?.sum?.aggregationTemporality).toBe(1);
    const duration = metrics.find((m) => m.name === 'http.server.request.duration');
    expect(duration?.exponentialHistogram?.dataPoints[0]?.scale).toEqual(expect.any(Number));
  });

  it('writes metrics as OTLP protobuf with the same names and counts', () => {
    const bytes = encodeMetrics(metricsOf('explicit'), 'protobuf');
    const [rm] = messages(bytes, 1); // ExportMetricsServiceRequest.resource_metrics
    const [scope] = messages(rm as Uint8Array, 2); // ResourceMetrics.scope_metrics
    const metrics = messages(scope as Uint8Array, 2); // ScopeMetrics.metrics
    const names = metrics.map((m) => string(m, 1));
    expect(names).toContain('apim.requests');
    expect(names).toContain('gen_ai.client.token.usage');
    const requests = metrics.find((m) => string(m, 1) === 'apim.requests') as Uint8Array;
    const [sum] = messages(requests, 7); // Metric.sum
    expect(scalar(sum as Uint8Array, 2)).toBe(2n); // AGGREGATION_TEMPORALITY_CUMULATIVE
    const points = messages(sum as Uint8Array, 1);
    const total = points.reduce((n, p) => n + Number(scalar(p, 6)), 0); // as_int (sfixed64)
    expect(total).toBe(log.events.length);
    expect(attributes(points[0] as Uint8Array, 7)).toHaveProperty('apim.api.name');
    const duration = metrics.find((m) => string(m, 1) === 'http.server.request.duration') as Uint8Array;
    const [histogram] = messages(duration, 9);
    const hp = messages(histogram as Uint8Array, 1);
    const latencies = log.events.filter((e) => typeof e.responseLatency === 'number');
    expect(hp.reduce((n, p) => n + Number(scalar(p, 4)), 0)).toBe(latencies.length); // count (fixed64)
    const sum5 = hp.reduce((n, p) => n + (double(p, 5) ?? 0), 0);
    expect(sum5).toBeCloseTo(
      latencies.reduce((s, e) => s + (e.responseLatency ?? 0) / 1000, 0),
      6,
    );
  });

  it('writes one log record per event in both encodings, with its uid and attributes', () => {
    const resources = new LogResources({ 'service.name': 'gax' });
    const records = log.events.map((e) => logRecord(e, resources.of(e), 0));
    const json = JSON.parse(new TextDecoder().decode(encodeLogs(records, 'json')));
    const jsonRecords = json.resourceLogs.flatMap((r: { scopeLogs: { logRecords: unknown[] }[] }) =>
      r.scopeLogs.flatMap((s) => s.logRecords),
    ) as { attributes: { key: string; value: { stringValue?: string } }[]; eventName: string }[];
    expect(jsonRecords).toHaveLength(log.events.length);
    const uids = jsonRecords.map(
      (r) => r.attributes.find((a) => a.key === 'log.record.uid')?.value.stringValue,
    );
    expect(uids).toEqual(log.events.map((e) => e.correlationId));

    const bytes = encodeLogs(records, 'protobuf');
    const pbRecords = messages(bytes, 1).flatMap((rl) => messages(rl, 2).flatMap((sl) => messages(sl, 2)));
    expect(pbRecords).toHaveLength(log.events.length);
    const first = pbRecords[0] as Uint8Array;
    expect(attributes(first, 6)['log.record.uid']).toBe(log.events[0]?.correlationId);
    expect(string(first, 12)).toBe(`apim.${log.events[0]?.eventType}`); // LogRecord.event_name
  });

  it('reads partial success from protobuf and JSON answers (int64 as a JSON string too)', () => {
    const message = new TextEncoder().encode('too long');
    const inner = [0x08, 3, 0x12, message.length, ...message];
    const pb = new Uint8Array([0x0a, inner.length, ...inner]);
    expect(partialSuccess('logs', pb, 'protobuf')).toEqual({ rejected: 3, message: 'too long' });
    expect(partialSuccess('metrics', pb, 'protobuf')).toEqual({ rejected: 3, message: 'too long' });
    const json = new TextEncoder().encode('{"partialSuccess":{"rejectedLogRecords":"4","errorMessage":"x"}}');
    expect(partialSuccess('logs', json, 'json')).toEqual({ rejected: 4, message: 'x' });
    expect(partialSuccess('logs', new Uint8Array(), 'protobuf')).toEqual({ rejected: 0, message: '' });
    expect(partialSuccess('logs', new TextEncoder().encode('{}'), 'json')).toEqual({
      rejected: 0,
      message: '',
    });
  });

  it('appends /v1/<signal> to the endpoint unless a signal has its own URL', () => {
    const config = {
      endpoint: 'http://127.0.0.1:4318/',
      metricsEndpoint: undefined,
      logsEndpoint: 'http://x/logs',
    };
    expect(signalUrl(config as never, 'metrics')).toBe('http://127.0.0.1:4318/v1/metrics');
    expect(signalUrl(config as never, 'logs')).toBe('http://x/logs');
  });
});

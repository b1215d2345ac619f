/**
 * OTLP sample requests for the test suite's collector (test/helpers/otelcol.ts), each with the
 * records its readers must return for it: hand-made OTLP/JSON bodies with every AnyValue kind and
 * every data point type but summary, and protobuf bodies serialized by @opentelemetry/otlp-transformer
 * from the SDK's own objects. `n` tells requests apart.
 */
import { ValueType } from '@opentelemetry/api';
import { ProtobufLogsSerializer, ProtobufMetricsSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { AggregationTemporality, DataPointType, type ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { OtlpDataPoint, OtlpLogRecord } from './otelcol.js';

const kv = (key: string, value: unknown) => ({ key, value });
const resource = { attributes: [kv('service.name', { stringValue: 'gax' })] };
const scope = { name: 'gax.test', version: '1.2.3' };
const origin = { resource: { 'service.name': 'gax' }, scope: { ...scope, attributes: {} } };
const T = '1733580000123000000';

/** A JSON ExportLogsServiceRequest with one record of every AnyValue kind; `n` tells requests apart. */
export function jsonLogs(n: number) {
  const record = {
    timeUnixNano: T,
    observedTimeUnixNano: '1733580000124000000',
    severityNumber: 9,
    severityText: 'INFO',
    eventName: 'apim.response',
    traceId: '5b8efff798038103d269b633813fc60c',
    spanId: 'eee19b7ec3c1b174',
    flags: 1,
    body: { kvlistValue: { values: [kv('n', { intValue: String(n) }), kv('raw', { bytesValue: 'AQI=' })] } },
    attributes: [
      kv('s', { stringValue: 'x' }),
      kv('d', { doubleValue: 1.5 }),
      kv('b', { boolValue: false }),
      kv('big', { intValue: '9007199254740993' }),
      kv('list', { arrayValue: { values: [{ stringValue: 'a' }, { intValue: '2' }] } }),
    ],
  };
  const expected: OtlpLogRecord = {
    ...origin,
    timeUnixNano: T,
    observedTimeUnixNano: '1733580000124000000',
    severityNumber: 9,
    severityText: 'INFO',
    eventName: 'apim.response',
    traceId: '5b8efff798038103d269b633813fc60c',
    spanId: 'eee19b7ec3c1b174',
    flags: 1,
    body: { n, raw: Buffer.from([1, 2]) },
    attributes: { s: 'x', d: 1.5, b: false, big: 9007199254740993n, list: ['a', 2] },
  };
  const body = { resourceLogs: [{ resource, scopeLogs: [{ scope, logRecords: [record] }] }] };
  return { body, expected };
}

/** A JSON ExportMetricsServiceRequest: a delta int sum, a gauge, a histogram and an exponential one. */
export function jsonMetrics(n: number) {
  const point = { attributes: [kv('api', { stringValue: 'Pets' })], startTimeUnixNano: '1', timeUnixNano: T };
  const metrics = [
    {
      name: 'requests',
      unit: '1',
      sum: { aggregationTemporality: 1, isMonotonic: true, dataPoints: [{ ...point, asInt: String(n) }] },
    },
    { name: 'queue', description: 'depth', gauge: { dataPoints: [{ ...point, asDouble: 0.25 }] } },
    {
      name: 'latency',
      unit: 's',
      histogram: {
        aggregationTemporality: 2,
        dataPoints: [
          {
            ...point,
            count: '3',
            sum: 0.6,
            min: 0.1,
            max: 0.3,
            bucketCounts: ['1', '2'],
            explicitBounds: [0.15],
          },
        ],
      },
    },
    {
      name: 'size',
      exponentialHistogram: {
        aggregationTemporality: 1,
        dataPoints: [
          {
            ...point,
            count: '2',
            sum: 5,
            scale: 1,
            zeroCount: '0',
            positive: { offset: 2, bucketCounts: ['1', '1'] },
          },
        ],
      },
    },
  ];
  const body = { resourceMetrics: [{ resource, scopeMetrics: [{ scope, metrics }] }] };
  const base = {
    ...origin,
    attributes: { api: 'Pets' },
    startTimeUnixNano: '1',
    timeUnixNano: T,
    description: '',
  };
  const expected: OtlpDataPoint[] = [
    {
      ...base,
      name: 'requests',
      unit: '1',
      type: 'sum',
      temporality: 'delta',
      monotonic: true,
      value: n,
      valueType: 'int',
    },
    {
      ...base,
      name: 'queue',
      description: 'depth',
      unit: '',
      type: 'gauge',
      value: 0.25,
      valueType: 'double',
    },
    {
      ...base,
      name: 'latency',
      unit: 's',
      type: 'histogram',
      temporality: 'cumulative',
      count: 3,
      sum: 0.6,
      min: 0.1,
      max: 0.3,
      bucketCounts: [1, 2],
      explicitBounds: [0.15],
    },
    {
      ...base,
      name: 'size',
      unit: '',
      type: 'exponentialHistogram',
      temporality: 'delta',
      count: 2,
      sum: 5,
      min: undefined,
      max: undefined,
      scale: 1,
      zeroCount: 0,
      zeroThreshold: 0,
      positive: { offset: 2, bucketCounts: [1, 1] },
      negative: { offset: 0, bucketCounts: [] },
    },
  ];
  return { body, expected };
}

/** The same kind of records as the SDK's objects, serialized to protobuf by @opentelemetry/otlp-transformer. */
export function protoLogs(n: number) {
  const record: ReadableLogRecord = {
    hrTime: [1733580000, 123000000],
    hrTimeObserved: [1733580000, 124000000],
    severityNumber: 13,
    severityText: 'WARN',
    body: `proto ${n}`,
    resource: resourceFromAttributes({ 'service.name': 'gax' }),
    instrumentationScope: scope,
    attributes: { n, ok: true },
    droppedAttributesCount: 0,
  };
  const expected: OtlpLogRecord = {
    ...origin,
    timeUnixNano: T,
    observedTimeUnixNano: '1733580000124000000',
    severityNumber: 13,
    severityText: 'WARN',
    eventName: '',
    traceId: '',
    spanId: '',
    flags: 0,
    body: `proto ${n}`,
    attributes: { n, ok: true },
  };
  return { body: ProtobufLogsSerializer.serializeRequest([record]), expected };
}

export function protoMetrics(n: number) {
  const times = {
    startTime: [0, 1] as [number, number],
    endTime: [1733580000, 123000000] as [number, number],
  };
  const request: ResourceMetrics = {
    resource: resourceFromAttributes({ 'service.name': 'gax' }),
    scopeMetrics: [
      {
        scope,
        metrics: [
          {
            descriptor: { name: 'events', description: 'events', unit: '{event}', valueType: ValueType.INT },
            aggregationTemporality: AggregationTemporality.CUMULATIVE,
            dataPointType: DataPointType.SUM,
            isMonotonic: true,
            dataPoints: [{ ...times, attributes: { outcome: 'delivered' }, value: n }],
          },
        ],
      },
    ],
  };
  const expected: OtlpDataPoint = {
    ...origin,
    name: 'events',
    description: 'events',
    unit: '{event}',
    attributes: { outcome: 'delivered' },
    startTimeUnixNano: '1',
    timeUnixNano: T,
    type: 'sum',
    temporality: 'cumulative',
    monotonic: true,
    value: n,
    valueType: 'int',
  };
  return { body: ProtobufMetricsSerializer.serializeRequest(request), expected };
}

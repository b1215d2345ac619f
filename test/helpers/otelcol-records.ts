/**
 * Reads what the test suite's OpenTelemetry Collector (test/helpers/otelcol.ts) wrote with its file
 * exporter (`format: json`: one OTLP/JSON export request a line, as the collector's pdata marshals
 * it) and flattens it: one record per log record, one per metric data point, each carrying its
 * resource and scope, every OTLP AnyValue as a plain JS value.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** An OTLP AnyValue as plain JS: int64 as number (bigint past 2^53), bytes as Buffer, kvlist as object. */
export type OtlpValue = string | number | bigint | boolean | Buffer | null | OtlpValue[] | OtlpAttributes;
/** OTLP KeyValue list as an object. */
export type OtlpAttributes = { [key: string]: OtlpValue };

/** Where a record came from: its resource's and its instrumentation scope's identity. */
export interface OtlpOrigin {
  resource: OtlpAttributes;
  scope: { name: string; version: string; attributes: OtlpAttributes };
}

/** One log record. Unset fields take OTLP's zero values ('0', '', 0, undefined body). */
export interface OtlpLogRecord extends OtlpOrigin {
  /** Nanoseconds since the epoch as a decimal string (exact). */
  timeUnixNano: string;
  observedTimeUnixNano: string;
  severityNumber: number;
  severityText: string;
  body: OtlpValue | undefined;
  attributes: OtlpAttributes;
  eventName: string;
  /** Hex, '' when unset. */
  traceId: string;
  spanId: string;
  flags: number;
}

export type Temporality = 'delta' | 'cumulative' | 'unspecified';

/** What every data point has: its metric's identity and its own attributes and times. */
export interface OtlpPointBase extends OtlpOrigin {
  name: string;
  description: string;
  unit: string;
  attributes: OtlpAttributes;
  startTimeUnixNano: string;
  timeUnixNano: string;
}

/** A sum's or a gauge's value; `valueType`: `asInt` or `asDouble` on the wire. */
export interface OtlpNumberValue {
  value: number;
  valueType: 'int' | 'double';
}

export interface OtlpSumPoint extends OtlpPointBase, OtlpNumberValue {
  type: 'sum';
  temporality: Temporality;
  monotonic: boolean;
}

export interface OtlpGaugePoint extends OtlpPointBase, OtlpNumberValue {
  type: 'gauge';
}

export interface OtlpHistogramPoint extends OtlpPointBase {
  type: 'histogram';
  temporality: Temporality;
  count: number;
  sum: number | undefined;
  min: number | undefined;
  max: number | undefined;
  bucketCounts: number[];
  explicitBounds: number[];
}

export interface OtlpExponentialHistogramPoint extends OtlpPointBase {
  type: 'exponentialHistogram';
  temporality: Temporality;
  count: number;
  sum: number | undefined;
  min: number | undefined;
  max: number | undefined;
  scale: number;
  zeroCount: number;
  zeroThreshold: number;
  positive: { offset: number; bucketCounts: number[] };
  negative: { offset: number; bucketCounts: number[] };
}

export interface OtlpSummaryPoint extends OtlpPointBase {
  type: 'summary';
  count: number;
  sum: number;
  quantiles: { quantile: number; value: number }[];
}

export type OtlpDataPoint =
  | OtlpSumPoint
  | OtlpGaugePoint
  | OtlpHistogramPoint
  | OtlpExponentialHistogramPoint
  | OtlpSummaryPoint;

// The wire shapes, loosely: pdata omits zero values, int64 are strings, enums are numbers.
type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (typeof v === 'object' && v !== null ? (v as Json) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const nanos = (v: unknown): string => (typeof v === 'string' || typeof v === 'number' ? String(v) : '0');
/** int64/uint64 (a string on the wire) or double (a number, or 'NaN'/'Infinity'). */
const num = (v: unknown): number => (v === undefined ? 0 : Number(v));
const optNum = (v: unknown): number | undefined => (v === undefined ? undefined : Number(v));

/** An OTLP AnyValue as a plain JS value. */
export function anyValue(value: unknown): OtlpValue {
  const v = obj(value);
  if ('stringValue' in v) return str(v.stringValue);
  if ('boolValue' in v) return v.boolValue === true;
  if ('intValue' in v) {
    const big = BigInt(String(v.intValue));
    return Number.isSafeInteger(Number(big)) ? Number(big) : big;
  }
  if ('doubleValue' in v) return Number(v.doubleValue);
  if ('bytesValue' in v) return Buffer.from(str(v.bytesValue), 'base64');
  if ('arrayValue' in v) return arr(obj(v.arrayValue).values).map(anyValue);
  if ('kvlistValue' in v) return attributes(obj(v.kvlistValue).values);
  return null;
}

/** An OTLP KeyValue list as an object. */
export function attributes(list: unknown): OtlpAttributes {
  const out: OtlpAttributes = {};
  for (const kv of arr(list)) out[str(obj(kv).key)] = anyValue(obj(kv).value);
  return out;
}

function origin(resource: unknown, scope: unknown): OtlpOrigin {
  const s = obj(scope);
  return {
    resource: attributes(obj(resource).attributes),
    scope: { name: str(s.name), version: str(s.version), attributes: attributes(s.attributes) },
  };
}

/** Every log record of one ExportLogsServiceRequest (JSON), in order. */
export function flattenLogs(request: unknown): OtlpLogRecord[] {
  const out: OtlpLogRecord[] = [];
  for (const rl of arr(obj(request).resourceLogs)) {
    for (const sl of arr(obj(rl).scopeLogs)) {
      const from = origin(obj(rl).resource, obj(sl).scope);
      for (const raw of arr(obj(sl).logRecords)) {
        const r = obj(raw);
        out.push({
          ...from,
          timeUnixNano: nanos(r.timeUnixNano),
          observedTimeUnixNano: nanos(r.observedTimeUnixNano),
          severityNumber: num(r.severityNumber),
          severityText: str(r.severityText),
          body: r.body === undefined ? undefined : anyValue(r.body),
          attributes: attributes(r.attributes),
          eventName: str(r.eventName),
          traceId: str(r.traceId),
          spanId: str(r.spanId),
          flags: num(r.flags),
        });
      }
    }
  }
  return out;
}

function temporality(v: unknown): Temporality {
  const t = num(v);
  return t === 1 ? 'delta' : t === 2 ? 'cumulative' : 'unspecified';
}

const buckets = (v: unknown): { offset: number; bucketCounts: number[] } => ({
  offset: num(obj(v).offset),
  bucketCounts: arr(obj(v).bucketCounts).map(num),
});

/** The data points of one metric, flattened (the metric's kind is the one key of gauge/sum/…). */
function points(
  base: Omit<OtlpPointBase, 'attributes' | 'startTimeUnixNano' | 'timeUnixNano'>,
  metric: Json,
) {
  const out: OtlpDataPoint[] = [];
  const each = (kind: unknown, build: (p: Json, common: OtlpPointBase) => OtlpDataPoint): void => {
    for (const raw of arr(obj(kind).dataPoints)) {
      const p = obj(raw);
      const common = {
        ...base,
        attributes: attributes(p.attributes),
        startTimeUnixNano: nanos(p.startTimeUnixNano),
        timeUnixNano: nanos(p.timeUnixNano),
      };
      out.push(build(p, common));
    }
  };
  const number = (p: Json): OtlpNumberValue =>
    'asInt' in p
      ? { value: num(p.asInt), valueType: 'int' }
      : { value: num(p.asDouble), valueType: 'double' };
  const { gauge, sum, histogram, exponentialHistogram: exp, summary } = metric;
  each(gauge, (p, c) => ({ ...c, type: 'gauge', ...number(p) }));
  each(sum, (p, c) => ({
    ...c,
    type: 'sum',
    temporality: temporality(obj(sum).aggregationTemporality),
    monotonic: obj(sum).isMonotonic === true,
    ...number(p),
  }));
  each(histogram, (p, c) => ({
    ...c,
    type: 'histogram',
    temporality: temporality(obj(histogram).aggregationTemporality),
    count: num(p.count),
    sum: optNum(p.sum),
    min: optNum(p.min),
    max: optNum(p.max),
    bucketCounts: arr(p.bucketCounts).map(num),
    explicitBounds: arr(p.explicitBounds).map(num),
  }));
  each(exp, (p, c) => ({
    ...c,
    type: 'exponentialHistogram',
    temporality: temporality(obj(exp).aggregationTemporality),
    count: num(p.count),
    sum: optNum(p.sum),
    min: optNum(p.min),
    max: optNum(p.max),
    scale: num(p.scale),
    zeroCount: num(p.zeroCount),
    zeroThreshold: num(p.zeroThreshold),
    positive: buckets(p.positive),
    negative: buckets(p.negative),
  }));
  each(summary, (p, c) => ({
    ...c,
    type: 'summary',
    count: num(p.count),
    sum: num(p.sum),
    quantiles: arr(p.quantileValues).map((q) => ({
      quantile: num(obj(q).quantile),
      value: num(obj(q).value),
    })),
  }));
  return out;
}

/** Every data point of one ExportMetricsServiceRequest (JSON), in order. */
export function flattenMetrics(request: unknown): OtlpDataPoint[] {
  const out: OtlpDataPoint[] = [];
  for (const rm of arr(obj(request).resourceMetrics)) {
    for (const sm of arr(obj(rm).scopeMetrics)) {
      const from = origin(obj(rm).resource, obj(sm).scope);
      for (const raw of arr(obj(sm).metrics)) {
        const m = obj(raw);
        const base = { ...from, name: str(m.name), description: str(m.description), unit: str(m.unit) };
        out.push(...points(base, m));
      }
    }
  }
  return out;
}

/**
 * The export requests in the files of `dir` named `<prefix>.jsonl` and its rotated backups
 * (`<prefix>-<time>-size.jsonl`, which sort before it, oldest first). A last line without its
 * newline that does not parse is a write in progress and left out. Lines are split where a request
 * starts (`{"resourceLogs":` / `{"resourceMetrics":`, never inside a JSON string), so a request
 * whose newline a SIGKILL cut off, followed by the next start's first, still reads as two.
 */
export async function readRequests(dir: string, prefix: string): Promise<unknown[]> {
  const names = (await readdir(dir))
    .filter((n) => n.endsWith('.jsonl') && (n === `${prefix}.jsonl` || n.startsWith(`${prefix}-`)))
    .sort();
  const out: unknown[] = [];
  for (const name of names) {
    const text = await readFile(join(dir, name), 'utf8');
    const complete = text.endsWith('\n');
    const lines = text.split('\n');
    if (complete) lines.pop();
    lines.forEach((line, i) => {
      const parts = line.split(/(?=\{"resource(?:Logs|Metrics)":)/).filter((p) => p !== '');
      parts.forEach((part, j) => {
        const last = !complete && i === lines.length - 1 && j === parts.length - 1;
        try {
          out.push(JSON.parse(part));
        } catch (err) {
          if (last) return;
          throw new Error(`${join(dir, name)} line ${i + 1}: not an OTLP/JSON request (${String(err)})`);
        }
      });
    });
  }
  return out;
}

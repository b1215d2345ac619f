// Baseline for the OTLP pipeline: the plainest OTLP/HTTP log shipper of the same events. It streams
// FILE, finds each metric line's JSON (as json-parse.mjs does), JSON.parses it and builds one log
// record per event as the plugin does (time = requestTimestamp, event name `apim.<type>`, severity
// INFO / WARN for faulty, a one-line body, `log.record.uid` = correlationId, the HTTP attributes,
// every field of the JSON under its own name, objects as maps; resource service.name + host.name),
// serialised by the official `ProtobufLogsSerializer` (@opentelemetry/otlp-transformer, as the
// plugin), 1,000 records per request, gzip, POSTed to ENDPOINT/v1/logs with one request in flight
// (the next one is built meanwhile). No metrics, tailing, canonical events, checkpoints, retries
// or dead letters: the ceiling the pipeline's logs are compared with. A non-2xx answer ends the
// run (exit 1). Prints {"lines","events","requests","seconds"}. Plain JS: no build needed.
import { createReadStream } from 'node:fs';
import { hostname } from 'node:os';
import { parseArgs, promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { ProtobufLogsSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { endpoint: { type: 'string' } },
});
const file = positionals[0];
const { endpoint } = values;
if (file === undefined || endpoint === undefined) {
  process.stderr.write('usage: node bench/baselines/otlp-logs.mjs FILE --endpoint URL\n');
  process.exit(2);
}

const MARK = 'apimMetrics:';
const BATCH = 1000;
const gzipAsync = promisify(gzip);
const counts = { lines: 0, events: 0, requests: 0, seconds: 0 };
const resource = resourceFromAttributes({ 'service.name': 'gax', 'host.name': hostname() });
const scope = { name: 'gax-bench-baseline' };
const url = `${endpoint.replace(/\/+$/, '')}/v1/logs`;
let records = [];
/** The request in flight (at most one). */
let inFlight = Promise.resolve();

const hrTime = (ms) => [Math.floor(ms / 1000), Math.round((ms % 1000) * 1e6)];

/** A JSON value as an OTLP AnyValue (objects as maps). */
function anyValue(value) {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(anyValue);
  const map = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined && v !== null) map[k] = anyValue(v);
  return map;
}

/** The log record of one line, or undefined for a line that is not a metric event. */
function toRecord(line, now) {
  counts.lines++;
  const at = line.indexOf(MARK);
  if (at === -1) return undefined;
  const props = line.indexOf('properties', at);
  const brace = props === -1 ? -1 : line.indexOf('{', props);
  if (brace === -1) return undefined;
  let json;
  try {
    json = JSON.parse(line.slice(brace));
  } catch {
    return undefined;
  }
  counts.events++;
  const eventType = line.startsWith('apim:faulty', at + MARK.length + 1) ? 'faulty' : 'response';
  const attributes = { 'log.record.uid': json.correlationId, eventType };
  if (json.apiMethod !== undefined) attributes['http.request.method'] = String(json.apiMethod).toUpperCase();
  if (json.apiResourceTemplate !== undefined) attributes['http.route'] = json.apiResourceTemplate;
  if (json.proxyResponseCode !== undefined) attributes['http.response.status_code'] = json.proxyResponseCode;
  for (const [key, value] of Object.entries(json)) {
    if (value !== undefined && value !== null) attributes[key] = anyValue(value);
  }
  const time = Date.parse(json.requestTimestamp);
  const faulty = eventType === 'faulty';
  return {
    hrTime: hrTime(Number.isNaN(time) ? now : time),
    hrTimeObserved: hrTime(now),
    severityNumber: faulty ? 13 : 9,
    severityText: faulty ? 'WARN' : 'INFO',
    eventName: `apim.${eventType}`,
    body: [json.apiMethod, json.apiContext ?? json.apiName, json.apiResourceTemplate, json.proxyResponseCode]
      .filter((p) => p !== undefined && p !== '')
      .join(' '),
    resource,
    instrumentationScope: scope,
    attributes,
    droppedAttributesCount: 0,
  };
}

async function post(batch) {
  counts.requests++;
  const body = await gzipAsync(ProtobufLogsSerializer.serializeRequest(batch));
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'gzip' },
    body,
  });
  await response.arrayBuffer();
  if (!response.ok) throw new Error(`POST ${url}: ${response.status}`);
}

/** Waits for the request in flight, then sends the pending records (not awaited: the next is built). */
async function flush() {
  if (records.length === 0) return;
  await inFlight;
  const batch = records;
  records = [];
  inFlight = post(batch);
  inFlight.catch(() => undefined); // awaited by the next flush or at the end; failures surface there
}

const started = performance.now();
let rest = '';
for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
  const text = rest + chunk;
  const now = Date.now();
  let start = 0;
  let end = text.indexOf('\n', start);
  while (end !== -1) {
    const record = toRecord(text.slice(start, end), now);
    if (record !== undefined) records.push(record);
    if (records.length >= BATCH) await flush();
    start = end + 1;
    end = text.indexOf('\n', start);
  }
  rest = text.slice(start);
}
const last = rest.length > 0 ? toRecord(rest, Date.now()) : undefined;
if (last !== undefined) records.push(last);
await flush();
await inFlight;
counts.seconds = (performance.now() - started) / 1000;
process.stdout.write(`${JSON.stringify(counts)}\n`);

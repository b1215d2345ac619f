// Baseline: the json-parse.mjs loop (stream + split + JSON.parse of each metric line) plus the
// gateway metrics of the prometheus plugin written plainly with prom-client: the same nine metrics,
// labels and buckets as plugins/prometheus (mapping.ts), no series cap, no pipeline. Renders
// `registry.metrics()` once at the end. The least work any Node exporter of these metrics does.
// Prints {"lines","events","response","faulty","bad","requests","series","bodyBytes","renderMs"}.
// Plain JS so `node` runs it without a build (prom-client is a dependency of the project).
import { createReadStream } from 'node:fs';
import { Counter, Histogram, Registry } from 'prom-client';

const file = process.argv[2];
if (file === undefined) {
  process.stderr.write('usage: node bench/baselines/prom-client.mjs FILE\n');
  process.exit(2);
}

const registry = new Registry();
const registers = [registry];
const LATENCY = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const SIZE = [100, 1000, 10_000, 100_000, 1_000_000, 10_000_000];
const ROUTE = ['api', 'api_version', 'method', 'resource'];
const API = ['api', 'api_version'];
const counter = (name, labelNames) => new Counter({ name, help: name, labelNames, registers });
const histogram = (name, labelNames, buckets = LATENCY) =>
  new Histogram({ name, help: name, labelNames, buckets, registers });

const requests = counter('apim_requests_total', [...ROUTE, 'status_code', 'event_type', 'key_type']);
const requestDuration = histogram('apim_request_duration_seconds', ROUTE);
const backendDuration = histogram('apim_backend_duration_seconds', ROUTE);
const mediationDuration = histogram('apim_mediation_duration_seconds', [...ROUTE, 'direction']);
const errors = counter('apim_errors_total', [...API, 'error_type', 'error_code']);
const cacheHits = counter('apim_cache_hits_total', API);
const responseSize = histogram('apim_response_size_bytes', API, SIZE);
const aiTokens = counter('apim_ai_tokens_total', ['vendor', 'model', 'token_type']);
const aiRequests = counter('apim_ai_requests_total', ['vendor', 'model', 'status_code']);

const str = (v) => (v === undefined || v === null ? '' : String(v));
const seconds = (v) => typeof v === 'number' && Number.isFinite(v) && v >= 0;
const unquote = (m) => (m.length > 1 && m.startsWith('"') && m.endsWith('"') ? m.slice(1, -1) : m);

function record(e, eventType) {
  const api = str(e.apiName);
  const api_version = str(e.apiVersion);
  const route = { api, api_version, method: str(e.apiMethod), resource: str(e.apiResourceTemplate) };
  const status_code = str(e.proxyResponseCode);
  requests.inc({ ...route, status_code, event_type: eventType, key_type: str(e.keyType) });
  if (eventType === 'faulty') {
    errors.inc({ api, api_version, error_type: str(e.errorType), error_code: str(e.errorCode) });
  }
  if (seconds(e.responseLatency)) requestDuration.observe(route, e.responseLatency / 1000);
  if (e.responseCacheHit === true) cacheHits.inc({ api, api_version });
  else if (seconds(e.backendLatency)) backendDuration.observe(route, e.backendLatency / 1000);
  if (seconds(e.requestMediationLatency)) {
    mediationDuration.observe({ ...route, direction: 'request' }, e.requestMediationLatency / 1000);
  }
  if (seconds(e.responseMediationLatency)) {
    mediationDuration.observe({ ...route, direction: 'response' }, e.responseMediationLatency / 1000);
  }
  const props = e.properties;
  if (props === undefined || props === null) return;
  if (typeof props.responseSize === 'number' && props.responseSize > 0) {
    responseSize.observe({ api, api_version }, props.responseSize);
  }
  const ai = props.aiMetadata;
  if (ai === undefined || ai === null) return;
  const vendor = str(ai.vendorName);
  const model = unquote(str(ai.model));
  aiRequests.inc({ vendor, model, status_code });
  const usage = props.aiTokenUsage;
  if (usage?.promptTokens > 0) aiTokens.inc({ vendor, model, token_type: 'prompt' }, usage.promptTokens);
  if (usage?.completionTokens > 0) {
    aiTokens.inc({ vendor, model, token_type: 'completion' }, usage.completionTokens);
  }
}

const MARK = 'apimMetrics:';
const counts = { lines: 0, events: 0, response: 0, faulty: 0, bad: 0 };

function parseLine(line) {
  counts.lines++;
  const at = line.indexOf(MARK);
  if (at === -1) return;
  const props = line.indexOf('properties', at);
  const brace = props === -1 ? -1 : line.indexOf('{', props);
  if (brace === -1) {
    counts.bad++;
    return;
  }
  let event;
  try {
    event = JSON.parse(line.slice(brace));
  } catch {
    counts.bad++;
    return;
  }
  counts.events++;
  const faulty = line.startsWith('apim:faulty', at + MARK.length + 1);
  if (faulty) counts.faulty++;
  else counts.response++;
  record(event, faulty ? 'faulty' : 'response');
}

let rest = '';
for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
  const text = rest + chunk;
  let start = 0;
  let end = text.indexOf('\n', start);
  while (end !== -1) {
    parseLine(text.slice(start, end));
    start = end + 1;
    end = text.indexOf('\n', start);
  }
  rest = text.slice(start);
}
if (rest.length > 0) parseLine(rest);

const rendering = performance.now();
const body = await registry.metrics();
const renderMs = Number((performance.now() - rendering).toFixed(1));
const series = (await requests.get()).values.length;
const total = (await requests.get()).values.reduce((sum, v) => sum + v.value, 0);
process.stdout.write(
  `${JSON.stringify({ ...counts, requests: total, series, bodyBytes: Buffer.byteLength(body), renderMs })}\n`,
);

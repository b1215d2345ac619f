// Baseline for the Elasticsearch pipeline: the simplest loader of the same documents. It streams
// FILE, finds each metric line's JSON (as json-parse.mjs does), JSON.parses it and bulk-`create`s
// `{ "@timestamp": requestTimestamp, eventType, ...properties }` with the plugin's `_id`
// (`<eventType>:<correlationId>`) into `<prefix>_response` / `<prefix>_faulty`: 1,000 documents
// per request (the pipeline's batchMaxEvents), 2 requests in flight (the plugin's concurrency),
// gzip, through the client library the plugin uses (@elastic/elasticsearch, its retries off).
// No tailing, canonical events, checkpoints, retries or dead letters: the ceiling the pipeline is
// compared with. The harness installs the plugin's index templates for `<prefix>` before the run
// (untimed). A bulk response with errors ends the run (exit 1). At the end `_refresh` + `_count`.
// Prints {"lines","events","indexed","requests","seconds"}. Plain JS: no build needed.
import { createReadStream } from 'node:fs';
import { parseArgs } from 'node:util';
import { Client } from '@elastic/elasticsearch';
import { countDocs } from '../drivers/es-count.mjs';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { node: { type: 'string' }, prefix: { type: 'string' } },
});
const file = positionals[0];
const { node, prefix } = values;
if (file === undefined || node === undefined || prefix === undefined) {
  process.stderr.write('usage: node bench/baselines/es-bulk.mjs FILE --node URL --prefix PREFIX\n');
  process.exit(2);
}

const MARK = 'apimMetrics:';
const BATCH = 1000;
const IN_FLIGHT = 2;
const counts = { lines: 0, events: 0, indexed: 0, requests: 0, seconds: 0 };
const client = new Client({ node, compression: true, maxRetries: 0 });
const inFlight = new Set();
let body = '';
let docs = 0;

/** The bulk NDJSON of one line, or '' for a line that is not a metric event. */
function toBulk(line) {
  counts.lines++;
  const at = line.indexOf(MARK);
  if (at === -1) return '';
  const props = line.indexOf('properties', at);
  const brace = props === -1 ? -1 : line.indexOf('{', props);
  if (brace === -1) return '';
  let json;
  try {
    json = JSON.parse(line.slice(brace));
  } catch {
    return '';
  }
  counts.events++;
  const type = line.startsWith('apim:faulty', at + MARK.length + 1) ? 'faulty' : 'response';
  const action = { create: { _index: `${prefix}_${type}`, _id: `${type}:${json.correlationId}` } };
  return `${JSON.stringify(action)}\n${JSON.stringify({ '@timestamp': json.requestTimestamp, eventType: type, ...json })}\n`;
}

async function post(bulkBody) {
  counts.requests++;
  const answer = await client.transport.request({ method: 'POST', path: '/_bulk', bulkBody });
  if (answer.errors) {
    const item = answer.items.map((i) => Object.values(i)[0]).find((i) => i.error !== undefined);
    throw new Error(`bulk response has errors, e.g. ${JSON.stringify(item?.error)}`);
  }
}

/** Sends the pending documents, keeping at most IN_FLIGHT requests open. */
async function flush() {
  if (docs === 0) return;
  while (inFlight.size >= IN_FLIGHT) await Promise.race(inFlight);
  const request = post(body).finally(() => inFlight.delete(request));
  inFlight.add(request);
  request.catch(() => undefined); // awaited below; failures surface there
  body = '';
  docs = 0;
}

/** Adds a line's document; true when a request is full (then `flush`). */
function add(line) {
  const bulk = toBulk(line);
  if (bulk === '') return false;
  body += bulk;
  docs++;
  return docs >= BATCH;
}

const started = performance.now();
let rest = '';
for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
  const text = rest + chunk;
  let start = 0;
  let end = text.indexOf('\n', start);
  while (end !== -1) {
    if (add(text.slice(start, end))) await flush();
    start = end + 1;
    end = text.indexOf('\n', start);
  }
  rest = text.slice(start);
}
if (rest.length > 0) add(rest);
await flush();
await Promise.all(inFlight);
await client.close();
counts.indexed = await countDocs(node, prefix);
counts.seconds = (performance.now() - started) / 1000;
process.stdout.write(`${JSON.stringify(counts)}\n`);

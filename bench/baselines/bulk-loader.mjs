// Shared by the bulk baselines (es-bulk.mjs for Elasticsearch, os-bulk.mjs for OpenSearch): the
// simplest loader of the pipeline's documents. It streams FILE, finds each metric line's JSON (as
// json-parse.mjs does), JSON.parses it and bulk-`create`s `{ "@timestamp": requestTimestamp,
// eventType, ...properties }` with the plugins' `_id` (`<eventType>:<correlationId>`) into the
// index `indexOf(eventType, requestTimestamp)` names: 1,000 documents per request (the pipeline's
// batchMaxEvents), 2 requests in flight (the plugins' concurrency), each body gzipped at level 1 and
// the answer cut by `filter_path` exactly as the plugins' clients do, sent by `post(request)` with
// the backend's own client library (its retries and its own compression off), which resolves to the
// parsed bulk response. No tailing, canonical events, checkpoints, retries or dead letters: the
// ceiling the pipeline is compared with. A bulk response with errors ends the run (exit 1). At the
// end `_refresh` + `_count` of `<prefix>_*`. Prints {"lines","events","indexed","requests","seconds"}.
import { createReadStream } from 'node:fs';
import { parseArgs, promisify } from 'node:util';
import { constants, gzip } from 'node:zlib';
import { countDocs } from '../drivers/es-count.mjs';

const MARK = 'apimMetrics:';
const BATCH = 1000;
const IN_FLIGHT = 2;
const gzipBody = promisify(gzip);
/** What the plugins send: gzip at level 1, the answer cut to what they read (one item per action). */
const GZIP_OPTIONS = { level: constants.Z_BEST_SPEED };
const QUERYSTRING = { filter_path: 'items.*.status,items.*._index,items.*.error' };
const HEADERS = { 'content-encoding': 'gzip' };

/** `FILE --node URL --prefix PREFIX` of a baseline's command line; exits 2 with `usage` when missing. */
export function loaderArgs(usage) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { node: { type: 'string' }, prefix: { type: 'string' } },
  });
  const file = positionals[0];
  const { node, prefix } = values;
  if (file === undefined || node === undefined || prefix === undefined) {
    process.stderr.write(`usage: ${usage}\n`);
    process.exit(2);
  }
  return { file, node, prefix };
}

/**
 * Loads `file` into `node` (see the header); `indexOf(type, requestTimestamp)` names each
 * document's index, `post({ body, querystring, headers })` sends a `POST /_bulk` (body gzipped),
 * `close()` releases the client at the end.
 */
export async function runBulkLoader({ file, node, prefix, indexOf, post, close }) {
  const counts = { lines: 0, events: 0, indexed: 0, requests: 0, seconds: 0 };
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
    const action = {
      create: { _index: indexOf(type, json.requestTimestamp), _id: `${type}:${json.correlationId}` },
    };
    return `${JSON.stringify(action)}\n${JSON.stringify({ '@timestamp': json.requestTimestamp, eventType: type, ...json })}\n`;
  }

  async function send(bulkBody) {
    counts.requests++;
    const body = await gzipBody(bulkBody, GZIP_OPTIONS);
    const answer = await post({ body, querystring: QUERYSTRING, headers: HEADERS });
    const item = (answer.items ?? []).map((i) => Object.values(i)[0]).find((i) => i.error !== undefined);
    if (item !== undefined) throw new Error(`bulk response has errors, e.g. ${JSON.stringify(item.error)}`);
  }

  /** Sends the pending documents, keeping at most IN_FLIGHT requests open. */
  async function flush() {
    if (docs === 0) return;
    while (inFlight.size >= IN_FLIGHT) await Promise.race(inFlight);
    const request = send(body).finally(() => inFlight.delete(request));
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
  await close();
  counts.indexed = await countDocs(node, prefix);
  counts.seconds = (performance.now() - started) / 1000;
  process.stdout.write(`${JSON.stringify(counts)}\n`);
}

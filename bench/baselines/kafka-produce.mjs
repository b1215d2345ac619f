// Baseline for the Kafka pipeline: the plainest producer of the same records. It streams FILE,
// finds each metric line's JSON (as json-parse.mjs does), JSON.parses it and produces one record
// per event to TOPIC: key = correlationId, value = JSON of `{ eventType, ...properties }`, the
// partition chosen as the plugin chooses it (Java's murmur2 partitioner, `compatibilityPartitioner`,
// modulo the topic's partitions). Same client (@platformatic/kafka) and settings as the plugin:
// idempotent producer, acks=all, lz4, requests of at most 1,000,000 bytes of values, one request in
// flight (the next one is built meanwhile). No tailing, canonical events, checkpoints, retries or
// dead letters: the ceiling the pipeline is compared with.
//
// `--transactional`: the same loop with one Kafka transaction per request (a producer with a
// `transactionalId`: beginTransaction, send, commit): what transactions would cost the plugin.
// `--retry-delay MS` (default 250) and `--retries N` (default 2), the plugin's: how long the client
// waits before it retries a request, and how often; with transactions they matter even without
// faults (bench/README.md, "Kafka and OTLP").
//
// At the end the topic's offsets are counted (Admin API, no record read): without transactions
// every offset is a record; with them each transaction adds one commit marker per partition it
// wrote, so `records` = offsets - markers. Prints {"lines","events","records","offsets",
// "requests","transactions","seconds"}. Plain JS: no build needed.
import { createReadStream } from 'node:fs';
import { parseArgs } from 'node:util';
import { compatibilityPartitioner, ProduceAcks, Producer } from '@platformatic/kafka';
import { countOffsets } from '../drivers/kafka-count.mjs';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    bootstrap: { type: 'string' },
    topic: { type: 'string' },
    transactional: { type: 'boolean', default: false },
    'retry-delay': { type: 'string', default: '250' },
    retries: { type: 'string', default: '2' },
  },
});
const file = positionals[0];
const { bootstrap, topic, transactional } = values;
if (file === undefined || bootstrap === undefined || topic === undefined) {
  process.stderr.write(
    'usage: node bench/baselines/kafka-produce.mjs FILE --bootstrap HOST:PORT --topic TOPIC [--transactional] [--retry-delay MS] [--retries N]\n',
  );
  process.exit(2);
}

const MARK = 'apimMetrics:';
const MAX_REQUEST_BYTES = 1_000_000;
const counts = { lines: 0, events: 0, records: 0, offsets: 0, requests: 0, transactions: 0, seconds: 0 };
const producer = new Producer({
  clientId: 'gax-bench-baseline',
  bootstrapBrokers: [bootstrap],
  idempotent: true,
  acks: ProduceAcks.ALL,
  compression: 'lz4',
  autocreateTopics: false,
  // The plugin's client settings (plugins/kafka/client.ts): timeouts, and the client's own retries.
  connectTimeout: 10_000,
  requestTimeout: 30_000,
  timeout: 30_000,
  retries: Number(values.retries),
  retryDelay: Number(values['retry-delay']),
  ...(transactional ? { transactionalId: `gax-bench-${topic}` } : {}),
});
/** Commit markers written: one per partition of each transaction. */
let markers = 0;
let partitions = 1;
let messages = [];
let bytes = 0;
/** The request in flight (at most one). */
let inFlight = Promise.resolve();

/** The record of one line, or undefined for a line that is not a metric event. */
function toRecord(line) {
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
  const key = Buffer.from(String(json.correlationId));
  const value = Buffer.from(JSON.stringify({ eventType, ...json }));
  return { topic, partition: compatibilityPartitioner(undefined, key) % partitions, key, value };
}

async function produce(batch) {
  counts.requests++;
  if (!transactional) {
    await producer.send({ messages: batch });
    return;
  }
  const transaction = await producer.beginTransaction();
  await transaction.send({ messages: batch });
  await transaction.commit();
  counts.transactions++;
  markers += new Set(batch.map((m) => m.partition)).size;
}

/** Waits for the request in flight, then sends the pending records (not awaited: the next is built). */
async function flush() {
  if (messages.length === 0) return;
  await inFlight;
  const batch = messages;
  messages = [];
  bytes = 0;
  inFlight = produce(batch);
  inFlight.catch(() => undefined); // awaited by the next flush or at the end; failures surface there
}

/** True when `record` would take the pending records past the request size (then `flush` first). */
function full(record) {
  return messages.length > 0 && bytes + record.value.length > MAX_REQUEST_BYTES;
}

function push(record) {
  messages.push(record);
  bytes += record.value.length;
}

const started = performance.now();
const metadata = await producer.metadata({ topics: [topic] });
partitions = metadata.topics.get(topic)?.partitionsCount ?? 1;
let rest = '';
for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
  const text = rest + chunk;
  let start = 0;
  let end = text.indexOf('\n', start);
  while (end !== -1) {
    const record = toRecord(text.slice(start, end));
    if (record !== undefined) {
      if (full(record)) await flush();
      push(record);
    }
    start = end + 1;
    end = text.indexOf('\n', start);
  }
  rest = text.slice(start);
}
const last = rest.length > 0 ? toRecord(rest) : undefined;
if (last !== undefined) {
  if (full(last)) await flush();
  push(last);
}
await flush();
await inFlight;
await producer.close();
counts.offsets = await countOffsets(bootstrap, topic);
counts.records = counts.offsets - markers;
counts.seconds = (performance.now() - started) / 1000;
process.stdout.write(`${JSON.stringify(counts)}\n`);

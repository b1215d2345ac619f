// Pipeline into Kafka: the real daemon (in process, see in-process.mjs) with only the Kafka plugin
// enabled (`brokers` BOOTSTRAP, `topic` TOPIC; every other plugin setting the default: idempotent
// producer, acks=all, lz4, 1 MB of values per request, one request in flight) tails FILE from its
// beginning (pollIntervalMs 50, as tail.mjs) until `--events N` events are delivered, i.e.
// acknowledged by the broker (the daemon's own counts, checked every 5 ms) or, without `--events`,
// nothing new was delivered for `--idle-ms` (default 1000). Then the topic's offsets are counted
// (kafka-count.mjs). Prints {"lines","events","deadLettered","records","seconds","stopSeconds"}:
// `seconds` from daemon start to the last event delivered. Needs `npm run build`.
import { parseArgs } from 'node:util';
import { runUntilDelivered } from './in-process.mjs';
import { countOffsets } from './kafka-count.mjs';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    bootstrap: { type: 'string' },
    topic: { type: 'string' },
    events: { type: 'string' },
    'idle-ms': { type: 'string', default: '1000' },
  },
});
const file = positionals[0];
const { bootstrap, topic } = values;
if (file === undefined || bootstrap === undefined || topic === undefined) {
  process.stderr.write(
    'usage: node bench/drivers/kafka.mjs FILE --bootstrap HOST:PORT --topic TOPIC [--events N] [--idle-ms MS]\n',
  );
  process.exit(2);
}
const expected = values.events === undefined ? undefined : Number(values.events);
const stallMs = expected === undefined ? Number(values['idle-ms']) : 60_000;

const { lines, events, deadLettered, seconds, stopSeconds } = await runUntilDelivered({
  file,
  id: 'kafka',
  plugins: {
    file: { enabled: false },
    prometheus: { enabled: false },
    kafka: { enabled: true, brokers: [bootstrap], topic },
  },
  expected,
  stallMs,
});
const records = await countOffsets(bootstrap, topic);
process.stdout.write(`${JSON.stringify({ lines, events, deadLettered, records, seconds, stopSeconds })}\n`);

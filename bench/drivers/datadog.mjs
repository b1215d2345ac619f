// Pipeline into Datadog: the real daemon (in process, see in-process.mjs) with only the Datadog
// plugin enabled, pointed at a loopback receiver (`url`, `apiKey`, `env` ENV; every other plugin
// setting the default: 10 s buckets, a flush every 10 s or as soon as 8 batches wait), tails FILE
// from its beginning (pollIntervalMs 50, as tail.mjs) until `--events N` events are delivered,
// i.e. the flush carrying them was accepted (the daemon's own counts, checked every 5 ms) or,
// without `--events`, nothing new was delivered for `--idle-ms` (default 12000: one flush
// interval). The receiver's totals are checked by the harness. Prints {"lines","events",
// "deadLettered","seconds","readSeconds","stopSeconds"}: `seconds` from daemon start to the last
// event delivered, `readSeconds` to the last line read. Needs `npm run build`.
import { parseArgs } from 'node:util';
import { runUntilDelivered } from './in-process.mjs';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    url: { type: 'string' },
    'api-key': { type: 'string' },
    env: { type: 'string' },
    events: { type: 'string' },
    'idle-ms': { type: 'string', default: '12000' },
  },
});
const file = positionals[0];
const { url, env } = values;
const apiKey = values['api-key'];
if (file === undefined || url === undefined || apiKey === undefined || env === undefined) {
  process.stderr.write(
    'usage: node bench/drivers/datadog.mjs FILE --url URL --api-key KEY --env TAG [--events N] [--idle-ms MS]\n',
  );
  process.exit(2);
}
const expected = values.events === undefined ? undefined : Number(values.events);
const stallMs = expected === undefined ? Number(values['idle-ms']) : 60_000;

const { lines, events, deadLettered, seconds, readSeconds, stopSeconds } = await runUntilDelivered({
  file,
  id: 'datadog',
  plugins: {
    file: { enabled: false },
    prometheus: { enabled: false },
    datadog: { enabled: true, url, apiKey, env },
  },
  expected,
  stallMs,
});
process.stdout.write(
  `${JSON.stringify({ lines, events, deadLettered, seconds, readSeconds, stopSeconds })}\n`,
);

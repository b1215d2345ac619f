// Pipeline into an OpenTelemetry Collector: the real daemon (in process, see in-process.mjs) with
// only the OTLP plugin enabled (`endpoint` URL; both signals, protobuf, gzip, cumulative explicit
// histograms: the defaults; `exportIntervalMs` `--export-interval-ms`, default 1000 instead of the
// plugin's 10 s: under load the plugin exports as soon as 8 batches wait, the interval only decides
// how long the last, partial group waits) tails FILE from its beginning (pollIntervalMs 50, as
// tail.mjs) until `--events N` events are delivered, i.e. the exports carrying their metrics and
// log records were accepted (the daemon's own counts, checked every 5 ms) or, without `--events`,
// nothing new was delivered for `--idle-ms` (default 3000). The collector's files are checked by
// the harness. Prints {"lines","events","deadLettered","seconds","readSeconds","stopSeconds"}:
// `seconds` from daemon start to the last event delivered, `readSeconds` to the last line read.
// Needs `npm run build`.
import { parseArgs } from 'node:util';
import { runUntilDelivered } from './in-process.mjs';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    endpoint: { type: 'string' },
    events: { type: 'string' },
    'export-interval-ms': { type: 'string', default: '1000' },
    'idle-ms': { type: 'string', default: '3000' },
  },
});
const file = positionals[0];
const { endpoint } = values;
if (file === undefined || endpoint === undefined) {
  process.stderr.write(
    'usage: node bench/drivers/otlp.mjs FILE --endpoint URL [--events N] [--export-interval-ms MS] [--idle-ms MS]\n',
  );
  process.exit(2);
}
const expected = values.events === undefined ? undefined : Number(values.events);
const stallMs = expected === undefined ? Number(values['idle-ms']) : 60_000;

const { lines, events, deadLettered, seconds, readSeconds, stopSeconds } = await runUntilDelivered({
  file,
  id: 'otlp',
  plugins: {
    file: { enabled: false },
    prometheus: { enabled: false },
    otlp: { enabled: true, endpoint, exportIntervalMs: Number(values['export-interval-ms']) },
  },
  expected,
  stallMs,
});
process.stdout.write(
  `${JSON.stringify({ lines, events, deadLettered, seconds, readSeconds, stopSeconds })}\n`,
);

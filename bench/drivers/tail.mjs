// Tail throughput: the real daemon (in process, see in-process.mjs) reads FILE from its beginning
// (pollIntervalMs 50, every other setting the default) and delivers every event to a counting
// plugin. Stops when `--events N` events have arrived or, without `--events` (a `--file` input),
// once nothing new has arrived for `--idle-ms` (default 1000; that wait is part of the wall time).
// Prints {"lines","events","seconds","stopSeconds"}: `seconds` from daemon start to the last event.
// Needs `npm run build`.
import { parseArgs } from 'node:util';
import { startDaemon, waitUntil } from './in-process.mjs';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { events: { type: 'string' }, 'idle-ms': { type: 'string', default: '1000' } },
});
const file = positionals[0];
if (file === undefined) {
  process.stderr.write('usage: node bench/drivers/tail.mjs FILE [--events N] [--idle-ms MS]\n');
  process.exit(2);
}
const expected = values.events === undefined ? undefined : Number(values.events);
// With a known count, a long stall means a bug (the check below then fails); without, it is the end.
const stallMs = expected === undefined ? Number(values['idle-ms']) : 10_000;

let events = 0;
let lastAt;
const started = performance.now();
const tail = await startDaemon({
  file,
  input: { pollIntervalMs: 50 },
  onBatch: (batch, now) => {
    events += batch.length;
    lastAt = now;
  },
});
await waitUntil({
  done: () => expected !== undefined && events >= expected,
  progress: () => events,
  stallMs,
  everyMs: 5,
});
const stopping = performance.now();
await tail.close();
const lines = await tail.linesRead();
const stopSeconds = (performance.now() - stopping) / 1000;
const seconds = ((lastAt ?? performance.now()) - started) / 1000;
process.stdout.write(`${JSON.stringify({ lines, events, seconds, stopSeconds })}\n`);

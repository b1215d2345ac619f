// Tail latency: the delay from a line being appended to a log file to its event reaching a plugin.
// The real daemon (in process, see in-process.mjs) follows an initially empty log in a temp dir with
// the config defaults (poll interval, batch size and wait: nothing tuned for the benchmark), while a
// writer in this process appends generated lines at a fixed rate in `--tick-ms` ticks (one write
// per tick; generating a tick's lines takes ~1.3 µs each, before the write). Append time = when
// the write returned; arrival = when `send` got the event's batch; lines are matched by
// correlationId. Two phases, each with a fresh daemon and file: idle (`--idle-rate`, default 10
// lines/s, for `--idle-seconds` 20; 0 skips it) then loaded (`--rate` 5,000 lines/s for `--seconds`
// 20). Prints {"idle":{…},"loaded":{…},"config":{…}}: per phase the counts (appended, received,
// missing, duplicates, unknown, batches) and p50/p90/p99/max/mean delay in ms; config = the
// daemon's resolved settings that shape latency. Needs `npm run build`.
import { closeSync, openSync, writeSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createGenerator } from '../../dist/src/parsers/wso2-apim/sim/generate.js';
import { startDaemon, waitUntil } from './in-process.mjs';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '5000' },
    seconds: { type: 'string', default: '20' },
    'idle-rate': { type: 'string', default: '10' },
    'idle-seconds': { type: 'string', default: '20' },
    'tick-ms': { type: 'string', default: '10' },
    seed: { type: 'string', default: '1' },
  },
});
const tickMs = Number(values['tick-ms']);
const seed = Number(values.seed);

const CORRELATION_ID = /"correlationId":"([^"]+)"/;
/**
 * The generator's correlationIds start with 32 bits that are a bijection of the line number, so
 * those 8 hex digits are the key. A number, too: a regex capture would keep its whole ~1.1 KB line
 * alive (V8 sliced strings) and grow this process's memory with every line.
 */
const keyOf = (correlationId) => Number.parseInt(correlationId.slice(0, 8), 16);

/** Appends `text` with one write (looping only on a short write). */
function append(fd, text) {
  const data = Buffer.from(text);
  for (let at = 0; at < data.length; ) at += writeSync(fd, data, at, data.length - at);
}

/** Nearest-rank percentile of an ascending array. */
const percentile = (sorted, p) => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)];
const ms = (n) => (n === undefined ? null : Number(n.toFixed(3)));

async function phase(rate, seconds) {
  const count = Math.round(rate * seconds);
  const generator = createGenerator({ seed });
  const index = new Map(); // keyOf(correlationId) → line number
  const appendedAt = new Float64Array(count);
  const arrivedAt = new Float64Array(count).fill(-1);
  const counts = { received: 0, duplicates: 0, unknown: 0, batches: 0 };

  const dir = await mkdtemp(join(tmpdir(), 'gax-bench-latency-'));
  const log = join(dir, 'apim_metrics.log');
  await writeFile(log, '');
  const tail = await startDaemon({
    file: log,
    onBatch: (batch, now) => {
      counts.batches++;
      for (const event of batch) {
        const i = index.get(keyOf(event.correlationId));
        if (i === undefined) counts.unknown++;
        else if (arrivedAt[i] >= 0) counts.duplicates++;
        else {
          arrivedAt[i] = now;
          counts.received++;
        }
      }
    },
  });
  resolved = tail.config;

  const fd = openSync(log, 'a');
  let written = 0;
  const started = performance.now();
  await new Promise((resolve) => {
    const timer = setInterval(() => {
      const due = Math.min(count, Math.floor(((performance.now() - started) / 1000) * rate));
      if (due > written) {
        let text = '';
        for (let i = written; i < due; i++) {
          const line = generator.next();
          const id = CORRELATION_ID.exec(line)?.[1];
          if (id === undefined) throw new Error(`generated line ${i} has no correlationId`);
          index.set(keyOf(id), i);
          text += `${line}\n`;
        }
        append(fd, text);
        appendedAt.fill(performance.now(), written, due);
        written = due;
      }
      if (written === count) {
        clearInterval(timer);
        resolve();
      }
    }, tickMs);
  });
  const writeSeconds = (performance.now() - started) / 1000;
  closeSync(fd);
  await waitUntil({ done: () => counts.received >= count, progress: () => counts.received, stallMs: 10_000 });
  await tail.close();
  await rm(dir, { recursive: true, force: true });

  const delays = [];
  for (let i = 0; i < count; i++) if (arrivedAt[i] >= 0) delays.push(arrivedAt[i] - appendedAt[i]);
  delays.sort((a, b) => a - b);
  const mean = delays.length === 0 ? undefined : delays.reduce((s, d) => s + d, 0) / delays.length;
  return {
    rate,
    seconds,
    writeSeconds: Number(writeSeconds.toFixed(3)),
    appended: written,
    ...counts,
    missing: written - counts.received,
    p50Ms: ms(percentile(delays, 0.5)),
    p90Ms: ms(percentile(delays, 0.9)),
    p99Ms: ms(percentile(delays, 0.99)),
    maxMs: ms(delays.at(-1)),
    meanMs: ms(mean),
  };
}

/** The daemon's resolved config (its defaults), for the settings that shape latency. */
let resolved;
const result = {};
const idleSeconds = Number(values['idle-seconds']);
if (idleSeconds > 0) result.idle = await phase(Number(values['idle-rate']), idleSeconds);
result.loaded = await phase(Number(values.rate), Number(values.seconds));
result.config = {
  pollIntervalMs: resolved.inputs[0].pollIntervalMs,
  batchMaxEvents: resolved.pipeline.batchMaxEvents,
  batchMaxWaitMs: resolved.pipeline.batchMaxWaitMs,
  tickMs,
};
process.stdout.write(`${JSON.stringify(result)}\n`);

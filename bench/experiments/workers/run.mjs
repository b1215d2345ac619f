// One run of one variant (README.md here). Prints one JSON line: lines, events, rejects, wall s
// (from the first read to the last chunk consumed; worker start-up is `readyMs`, not in it), main
// thread and whole-process CPU s, peak RSS MiB, final offset, and the chunks consumed.
//
//   node run.mjs FILE --variant a|b|c|d [--workers N] [--read worker|main] [--encode worker|main]
//        [--format file|bulk] [--sum replay|partial] [--cap N] [--maxlen N] [--render OUT]
//
// a: single thread, parse → prometheus send()      c: workers parse + delta, main applies deltas
// b: workers parse, events back, main send()       d: workers parse, file/bulk text back (or events
//                                                     back and main encodes: --encode main)
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import {
  dist,
  loadFormat,
  mainChunks,
  mainThreadCpuS,
  parseChunk,
  peakRssMiB,
  processCpuS,
  promClient,
  prometheusSettings,
  ranges,
} from './common.mjs';
import { createDeltaApplier } from './delta.mjs';
import { mainEncoders } from './encode.mjs';

const { values: opt, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    variant: { type: 'string', default: 'a' },
    workers: { type: 'string', default: '0' },
    read: { type: 'string', default: 'worker' },
    encode: { type: 'string', default: 'worker' },
    format: { type: 'string', default: 'file' },
    sum: { type: 'string', default: 'replay' },
    cap: { type: 'string', default: '10000' },
    maxlen: { type: 'string', default: '1024' },
    render: { type: 'string' },
  },
});
const file = positionals[0];
if (file === undefined) throw new Error('usage: node run.mjs FILE --variant a|b|c|d ...');
const variant = opt.variant;
const workers =
  variant === 'a' ? 0 : variant === 'd' ? Number(opt.workers) : Math.max(1, Number(opt.workers));
const partialSum = opt.sum === 'partial';
const config = prometheusSettings({ cap: Number(opt.cap), maxLen: Number(opt.maxlen) });

// The consumer of each chunk's result on the main thread, in file order.
let registry;
let plugin;
let applyDelta;
let sunk = 0;
if (variant === 'a' || variant === 'b' || variant === 'c') {
  const { Registry } = await promClient();
  const { silentLogger } = await dist('src/telemetry/logger.js');
  registry = new Registry();
  const { create } = await dist('plugins/prometheus/plugin.js');
  plugin = create(config, { id: 'prometheus', logger: silentLogger(), registry, stateDir: '/nonexistent' });
  await plugin.start();
  if (variant === 'c') applyDelta = await createDeltaApplier(config, registry, 'prometheus', { partialSum });
}
const encodeOnMain = variant === 'd' && opt.encode === 'main';
const mode = { b: 'events', c: 'delta', d: encodeOnMain ? 'events' : opt.format }[variant];

const totals = { lines: 0, events: 0, skips: 0, rejects: 0, chunks: 0, offset: 0 };
function consume(r, worker) {
  if (r.lines > 0 && r.startOffset !== totals.offset) {
    throw new Error(`chunk ${r.seq} starts at ${r.startOffset}, expected ${totals.offset}`);
  }
  if (r.lines > 0) totals.offset = r.endOffset; // the per-chunk acknowledgement point
  totals.lines += r.lines;
  totals.events += r.events;
  totals.skips += r.skips;
  totals.rejects += r.rejects.length;
  totals.chunks++;
  if (variant === 'b') void plugin.send(r.parsed);
  else if (variant === 'c') applyDelta(worker, r.delta);
  else if (encodeOnMain) sunk += mainEncoders[opt.format](r.parsed).length;
  else sunk += r.text.length;
}

let readyMs = 0;
let pool = [];
if (workers > 0) {
  const started = performance.now();
  const workerData = { file, mode, prometheus: config, partialSum };
  // GAX_WORKER_YOUNG_MB: the workers' young generation (V8's default for a worker is smaller
  // than the main thread's, and parsing allocates a lot of short-lived objects).
  const young = process.env.GAX_WORKER_YOUNG_MB;
  const resourceLimits = young === undefined ? undefined : { maxYoungGenerationSizeMb: Number(young) };
  const url = new URL('./worker.mjs', import.meta.url);
  pool = Array.from({ length: workers }, () => new Worker(url, { workerData, resourceLimits }));
  await Promise.all(pool.map((w) => new Promise((ok) => w.once('message', ok))));
  readyMs = performance.now() - started;
}

const cpuMain0 = mainThreadCpuS();
const cpu0 = processCpuS();
const t0 = performance.now();

if (workers === 0) {
  const { format, origin } = await loadFormat();
  const local = variant === 'd' ? '' : undefined;
  for (const chunk of mainChunks(file)) {
    const events = [];
    let text = local;
    const onEvent =
      text === undefined
        ? (p) => events.push(p.event)
        : (p) => {
            text += `${format.eventJson(p, origin.json)}\n`;
          };
    const r = parseChunk(chunk.buf, chunk.length, chunk.startOffset, format, origin, onEvent);
    totals.lines += r.lines;
    totals.events += r.events;
    totals.skips += r.skips;
    totals.rejects += r.rejects.length;
    totals.chunks++;
    totals.offset = chunk.startOffset + chunk.length;
    if (text === undefined) await plugin.send(events);
    else sunk += text.length;
  }
} else {
  await runPool();
}

const wallS = (performance.now() - t0) / 1000;
const mainCpuS = mainThreadCpuS() - cpuMain0;
const totalCpuS = processCpuS() - cpu0;
for (const w of pool) await w.terminate();
if (opt.render !== undefined) writeFileSync(opt.render, await registry.metrics());
process.stdout.write(
  `${JSON.stringify({ ...totals, wallS, mainCpuS, totalCpuS, rssMiB: peakRssMiB(), readyMs, sunk })}\n`,
);

/** Round-robin chunks over the pool, at most 4 per worker in flight, consumed in sequence order. */
function runPool() {
  return new Promise((resolve, reject) => {
    const window = 4 * workers;
    const pending = new Map();
    let next = 0;
    let sent = 0;
    let total = Number.POSITIVE_INFINITY;
    const source = opt.read === 'main' ? mainJobs() : rangeJobs();
    const pump = () => {
      while (sent - next < window) {
        const item = source.next();
        if (item.done) {
          total = sent;
          break;
        }
        const [job, transfer] = item.value;
        pool[sent % workers].postMessage({ seq: sent, ...job }, transfer);
        sent++;
      }
      if (next === total) resolve();
    };
    for (const w of pool) {
      w.on('error', reject);
      w.on('message', (r) => {
        pending.set(r.seq, r);
        try {
          while (pending.has(next)) {
            const ready = pending.get(next);
            pending.delete(next);
            consume(ready, next % workers);
            next++;
          }
        } catch (err) {
          reject(err);
          return;
        }
        pump();
      });
    }
    pump();
  });
}

function* mainJobs() {
  for (const { buf, length, startOffset } of mainChunks(file)) {
    yield [{ buf: buf.buffer, length, startOffset }, [buf.buffer]];
  }
}

function* rangeJobs() {
  for (const [start, end] of ranges(file).ranges) yield [{ start, end }, []];
}

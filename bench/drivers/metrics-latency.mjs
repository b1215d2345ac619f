// Append → visible on /metrics, measured the same way for gax and for mtail (exporters.mjs: each a
// child process following a fresh, initially empty log in a temp dir, with its own defaults).
// This process is the writer and the scraper. A background writer appends generated lines
// (createGenerator with `--apis` 2, one of them an AI API, so /metrics stays small, ~100 KB;
// requestTimestamps from now on, spaced at the rate) at `--rates` lines/s in `--tick-ms` ticks (one
// write per tick). Meanwhile probe lines (generated likewise, then `apiName` LatencyProbe
// and requestTimestamp now) are appended one at a time: after each, GET /metrics (the next GET starts
// `--poll-ms` after the previous response ended: never two at once, and the exporter is not kept
// rendering all the time) until the probes' apim_requests_total samples sum to the probes
// appended; the delay is from the probe's write returning to the end of that response. Then a
// seeded random pause of 20–100 ms (the same sequence for every exporter), and the next probe, for
// `--seconds` per phase (after `--warmup-ms` of background load). A phase fails unless the final
// apim_requests_total sum equals every line appended. Phases run one at a time, so the exporters
// never compete for the CPU, interleaved: for each rate, each exporter (default gax then mtail).
// Prints {"<exporter>":{"<rate>":{…}},"config":{…}}: per phase the counts (probes, background,
// counted), p50/p90/p99/max/mean delay and the median GET in ms.
// Needs `npm run build`; mtail from the Debian package `mtail`.
import { closeSync, openSync, writeSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createGenerator } from '../../dist/src/parsers/wso2-apim/sim/generate.js';
import { gaxConfig, startGax, startMtail } from './exporters.mjs';
import { scrape } from './scrape.mjs';

const { values } = parseArgs({
  options: {
    exporters: { type: 'string', default: 'gax,mtail' },
    rates: { type: 'string', default: '0,5000' },
    seconds: { type: 'string', default: '20' },
    'warmup-ms': { type: 'string', default: '1000' },
    'poll-ms': { type: 'string', default: '5' },
    'tick-ms': { type: 'string', default: '10' },
    apis: { type: 'string', default: '2' },
    seed: { type: 'string', default: '1' },
  },
});
const list = (s) => s.split(',').filter((x) => x !== '');
const exporters = list(values.exporters);
const rates = list(values.rates).map(Number);
const seconds = Number(values.seconds);
const warmupMs = Number(values['warmup-ms']);
const pollMs = Number(values['poll-ms']);
const tickMs = Number(values['tick-ms']);
const apis = Number(values.apis);
const seed = Number(values.seed);
const START = { gax: startGax, mtail: startMtail };
for (const name of exporters) if (START[name] === undefined) throw new Error(`unknown exporter ${name}`);

const PROBE_API = 'LatencyProbe';
const PROBE_SAMPLE = new RegExp(
  `^apim_requests_total\\{[^\\n]*\\bapi="${PROBE_API}"[^\\n]*\\} (\\S+)$`,
  'gm',
);
const ANY_SAMPLE = /^apim_requests_total\{[^\n]*\} (\S+)$/gm;
const sumOf = (text, re) => {
  let sum = 0;
  for (const m of text.matchAll(re)) sum += Number(m[1]);
  return sum;
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** Nearest-rank percentile of an ascending array. */
const percentile = (sorted, p) => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)];
const ms = (n) => (n === undefined ? null : Number(n.toFixed(2)));

/** mulberry32: the pauses between probes are the same for every exporter. */
function random(state) {
  let s = state >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Appends `text` with one write (looping only on a short write). */
function append(fd, text) {
  const data = Buffer.from(text);
  for (let at = 0; at < data.length; ) at += writeSync(fd, data, at, data.length - at);
}

/** Appends generated lines at `rate`/s, one write per tick, until stop(); `written()` counts them. */
function backgroundWriter(fd, rate) {
  if (rate === 0) return { stop: () => undefined, written: () => 0 };
  const generator = createGenerator({ seed, apis, startTime: Date.now(), eventsPerSecond: rate });
  let written = 0;
  const started = performance.now();
  const timer = setInterval(() => {
    const due = Math.floor(((performance.now() - started) / 1000) * rate);
    let text = '';
    for (; written < due; written++) text += `${generator.next()}\n`;
    if (text !== '') append(fd, text);
  }, tickMs);
  return { stop: () => clearInterval(timer), written: () => written };
}

/** GETs `url` until `done(text)`, `pollMs` between GETs; resolves `{ at, getMs }` or throws. */
async function pollUntil(url, done, timeoutMs) {
  const getMs = [];
  const until = performance.now() + timeoutMs;
  for (;;) {
    const r = await scrape(url, { keep: true });
    const at = performance.now();
    if (r.status !== 200) throw new Error(`GET ${url}: ${r.status}`);
    getMs.push(r.ms);
    if (done(r.text)) return { at, getMs };
    if (at > until) throw new Error(`not visible on ${url} within ${timeoutMs} ms`);
    await sleep(pollMs);
  }
}

async function phase(name, rate) {
  const dir = await mkdtemp(join(tmpdir(), 'gax-bench-metrics-latency-'));
  const log = join(dir, 'apim_metrics.log');
  await writeFile(log, '');
  const exporter = await START[name]({ dir, log });
  const url = `${exporter.url}/metrics`;
  const fd = openSync(log, 'a');
  const pause = random(seed);
  const probes = createGenerator({ seed: seed + 1, apis, startTime: Date.now() });
  const delays = [];
  const getMs = [];
  let writer;
  try {
    writer = backgroundWriter(fd, rate);
    await sleep(warmupMs);
    const end = performance.now() + seconds * 1000;
    while (performance.now() < end) {
      const line = probes
        .next()
        .replace(/"apiName":"[^"]*"/, `"apiName":"${PROBE_API}"`)
        .replace(/"requestTimestamp":"[^"]*"/, `"requestTimestamp":"${new Date().toISOString()}"`);
      const expected = delays.length + 1;
      append(fd, `${line}\n`);
      const appended = performance.now();
      const seen = await pollUntil(url, (text) => sumOf(text, PROBE_SAMPLE) >= expected, 10_000);
      delays.push(seen.at - appended);
      getMs.push(...seen.getMs);
      await sleep(20 + pause() * 80);
    }
    writer.stop();
    const total = writer.written() + delays.length;
    let counted = 0;
    await pollUntil(
      url,
      (text) => {
        counted = sumOf(text, ANY_SAMPLE);
        return counted >= total;
      },
      10_000,
    ).catch(() => undefined);
    return summary(rate, delays, getMs, { background: writer.written(), counted });
  } finally {
    writer?.stop();
    closeSync(fd);
    await exporter.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

function summary(rate, delays, getMs, counts) {
  const sorted = [...delays].sort((a, b) => a - b);
  const gets = [...getMs].sort((a, b) => a - b);
  return {
    rate,
    seconds,
    probes: delays.length,
    ...counts,
    p50Ms: ms(percentile(sorted, 0.5)),
    p90Ms: ms(percentile(sorted, 0.9)),
    p99Ms: ms(percentile(sorted, 0.99)),
    maxMs: ms(sorted.at(-1)),
    meanMs: ms(sorted.reduce((s, d) => s + d, 0) / sorted.length),
    gets: gets.length,
    getP50Ms: ms(percentile(gets, 0.5)),
  };
}

const result = Object.fromEntries(exporters.map((name) => [name, {}]));
for (const rate of rates) {
  for (const name of exporters) {
    process.stderr.write(`[metrics-latency] ${name} at ${rate} lines/s for ${seconds} s\n`);
    result[name][rate] = await phase(name, rate);
  }
}
const gax = gaxConfig('unused.log', 'unused').config;
result.config = {
  pollMs,
  tickMs,
  apis,
  gax: {
    pollIntervalMs: gax.inputs[0].pollIntervalMs,
    batchMaxEvents: gax.pipeline.batchMaxEvents,
    batchMaxWaitMs: gax.pipeline.batchMaxWaitMs,
  },
  mtail: { pollInterval: '250ms', pollLogInterval: '250ms' },
};
process.stdout.write(`${JSON.stringify(result)}\n`);

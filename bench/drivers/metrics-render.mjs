// /metrics render time and memory at a given number of series. For each `--series` level (default
// 1000,10000,100000,10000@1000000,10000@1000000:512) this process writes a log to a temp dir and
// runs one child process (itself with `--child`, under --expose-gc) so every level's memory figures
// are its own. A level is `N[@LINES][:HEAP]`: N apim_requests_total label sets; with `@LINES`,
// exactly LINES lines spread over them (the "after 1M lines"; else just enough lines to
// create them); with `:HEAP`, the child runs with `--max-old-space-size=HEAP` (MiB), the setting
// docs/operations.md recommends for a host without a memory limit.
// - the log: generated lines (createGenerator, seed 1, 50 APIs) dealt round-robin to ~N/700
//   copies of the API catalog, `apiName` prefixed `tK.` with K the copy, until the lines hold exactly
//   N distinct label sets of apim_requests_total (the other metrics follow from the traffic:
//   fewer label sets, but histograms of 15 samples each); for `@LINES` generation goes on, a line
//   that would add an (N+1)th label set being skipped, until LINES lines are written;
// - the child: the real daemon in process, prometheus plugin only (`maxEventAge: 0s`,
//   `maxSeriesPerMetric` 1,000,000), HTTP server on 127.0.0.1, tails the log until every event is
//   delivered, checks the plugin's own series gauge, lets the daemon settle (1 s: last batch
//   acknowledged, checkpoint written), GCs (see fullGc), then times `--scrapes` (default 20)
//   consecutive GET /metrics (body counted, not kept) and GCs again.
// Prints {"<level>": {series, totalSeries, lines, ingestSeconds, bodyBytes, getMedianMs, getP95Ms,
// getMaxMs, ingestPeakMiB, rssMiB, heapMiB, heapTotalMiB, externalMiB, rssAfterMiB, heapAfterMiB,
// maxRssMiB, heapLimitMiB, gc}, …}: ingestPeakMiB the child's peak RSS at the end of ingest (no
// forced GC: what a process catching up on a backlog holds); rssMiB, heapMiB (V8 heap in use),
// heapTotalMiB (V8 heap committed) and externalMiB (memory V8 knows of outside its heap) after
// ingest + settle + GC, before any scrape; rssAfterMiB and heapAfterMiB after the scrapes + GC;
// maxRssMiB the child's peak; heapLimitMiB V8's heap size limit. `--cpu-prof-dir DIR` profiles each
// child (ingest and scrapes) into DIR; `--node-option FLAG` (repeatable) passes a flag to every
// child (e.g. `--max-semi-space-size=2` to try V8 settings). Needs `npm run build`.
import { execFileSync } from 'node:child_process';
import { closeSync, openSync, writeSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { getHeapStatistics } from 'node:v8';
import { createGenerator } from '../../dist/src/parsers/wso2-apim/sim/generate.js';

const { values } = parseArgs({
  options: {
    series: { type: 'string', default: '1000,10000,100000,10000@1000000,10000@1000000:512' },
    scrapes: { type: 'string', default: '20' },
    child: { type: 'boolean', default: false },
    file: { type: 'string' },
    events: { type: 'string' },
    'cpu-prof-dir': { type: 'string' },
    'node-option': { type: 'string', multiple: true, default: [] },
  },
});
const MiB = (bytes) => Number((bytes / 2 ** 20).toFixed(1));

/**
 * Writes lines until they hold `series` distinct apim_requests_total label sets; with `total`, goes
 * on until `total` lines are written, skipping each line that would add a label set. Returns counts.
 */
function writeLog(path, series, total) {
  const generator = createGenerator({ seed: 1 });
  const copies = Math.max(1, Math.ceil(series / 700));
  const seen = new Set();
  const fd = openSync(path, 'w');
  let text = '';
  let lines = 0;
  let drawn = 0;
  while (total === undefined ? seen.size < series : lines < total) {
    const copy = drawn++ % copies;
    const line = generator.next().replace('"apiName":"', `"apiName":"t${copy}.`);
    const e = JSON.parse(line.slice(line.indexOf('{')));
    const type = line.includes('apim:faulty') ? 'faulty' : 'response';
    const key = `${e.apiName}\0${e.apiVersion}\0${e.apiMethod ?? ''}\0${e.apiResourceTemplate ?? ''}\0${e.proxyResponseCode ?? ''}\0${type}\0${e.keyType ?? ''}`;
    if (!seen.has(key)) {
      if (seen.size === series) continue;
      seen.add(key);
    }
    lines++;
    text += `${line}\n`;
    if (text.length > 1 << 20) {
      writeSync(fd, text);
      text = '';
    }
  }
  writeSync(fd, text);
  closeSync(fd);
  if (seen.size !== series) throw new Error(`${lines} lines hold ${seen.size} label sets, not ${series}`);
  return { lines, copies };
}

/** `N[@LINES][:HEAP]` → { series, total, heap }. */
function parseLevel(level) {
  const m = /^(\d+)(?:@(\d+))?(?::(\d+))?$/.exec(level);
  if (m === null || !(Number(m[1]) > 0)) throw new Error(`bad --series level ${level}`);
  const number = (text) => (text === undefined ? undefined : Number(text));
  return { series: Number(m[1]), total: number(m[2]), heap: number(m[3]) };
}

async function parent() {
  const prof = values['cpu-prof-dir'];
  const result = {};
  for (const level of values.series.split(',')) {
    const { series, total, heap } = parseLevel(level);
    const dir = await mkdtemp(join(tmpdir(), 'gax-bench-render-'));
    try {
      const log = join(dir, 'apim_metrics.log');
      const { lines, copies } = writeLog(log, series, total);
      const out = execFileSync(
        process.execPath,
        [
          '--expose-gc',
          ...values['node-option'],
          ...(heap === undefined ? [] : [`--max-old-space-size=${heap}`]),
          ...(prof === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', prof]),
          fileURLToPath(import.meta.url),
          '--child',
          '--file',
          log,
          '--events',
          String(lines),
          '--series',
          String(series),
          '--scrapes',
          values.scrapes,
        ],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 20 },
      );
      result[level] = { copies, ...JSON.parse(out) };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

async function child() {
  const { startDaemon, waitUntil } = await import('./in-process.mjs');
  const { scrape } = await import('./scrape.mjs');
  const expected = Number(values.events);
  const started = performance.now();
  const tail = await startDaemon({
    file: values.file,
    input: { pollIntervalMs: 50 },
    server: { enabled: true, host: '127.0.0.1', port: 0 },
    plugins: {
      file: { enabled: false },
      prometheus: { enabled: true, maxEventAge: '0s', maxSeriesPerMetric: 1_000_000 },
    },
  });
  const delivered = () => tail.daemon.counts().prometheus?.delivered ?? 0;
  await waitUntil({ done: () => delivered() >= expected, progress: delivered, stallMs: 30_000, everyMs: 5 });
  const ingestSeconds = (performance.now() - started) / 1000;
  if (delivered() !== expected) throw new Error(`delivered ${delivered()} of ${expected} events`);

  const gauge = await tail.daemon.metrics.registry.getSingleMetric('gax_prometheus_series').get();
  const bySeries = Object.fromEntries(gauge.values.map((v) => [v.labels.metric, v.value]));
  const series = bySeries.apim_requests_total;
  if (series !== Number(values.series)) throw new Error(`apim_requests_total has ${series} series`);
  const overflow = await tail.daemon.metrics.registry
    .getSingleMetric('gax_prometheus_series_overflow_total')
    .get();
  if (overflow.values.some((v) => v.value > 0)) throw new Error('series overflowed maxSeriesPerMetric');

  const ingestPeak = process.resourceUsage().maxRSS * 1024;
  await delay(1000);
  const gc = typeof globalThis.gc === 'function';
  await fullGc();
  const idle = process.memoryUsage();
  const times = [];
  let bodyBytes = 0;
  for (let i = 0; i < Number(values.scrapes); i++) {
    const res = await scrape(`${tail.daemon.url}/metrics`);
    if (res.status !== 200) throw new Error(`GET /metrics: ${res.status}`);
    times.push(res.ms);
    bodyBytes = res.bytes;
  }
  await fullGc();
  const after = process.memoryUsage();
  const maxRss = process.resourceUsage().maxRSS * 1024;
  await tail.close();
  times.sort((a, b) => a - b);
  const rank = (p) => times[Math.max(0, Math.ceil(p * times.length) - 1)]; // nearest rank
  const mid = times.length >> 1;
  const median = times.length % 2 === 1 ? times[mid] : (times[mid - 1] + times[mid]) / 2;
  const ms = (n) => Number(n.toFixed(1));
  process.stdout.write(
    `${JSON.stringify({
      series,
      totalSeries: Object.values(bySeries).reduce((a, b) => a + b, 0),
      lines: expected,
      ingestSeconds: Number(ingestSeconds.toFixed(3)),
      scrapes: times.length,
      bodyBytes,
      getMedianMs: ms(median),
      getP95Ms: ms(rank(0.95)),
      getMaxMs: ms(times.at(-1)),
      ingestPeakMiB: MiB(ingestPeak),
      rssMiB: MiB(idle.rss),
      heapMiB: MiB(idle.heapUsed),
      heapTotalMiB: MiB(idle.heapTotal),
      externalMiB: MiB(idle.external),
      rssAfterMiB: MiB(after.rss),
      heapAfterMiB: MiB(after.heapUsed),
      maxRssMiB: MiB(maxRss),
      heapLimitMiB: MiB(getHeapStatistics().heap_size_limit),
      gc,
    })}\n`,
  );
}

/**
 * Two full GCs (the first may only finish a marking already under way, and what was allocated
 * during it survives until the second), then 1 s for V8's background thread to unmap the pages
 * they freed: read at once, RSS is ~45 MiB higher at 10,000 series.
 */
async function fullGc() {
  globalThis.gc?.();
  globalThis.gc?.();
  await delay(1000);
}

await (values.child ? child() : parent());

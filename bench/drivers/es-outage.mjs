// Memory during an Elasticsearch outage. `gax run` (the built CLI as its own process, so its RSS is
// its own: Elasticsearch plugin only, every other setting the default, log level info as JSON to a
// file) indexes a small log (`--lines`, default 10,000) through a loopback TCP switch in front of
// the node. Then the switch goes down (it stops listening and drops its connections: to the client
// the node is gone, connection refused) for `--minutes` while a writer appends `--rate` lines/s
// (every 100 ms); every `--sample-s` (5) s the daemon's VmRSS (/proc) and, from its /metrics, heap,
// external memory, queued batches and input lag are sampled. Then the switch comes up, the writer
// stops and the catch-up is timed until `_refresh` + `_count` of `<prefix>_*` equals every event
// written; the daemon's own delivered and dead-lettered counts must agree. Prints one JSON object
// (the samples included). Needs `npm run build`.
import { spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createGenerator } from '../../dist/src/parsers/wso2-apim/sim/generate.js';
import { countDocs } from './es-count.mjs';
import { startSwitch } from './tcp-switch.mjs';

const { values } = parseArgs({
  options: {
    node: { type: 'string' },
    prefix: { type: 'string' },
    lines: { type: 'string', default: '10000' },
    minutes: { type: 'string', default: '10' },
    rate: { type: 'string', default: '200' },
    'sample-s': { type: 'string', default: '5' },
  },
});
const { node, prefix } = values;
if (node === undefined || prefix === undefined) {
  process.stderr.write(
    'usage: node bench/drivers/es-outage.mjs --node URL --prefix PREFIX [--lines N] [--minutes M] [--rate N] [--sample-s S]\n',
  );
  process.exit(2);
}
const LINES = Number(values.lines);
const OUTAGE_MS = Number(values.minutes) * 60_000;
const RATE = Number(values.rate);
const SAMPLE_MS = Number(values['sample-s']) * 1000;
/** A catch-up may take 10 minutes, or 2 ms per event when that is longer. */
const catchUpLimitMs = (events) => Math.max(10 * 60_000, events * 2);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Sum of the samples of metric `name` (any labels) in a Prometheus exposition; NaN when absent. */
function sample(text, name) {
  let sum = Number.NaN;
  for (const m of text.matchAll(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm'))) {
    sum = (Number.isNaN(sum) ? 0 : sum) + Number(m[1]);
  }
  return sum;
}

const MiB = 2 ** 20;
const dir = await mkdtemp(join(tmpdir(), 'gax-bench-outage-'));
const logPath = join(dir, 'apim_metrics.log');
const daemonLog = join(dir, 'gax.log');
const generator = createGenerator({ seed: 3, startTime: Date.now() - LINES * 10 });
const events = () => generator.stats.response + generator.stats.faulty;
const write = (n) => {
  let text = '';
  for (let i = 0; i < n; i++) text += `${generator.next()}\n`;
  return text;
};
await writeFile(logPath, write(LINES));
const initialEvents = events();

const gate = await startSwitch(node);
const config = join(dir, 'gax.yaml');
await writeFile(
  config,
  JSON.stringify({
    inputs: [{ paths: [logPath] }],
    state: { dir: join(dir, 'state') },
    server: { host: '127.0.0.1', port: 0 },
    log: { level: 'info', format: 'json' },
    plugins: {
      file: { enabled: false },
      prometheus: { enabled: false },
      elasticsearch: {
        enabled: true,
        node: gate.url,
        indexPrefix: prefix,
        templates: { numberOfReplicas: 0 },
      },
    },
  }),
);
const out = openSync(daemonLog, 'a');
const gax = spawn(process.execPath, ['dist/src/cli.js', 'run', '--config', config], {
  stdio: ['ignore', out, out],
});
const exited = new Promise((r) => gax.once('exit', r));
const result = { lines: LINES, rate: RATE, minutes: OUTAGE_MS / 60_000, sampleSeconds: SAMPLE_MS / 1000 };

/** The daemon's log as parsed JSON lines. */
async function daemonLines() {
  const text = await readFile(daemonLog, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l));
}

async function until(what, check, limitMs, everyMs = 250) {
  const start = performance.now();
  while (!(await check())) {
    if (performance.now() - start > limitMs) throw new Error(`${what}: not within ${limitMs / 1000} s`);
    await sleep(everyMs);
  }
  return (performance.now() - start) / 1000;
}

try {
  let metricsUrl;
  await until(
    'gax run listening',
    async () => {
      const line = (await daemonLines()).find((l) => l.msg === 'HTTP server listening.');
      metricsUrl = line === undefined ? undefined : `${line.url}/metrics`;
      return metricsUrl !== undefined;
    },
    60_000,
    100,
  );
  const scrape = () =>
    fetch(metricsUrl)
      .then((r) => r.text())
      .catch(() => '');
  const rssMiB = async () => {
    const status = await readFile(`/proc/${gax.pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]) / 1024;
  };
  result.initialEvents = initialEvents;
  result.initialSeconds = await until(
    'initial catch-up',
    async () => (await countDocs(node, prefix)) === initialEvents,
    catchUpLimitMs(initialEvents),
  );
  const logLinesBefore = (await daemonLines()).length;

  await gate.down();
  const samples = [];
  const outageStart = performance.now();
  let appended = 0;
  let nextSample = 0;
  for (;;) {
    const elapsed = performance.now() - outageStart;
    if (elapsed >= OUTAGE_MS) break;
    const due = Math.floor((RATE * elapsed) / 1000) - appended;
    if (due > 0) {
      await appendFile(logPath, write(due));
      appended += due;
    }
    if (elapsed >= nextSample) {
      const text = await scrape();
      samples.push({
        s: Math.round(elapsed / 100) / 10,
        rssMiB: await rssMiB(),
        heapUsedMiB: sample(text, 'nodejs_heap_size_used_bytes') / MiB,
        heapTotalMiB: sample(text, 'nodejs_heap_size_total_bytes') / MiB,
        externalMiB: sample(text, 'nodejs_external_memory_bytes') / MiB,
        queuedBatches: sample(text, 'gax_plugin_queue_batches'),
        lagBytes: sample(text, 'gax_input_lag_bytes'),
        linesRead: sample(text, 'gax_lines_read_total'),
      });
      nextSample += SAMPLE_MS;
    }
    await sleep(100);
  }
  result.outageSeconds = (performance.now() - outageStart) / 1000;
  result.appended = appended;
  result.events = events();
  const outageLog = (await daemonLines()).slice(logLinesBefore);
  result.daemonLogLines = outageLog.length;
  result.daemonLogWarnings = outageLog.filter((l) => l.level >= 40).length;

  await gate.up();
  result.catchUpSeconds = await until(
    'catch-up after the outage',
    async () => (await countDocs(node, prefix)) >= result.events,
    catchUpLimitMs(result.events),
  );
  result.indexed = await countDocs(node, prefix);
  const text = await scrape();
  // Only the Elasticsearch plugin runs: every series of these counters is its own.
  result.delivered = sample(text, 'gax_events_delivered_total');
  const deadLettered = sample(text, 'gax_events_dead_lettered_total');
  result.deadLettered = Number.isNaN(deadLettered) ? 0 : deadLettered;
  result.samples = samples.map((s) =>
    Object.fromEntries(Object.entries(s).map(([k, v]) => [k, Math.round(v * 10) / 10])),
  );
} finally {
  gax.kill('SIGTERM');
  await exited;
  await gate.down().catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
}
process.stdout.write(`${JSON.stringify(result)}\n`);

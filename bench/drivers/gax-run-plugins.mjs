// `gax run` as a user runs it, with any of the four plugins enabled (issue #17, part 4: all four
// at once). The built CLI (`node dist/src/cli.js run --config …`, needs `npm run build`) is its own
// process, with a config enabling `--plugins` (a comma list of file, prometheus, elasticsearch,
// datadog; every plugin option the default except what the bench needs: the file plugin's `path`
// in a temp dir, the prometheus plugin's `maxEventAge: 0s`, the elasticsearch plugin's `node`,
// `indexPrefix` and `templates.numberOfReplicas: 0`, the datadog plugin's `url`, `apiKey` and
// `env`), the HTTP server on 127.0.0.1 port 0 (read from its "HTTP server listening." log line), a
// temp state dir, `pipeline.workers` from `--workers` or GAX_BENCH_WORKERS (else the default), and FILE followed `from: beginning`. From the spawn, GET /metrics (paced on the
// sum of the plugins' counts, see spawned.mjs `pollMetrics`) until
// `gax_events_delivered_total{plugin=P}` reaches `--events N` for every enabled plugin P (and,
// with prometheus, `apim_requests_total` sums to N; without `--events`: until the counts have not
// grown for `--idle-ms`, default 1000, and `seconds` is when they last grew). Then its own CPU
// and peak RSS are read from /proc, it is stopped by its PID (SIGTERM) and waited for; it must exit
// 0. Only then (untimed by `seconds`, in the driver's CPU) Elasticsearch's `_count` and the file
// plugin's output lines (rotated files included) are counted. Everything is on 127.0.0.1.
// Prints {"lines","events","delivered":{P:n},"doneSeconds":{P:s},"linesRead":{P:n},
// "detaches":{P:n},"deadLettered","requests","series","indexed","fileLines","seconds",
// "listenSeconds","stopSeconds","scrapes","getMedianMs","daemonCpuSeconds","daemonRssMiB",
// "checkpointWrites","checkpointFsyncs"}:
// `detaches` from `gax_input_detaches_total`, `seconds` from spawn to the response that
// showed every event everywhere, `doneSeconds` per plugin likewise, `lines` and `events` the least
// over the enabled plugins.
import { spawn } from 'node:child_process';
import { createReadStream, existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { countDocs } from './es-count.mjs';
import { sample } from './scrape.mjs';
import { pollMetrics, procUsage, stopByPid, sumSamples, tailOf } from './spawned.mjs';

const CLI = fileURLToPath(new URL('../../dist/src/cli.js', import.meta.url));
const KNOWN = ['file', 'prometheus', 'elasticsearch', 'datadog'];

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    plugins: { type: 'string', default: KNOWN.join(',') },
    events: { type: 'string' },
    'idle-ms': { type: 'string', default: '1000' },
    node: { type: 'string' },
    prefix: { type: 'string' },
    'dd-url': { type: 'string' },
    'dd-api-key': { type: 'string' },
    env: { type: 'string' },
    workers: { type: 'string' },
  },
});
const file = positionals[0];
const plugins = values.plugins.split(',').filter((p) => p !== '');
const missing =
  (plugins.includes('elasticsearch') && (values.node === undefined || values.prefix === undefined)) ||
  (plugins.includes('datadog') &&
    (values['dd-url'] === undefined || values['dd-api-key'] === undefined || values.env === undefined));
if (file === undefined || plugins.length === 0 || missing) {
  process.stderr.write(
    'usage: node bench/drivers/gax-run-plugins.mjs FILE [--events N | --idle-ms MS] [--plugins file,prometheus,elasticsearch,datadog]\n' +
      '         [--node URL --prefix PREFIX] [--dd-url URL --dd-api-key KEY --env TAG]\n',
  );
  process.exit(2);
}
const unknown = plugins.find((p) => !KNOWN.includes(p));
if (unknown !== undefined) {
  process.stderr.write(`error: unknown plugin ${unknown}; known: ${KNOWN.join(', ')}\n`);
  process.exit(2);
}
const workers = values.workers ?? process.env.GAX_BENCH_WORKERS;
const expected = values.events === undefined ? undefined : Number(values.events);
const on = (name) => plugins.includes(name);

const dir = await mkdtemp(join(tmpdir(), 'gax-bench-plugins-'));
const output = join(dir, 'out', 'events.ndjson');
const config = join(dir, 'gax.yaml');
// JSON is YAML: no quoting problems with odd paths.
await writeFile(
  config,
  JSON.stringify({
    inputs: [{ paths: [file], from: 'beginning' }],
    state: { dir: join(dir, 'state') },
    server: { host: '127.0.0.1', port: 0 },
    ...(workers === undefined
      ? {}
      : { pipeline: { workers: workers === 'auto' ? 'auto' : Number(workers) } }),
    plugins: {
      file: on('file') ? { enabled: true, path: output } : { enabled: false },
      prometheus: on('prometheus') ? { enabled: true, maxEventAge: '0s' } : { enabled: false },
      ...(on('elasticsearch') && {
        elasticsearch: {
          enabled: true,
          node: values.node,
          indexPrefix: values.prefix,
          templates: { numberOfReplicas: 0 },
        },
      }),
      ...(on('datadog') && {
        datadog: { enabled: true, url: values['dd-url'], apiKey: values['dd-api-key'], env: values.env },
      }),
    },
  }),
);

const started = performance.now();
const gax = spawn(process.execPath, [CLI, 'run', '--config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
const stderr = tailOf(gax.stderr);
let url;
let listenSeconds;
let buffered = '';
gax.stdout.setEncoding('utf8').on('data', (chunk) => {
  if (url !== undefined) return; // keep draining the log, nothing more to read in it
  buffered += chunk;
  for (let nl = buffered.indexOf('\n'); nl !== -1 && url === undefined; nl = buffered.indexOf('\n')) {
    const line = buffered.slice(0, nl);
    buffered = buffered.slice(nl + 1);
    if (!line.includes('"HTTP server listening."')) continue;
    url = `${JSON.parse(line).url}/metrics`;
    listenSeconds = (performance.now() - started) / 1000;
  }
});

/** When each plugin's delivered count first showed every event (ms since spawn). */
const doneAt = {};
/** The counts of one /metrics body; done once every enabled plugin delivered every event. */
const check = (text) => {
  const now = performance.now();
  const delivered = {};
  for (const p of plugins) {
    delivered[p] = sample(text, `gax_events_delivered_total{plugin="${p}"}`) ?? 0;
    if (expected !== undefined && delivered[p] >= expected) doneAt[p] ??= now;
  }
  const requests = on('prometheus') ? sumSamples(text, 'apim_requests_total') : undefined;
  const least = Math.min(...Object.values(delivered));
  // The sum paces the polling: a plugin that delivers late (datadog's last flush waits for its
  // 10 s timer) must not make the rest look stalled and the GETs come every 20 ms.
  let sum = 0;
  for (const n of Object.values(delivered)) sum += n;
  return {
    count: sum,
    least,
    delivered,
    requests,
    done: expected !== undefined && least >= expected && (requests === undefined || requests.sum >= expected),
  };
};

let polled;
let usage;
let stopped;
let indexed;
let fileLines;
try {
  polled = await pollMetrics({
    url: () => url,
    check,
    child: gax,
    expected: expected === undefined ? undefined : expected * plugins.length,
    stallMs: Number(values['idle-ms']),
  });
  usage = await procUsage(gax.pid);
} finally {
  stopped = await stopByPid(gax);
  try {
    if (on('elasticsearch')) indexed = await countDocs(values.node, values.prefix);
    if (on('file')) fileLines = await outputLines(output);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
const { done, result, text, at, getMs } = polled;
if (!done || stopped.code !== 0) {
  process.stderr.write(
    `error: gax run ${done ? 'delivered everything' : `stopped at ${JSON.stringify(result?.delivered)} delivered`}, exit ${String(stopped.code ?? stopped.signal)}; its stderr: ${stderr().slice(-500)}\n`,
  );
  process.exitCode = 1;
}
const linesRead = {};
const doneSeconds = {};
const detaches = {};
for (const p of plugins) {
  linesRead[p] = sample(text, `gax_lines_read_total{plugin="${p}"}`) ?? 0;
  detaches[p] = sample(text, `gax_input_detaches_total{plugin="${p}"}`) ?? 0;
  if (doneAt[p] !== undefined) doneSeconds[p] = (doneAt[p] - started) / 1000;
}
const sorted = [...getMs].sort((a, b) => a - b);
process.stdout.write(
  `${JSON.stringify({
    lines: Math.min(...Object.values(linesRead)),
    events: result?.least,
    delivered: result?.delivered,
    doneSeconds,
    linesRead,
    detaches,
    deadLettered: sumSamples(text, 'gax_events_dead_lettered_total').sum,
    requests: result?.requests?.sum,
    series: result?.requests?.series,
    indexed,
    fileLines,
    seconds: (at - started) / 1000,
    listenSeconds,
    stopSeconds: stopped.seconds,
    scrapes: getMs.length,
    getMedianMs: sorted[sorted.length >> 1],
    daemonCpuSeconds: usage?.cpuSeconds,
    daemonRssMiB: usage?.rssMiB,
    // Checkpoint writes while it ran (before the one at stop), and how many of them were fsynced.
    checkpointWrites: sumSamples(text, 'gax_checkpoint_writes_total').sum,
    checkpointFsyncs: sample(text, 'gax_checkpoint_writes_total{fsync="true"}') ?? 0,
  })}\n`,
);

/** Lines in the file plugin's output and its rotated files (`<path>.1` …). */
async function outputLines(path) {
  let lines = 0;
  for (let n = 0; ; n++) {
    const name = n === 0 ? path : `${path}.${n}`;
    if (!existsSync(name)) {
      if (n === 0) continue;
      return lines;
    }
    for await (const chunk of createReadStream(name)) {
      for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) lines++;
    }
  }
}

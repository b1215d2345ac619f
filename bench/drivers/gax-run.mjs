// `gax run` as a user runs it: the built CLI (`node dist/src/cli.js run --config …`, needs
// `npm run build`) as its own process, with a config that enables only the prometheus plugin
// (`maxEventAge: 0s`, as generated files are old; every other setting the default), the HTTP
// server on 127.0.0.1 port 0 (the port is read from its "HTTP server listening." log line, pino
// JSON on stdout), a temp state dir, and FILE followed `from: beginning`. From the spawn, GET
// /metrics (paced, see spawned.mjs `pollMetrics`) until `gax_events_delivered_total{plugin=
// "prometheus"}` and the sum of `apim_requests_total` both reach `--events N` (without it: until
// they have not grown for `--idle-ms`, default 1000, and `seconds` is when they last grew). Then its
// own CPU and peak RSS are read from /proc, it is stopped by its PID (SIGTERM) and waited for; it
// must exit 0. Prints {"lines","events","requests","series","seconds","listenSeconds","stopSeconds",
// "scrapes","getMedianMs","daemonCpuSeconds","daemonRssMiB","checkpointWrites","checkpointFsyncs"}: `seconds` from spawn to the response
// that showed every event, `lines` from `gax_lines_read_total`.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { sample } from './scrape.mjs';
import { pollMetrics, procUsage, stopByPid, sumSamples, tailOf } from './spawned.mjs';

const CLI = fileURLToPath(new URL('../../dist/src/cli.js', import.meta.url));

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { events: { type: 'string' }, 'idle-ms': { type: 'string', default: '1000' } },
});
const file = positionals[0];
if (file === undefined) {
  process.stderr.write('usage: node bench/drivers/gax-run.mjs FILE [--events N] [--idle-ms MS]\n');
  process.exit(2);
}
const expected = values.events === undefined ? undefined : Number(values.events);

const dir = await mkdtemp(join(tmpdir(), 'gax-bench-run-'));
const config = join(dir, 'gax.yaml');
// JSON is YAML: no quoting problems with odd paths.
await writeFile(
  config,
  JSON.stringify({
    inputs: [{ paths: [file], from: 'beginning' }],
    state: { dir: join(dir, 'state') },
    server: { host: '127.0.0.1', port: 0 },
    plugins: { file: { enabled: false }, prometheus: { enabled: true, maxEventAge: '0s' } },
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

/** The counts of one /metrics body; done once every expected event shows on both counters. */
const check = (text) => {
  const delivered = sample(text, 'gax_events_delivered_total{plugin="prometheus"}') ?? 0;
  const requests = sumSamples(text, 'apim_requests_total');
  return {
    count: delivered,
    delivered,
    requests,
    done: expected !== undefined && delivered >= expected && requests.sum >= expected,
  };
};

let polled;
let usage;
let stopped;
try {
  polled = await pollMetrics({
    url: () => url,
    check,
    child: gax,
    expected,
    stallMs: Number(values['idle-ms']),
  });
  usage = await procUsage(gax.pid);
} finally {
  stopped = await stopByPid(gax);
  await rm(dir, { recursive: true, force: true });
}
const { done, result, text, at, getMs } = polled;
if (!done || stopped.code !== 0) {
  process.stderr.write(
    `error: gax run ${done ? 'counted everything' : `stopped counting at ${String(result?.delivered)} delivered`}, exit ${String(stopped.code ?? stopped.signal)}; its stderr: ${stderr().slice(-500)}\n`,
  );
  process.exitCode = 1;
}
const sorted = [...getMs].sort((a, b) => a - b);
process.stdout.write(
  `${JSON.stringify({
    lines: sumSamples(text, 'gax_lines_read_total').sum,
    events: result?.delivered,
    requests: result?.requests.sum,
    series: result?.requests.series,
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

// The OpenTelemetry Collector as a peer of `gax run`, timed the same way (gax-run-plugins.mjs): BINARY
// (built by bench/lib/otelcol.ts from bench/otelcol/builder-config.yaml) as its own process with
// bench/otelcol/config.yaml (filelog from the beginning of FILE with regex + JSON parsing →
// signal_to_metrics → deltatocumulative → prometheus exporter on 127.0.0.1, a free port; no
// internal telemetry server). From the spawn, GET /metrics (paced, see spawned.mjs `pollMetrics`)
// until the samples of `apim_requests_total` sum to `--events N` (without it: until they have not
// grown for `--idle-ms`, default 1000). Then its own CPU and peak RSS are read from /proc, it is
// stopped by its PID (SIGTERM) and waited for; it must exit 0. Prints {"requests","series",
// "latencyCount","latencySeries","seconds","stopSeconds","scrapes","getMedianMs","collectorCpuSeconds",
// "collectorRssMiB"}: `latencyCount` the sum of the histogram's `_count` samples (one per response
// event).
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { freePort, pollMetrics, procUsage, stopByPid, sumSamples, tailOf } from './spawned.mjs';

const CONFIG = fileURLToPath(new URL('../otelcol/config.yaml', import.meta.url));
const REQUESTS = 'apim_requests_total';
const LATENCY_COUNT = 'apim_request_duration_milliseconds_count';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { events: { type: 'string' }, 'idle-ms': { type: 'string', default: '1000' } },
});
const [binary, file] = positionals;
if (binary === undefined || file === undefined) {
  process.stderr.write('usage: node bench/drivers/otelcol.mjs BINARY FILE [--events N] [--idle-ms MS]\n');
  process.exit(2);
}
const expected = values.events === undefined ? undefined : Number(values.events);

const dir = await mkdtemp(join(tmpdir(), 'gax-bench-otelcol-'));
const port = await freePort();
const config = join(dir, 'config.yaml');
const template = await readFile(CONFIG, 'utf8');
// A JSON string is a YAML double-quoted scalar: no quoting problems with odd paths.
await writeFile(
  config,
  template.replaceAll('{{file}}', JSON.stringify(file)).replaceAll('{{port}}', String(port)),
);

const started = performance.now();
const collector = spawn(binary, ['--config', config], { stdio: ['ignore', 'ignore', 'pipe'] });
const stderr = tailOf(collector.stderr);

/** The counts of one /metrics body; done once the requests sum to every expected event. */
const check = (text) => {
  const requests = sumSamples(text, REQUESTS);
  return { count: requests.sum, requests, done: expected !== undefined && requests.sum >= expected };
};

let polled;
let usage;
let stopped;
try {
  polled = await pollMetrics({
    url: () => `http://127.0.0.1:${port}/metrics`,
    check,
    child: collector,
    expected,
    stallMs: Number(values['idle-ms']),
  });
  usage = await procUsage(collector.pid);
} finally {
  stopped = await stopByPid(collector);
  await rm(dir, { recursive: true, force: true });
}
const { done, result, text, at, getMs } = polled;
if (!done || stopped.code !== 0) {
  process.stderr.write(
    `error: the collector ${done ? 'counted everything' : `stopped counting at ${String(result?.count)} requests`}, exit ${String(stopped.code ?? stopped.signal)}; its stderr: ${stderr().slice(-800)}\n`,
  );
  process.exitCode = 1;
}
const latency = sumSamples(text, LATENCY_COUNT);
const sorted = [...getMs].sort((a, b) => a - b);
process.stdout.write(
  `${JSON.stringify({
    requests: result?.requests.sum,
    series: result?.requests.series,
    latencyCount: latency.sum,
    latencySeries: latency.series,
    seconds: (at - started) / 1000,
    stopSeconds: stopped.seconds,
    scrapes: getMs.length,
    getMedianMs: sorted[sorted.length >> 1],
    collectorCpuSeconds: usage?.cpuSeconds,
    collectorRssMiB: usage?.rssMiB,
  })}\n`,
);

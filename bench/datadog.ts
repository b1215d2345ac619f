/**
 * Datadog benchmark against the spec-validating loopback receiver (test/helpers/datadog-receiver.ts):
 *
 * 1. Throughput: `gax run` (the built CLI, its own process, Datadog plugin only, defaults: 10 s
 *    buckets) aggregates and ships a log of `--lines` recent events from the beginning.
 * 2. Steady rate: a writer appends `--rate` lines/s for `--seconds`; the API requests the plugin
 *    makes per minute are counted by endpoint.
 *
 *   npm run build && npx tsx bench/datadog.ts [--lines 200000] [--rate 5000] [--seconds 60]
 *
 * Writes bench/results/datadog.{md,json}.
 */
import { spawn } from 'node:child_process';
import { appendFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createGenerator } from '../src/sim/generate.js';
import { startDatadogReceiver } from '../test/helpers/datadog-receiver.js';
import { freePort } from '../test/helpers/prometheus.js';

const { values } = parseArgs({
  options: {
    lines: { type: 'string', default: '200000' },
    rate: { type: 'string', default: '5000' },
    seconds: { type: 'string', default: '60' },
    out: { type: 'string', default: 'bench/results' },
  },
});
const LINES = Number(values.lines);
const RATE = Number(values.rate);
const SECONDS = Number(values.seconds);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (msg: string) => process.stderr.write(`[bench:dd] ${msg}\n`);

async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Math.round((Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024) * 10) / 10;
}

const receiver = await startDatadogReceiver({ apiKey: 'bench-key' });
const dir = await mkdtemp(join(tmpdir(), 'gax-bench-dd-'));
const backlogSeconds = 20 * 60;
const generator = createGenerator({
  seed: 4,
  startTime: Date.now() - backlogSeconds * 1000,
  eventsPerSecond: LINES / backlogSeconds,
});
const logPath = join(dir, 'logs', 'apim_metrics.log');
await mkdir(join(dir, 'logs'));
let text = '';
for (let i = 0; i < LINES; i++) text += `${generator.next()}\n`;
await writeFile(logPath, text);
text = '';
const port = await freePort();
const configPath = join(dir, 'gax.yaml');
await writeFile(
  configPath,
  [
    'inputs:',
    `  - paths: [${JSON.stringify(logPath)}]`,
    `state: { dir: ${JSON.stringify(join(dir, 'state'))} }`,
    `server: { host: 127.0.0.1, port: ${port} }`,
    'log: { level: warn, format: json }',
    'plugins:',
    '  file: { enabled: false }',
    '  prometheus: { enabled: false }',
    `  datadog: { enabled: true, apiKey: bench-key, url: ${JSON.stringify(receiver.url)}, env: bench }`,
  ].join('\n'),
);
async function delivered(): Promise<number> {
  const body = await fetch(`http://127.0.0.1:${port}/metrics`)
    .then((r) => r.text())
    .catch(() => '');
  return Number(/^gax_events_delivered_total\{plugin="datadog"\} (\d+)/m.exec(body)?.[1] ?? 0);
}
/** Live traffic for the steady phase: event times track the wall clock at RATE events/s. */
let live = createGenerator({ seed: 5, startTime: Date.now(), eventsPerSecond: RATE });
const expected = () =>
  generator.stats.response + generator.stats.faulty + live.stats.response + live.stats.faulty;

const child = spawn(process.execPath, ['dist/src/cli.js', 'run', '--config', configPath], {
  stdio: 'inherit',
});
const pid = child.pid as number;
const result: Record<string, unknown> = { lines: LINES };
try {
  const started = performance.now();
  let peak = 0;
  while ((await delivered()) < expected()) {
    peak = Math.max(peak, await rssMiB(pid));
    await sleep(100);
  }
  const seconds = (performance.now() - started) / 1000;
  result.throughput = {
    events: expected(),
    seconds: Math.round(seconds * 10) / 10,
    eventsPerSecond: Math.round(expected() / seconds),
    peakRssMiB: peak,
    requests: receiver.requests.length,
  };
  log(`throughput: ${JSON.stringify(result.throughput)}`);

  const before = receiver.requests.length;
  const startedRate = performance.now();
  // Start the live traffic's clock now that the backlog is shipped.
  live = createGenerator({ seed: 5, startTime: Date.now(), eventsPerSecond: RATE });
  for (let s = 0; s < SECONDS; s++) {
    let chunk = '';
    for (let i = 0; i < RATE; i++) chunk += `${live.next()}\n`;
    await appendFile(logPath, chunk);
    const next = startedRate + (s + 1) * 1000;
    await sleep(Math.max(0, next - performance.now()));
  }
  while ((await delivered()) < expected()) await sleep(100);
  const minutes = (performance.now() - startedRate) / 60_000;
  const requests = receiver.requests.slice(before);
  const byPath: Record<string, number> = {};
  for (const r of requests) byPath[r.path] = (byPath[r.path] ?? 0) + 1;
  const problems = receiver.requests.filter((r) => r.problems.length > 0).length;
  result.steady = {
    linesPerSecond: RATE,
    seconds: SECONDS,
    requestsPerMinute: Math.round(requests.length / minutes),
    byEndpointPerMinute: Object.fromEntries(
      Object.entries(byPath).map(([k, v]) => [k, Math.round(v / minutes)]),
    ),
    rssMiB: await rssMiB(pid),
    requestsWithSchemaProblems: problems,
  };
  log(`steady: ${JSON.stringify(result.steady)}`);
} finally {
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  await receiver.close();
  await rm(dir, { recursive: true, force: true });
}
await mkdir(values.out, { recursive: true });
await writeFile(join(values.out, 'datadog.json'), `${JSON.stringify(result, null, 2)}\n`);
const t = result.throughput as Record<string, number>;
const st = result.steady as {
  requestsPerMinute: number;
  byEndpointPerMinute: Record<string, number>;
  rssMiB: number;
};
const md = [
  `# Datadog benchmark (${new Date().toISOString().slice(0, 10)}, loopback receiver validating every request, 2 cores)`,
  '',
  `Command: \`npx tsx bench/datadog.ts --lines ${LINES} --rate ${RATE} --seconds ${SECONDS}\``,
  '',
  `- Aggregated and shipped: ${t.events} events in ${t.seconds} s = **${t.eventsPerSecond} events/s** (gax run, defaults), ${t.requests} API requests, peak RSS ${t.peakRssMiB} MiB.`,
  `- At ${RATE} events/s for ${SECONDS} s: **${st.requestsPerMinute} API requests per minute** (${Object.entries(
    st.byEndpointPerMinute,
  )
    .map(([k, v]) => `${k} ${v}`)
    .join(', ')}), RSS ${st.rssMiB} MiB.`,
  '',
].join('\n');
await writeFile(join(values.out, 'datadog.md'), md);
process.stdout.write(md);

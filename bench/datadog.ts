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
import { appendFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createGenerator } from '../src/sim/generate.js';
import { startDatadogReceiver } from '../test/helpers/datadog-receiver.js';
import { startGax } from './lib/gax-process.js';

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

const receiver = await startDatadogReceiver({ apiKey: 'bench-key' });
const dir = await mkdtemp(join(tmpdir(), 'gax-bench-dd-'));
const backlogSeconds = 20 * 60;
const generator = createGenerator({
  seed: 4,
  startTime: Date.now() - backlogSeconds * 1000,
  eventsPerSecond: LINES / backlogSeconds,
});
const gax = await startGax({
  dir,
  generator,
  lines: LINES,
  plugin: 'datadog',
  pluginYaml: `{ enabled: true, apiKey: bench-key, url: ${JSON.stringify(receiver.url)}, env: bench }`,
});
const { logPath, delivered } = gax;
const rssMiB = () => gax.rssMiB();
/** Live traffic for the steady phase: event times track the wall clock at RATE events/s. */
let live = createGenerator({ seed: 5, startTime: Date.now(), eventsPerSecond: RATE });
const expected = () =>
  generator.stats.response + generator.stats.faulty + live.stats.response + live.stats.faulty;

const result: Record<string, unknown> = { lines: LINES };
try {
  const started = performance.now();
  let peak = 0;
  while ((await delivered()) < expected()) {
    peak = Math.max(peak, await rssMiB());
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
    rssMiB: await rssMiB(),
    requestsWithSchemaProblems: problems,
  };
  log(`steady: ${JSON.stringify(result.steady)}`);
} finally {
  await gax.stop();
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

/**
 * Elasticsearch benchmark against a real Elasticsearch 8.x on loopback (started like the tests
 * do, test/helpers/elasticsearch.ts):
 *
 * 1. Throughput: `gax run` (the built CLI, its own process, Elasticsearch plugin only) indexes a
 *    generated log of `--lines` lines from the beginning; events/s until `_count` is exact.
 * 2. Outage (`--outage-minutes M`, 0 to skip): a writer appends `--rate` lines/s while the node
 *    is stopped for M minutes; the daemon's RSS is sampled every 5 s. Then the node restarts and
 *    the time to catch up is measured; counts must again be exact.
 *
 *   npm run build && npx tsx bench/elasticsearch.ts [--lines 200000] [--outage-minutes 10] [--rate 200]
 *
 * Writes bench/results/elasticsearch.{md,json}.
 */
import { appendFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from '@elastic/elasticsearch';
import { EsClient } from '../plugins/elasticsearch/client.js';
import { buildTemplates } from '../plugins/elasticsearch/templates.js';
import { esSection } from '../src/commands/setup-config.js';
import { createGenerator } from '../src/sim/generate.js';
import { startElasticsearch } from '../test/helpers/elasticsearch.js';
import { countDocs } from '../test/helpers/es-scenario.js';
import { startGax } from './lib/gax-process.js';

const { values } = parseArgs({
  options: {
    lines: { type: 'string', default: '200000' },
    'outage-minutes': { type: 'string', default: '10' },
    rate: { type: 'string', default: '200' },
    out: { type: 'string', default: 'bench/results' },
  },
});
const LINES = Number(values.lines);
const OUTAGE_MS = Number(values['outage-minutes']) * 60_000;
const RATE = Number(values.rate);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (msg: string) => process.stderr.write(`[bench:es] ${msg}\n`);

/**
 * What the node takes from the simplest loader in this process: split the same lines, JSON.parse
 * the payload, bulk `create` with the same ids, 1000 per request, 2 in flight, gzip, same client.
 * No tailing, checkpoints, retries or dead letters: the ceiling gax is compared with.
 */
async function baseline(url: string, path: string, lines: number) {
  const es = await EsClient.open(await esSection(undefined, { node: url }));
  await es.installTemplates(
    buildTemplates({
      indexPrefix: 'baseline',
      indexMode: 'index',
      templates: { install: true, numberOfReplicas: 0 },
    }),
  );
  await es.close();
  const client = new Client({ node: url, compression: true, maxRetries: 0 });
  const text = await readFile(path, 'utf8');
  const started = performance.now();
  const all = text.split('\n', lines);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < all.length) {
      const batch = all.slice(next, next + 1000);
      next += 1000;
      let body = '';
      for (const line of batch) {
        const at = line.indexOf('properties :');
        const json = JSON.parse(line.slice(at + 12)) as { correlationId: string; requestTimestamp: string };
        const type = line.includes('apim:faulty') ? 'faulty' : 'response';
        body += `${JSON.stringify({ create: { _index: `baseline_${type}`, _id: `${type}:${json.correlationId}` } })}\n`;
        body += `${JSON.stringify({ '@timestamp': json.requestTimestamp, eventType: type, ...json })}\n`;
      }
      const r = await client.transport.request<{ errors: boolean }>({
        method: 'POST',
        path: '/_bulk',
        bulkBody: body,
      });
      if (r.errors) throw new Error('baseline bulk had errors');
    }
  };
  await Promise.all([worker(), worker()]);
  const seconds = (performance.now() - started) / 1000;
  await client.close();
  const count = await countDocs(url, 'baseline_*');
  return {
    events: count,
    seconds: Math.round(seconds * 10) / 10,
    eventsPerSecond: Math.round(count / seconds),
  };
}

const dir = await mkdtemp(join(tmpdir(), 'gax-bench-es-'));
const node = await startElasticsearch({ major: 8, heapMb: 1024 });
log(`Elasticsearch ${node.version} at ${node.url}`);
const generator = createGenerator({ seed: 3, startTime: Date.now() - 3_600_000 });
const expected = () => generator.stats.response + generator.stats.faulty;
const indexed = () => countDocs(node.url, 'apim_event_*');
const gax = await startGax({
  dir,
  generator,
  lines: LINES,
  plugin: 'elasticsearch',
  pluginYaml: `{ enabled: true, node: ${JSON.stringify(node.url)}, templates: { numberOfReplicas: 0 } }`,
});
const { logPath } = gax;
const delivered = gax.delivered;
const rssMiB = () => gax.rssMiB();
const result: Record<string, unknown> = { lines: LINES, elasticsearch: node.version };
try {
  const started = performance.now();
  let peak = 0;
  while ((await delivered()) < expected()) {
    peak = Math.max(peak, await rssMiB());
    await sleep(200);
  }
  const seconds = (performance.now() - started) / 1000;
  if ((await indexed()) !== expected()) throw new Error('indexed count differs from the events');
  result.throughput = {
    events: expected(),
    seconds: Math.round(seconds * 10) / 10,
    eventsPerSecond: Math.round(expected() / seconds),
    peakRssMiB: peak,
  };
  log(`throughput: ${JSON.stringify(result.throughput)}`);
  result.baseline = await baseline(node.url, logPath, LINES);
  log(`baseline: ${JSON.stringify(result.baseline)}`);

  if (OUTAGE_MS > 0) {
    await node.stop();
    log(`node stopped; appending ${RATE} lines/s for ${OUTAGE_MS / 60_000} min`);
    const samples: { s: number; rssMiB: number }[] = [];
    const outageStart = performance.now();
    let nextSample = 0;
    while (performance.now() - outageStart < OUTAGE_MS) {
      let chunk = '';
      for (let i = 0; i < RATE; i++) chunk += `${generator.next()}\n`;
      await appendFile(logPath, chunk);
      const s = (performance.now() - outageStart) / 1000;
      if (s >= nextSample) {
        samples.push({ s: Math.round(s), rssMiB: await rssMiB() });
        nextSample += 5;
      }
      await sleep(1000);
    }
    await node.start();
    const restarted = performance.now();
    while ((await delivered()) < expected()) await sleep(500);
    const rss = samples.map((x) => x.rssMiB);
    result.outage = {
      minutes: OUTAGE_MS / 60_000,
      linesAppendedPerSecond: RATE,
      events: expected(),
      rssMiB: { min: Math.min(...rss), max: Math.max(...rss), last: rss.at(-1) },
      catchUpSeconds: Math.round((performance.now() - restarted) / 100) / 10,
      exact: (await indexed()) === expected(),
      samples,
    };
    log(`outage: ${JSON.stringify({ ...(result.outage as object), samples: samples.length })}`);
  }
} finally {
  await gax.stop();
  await node.destroy();
  await rm(dir, { recursive: true, force: true });
}
await mkdir(values.out, { recursive: true });
await writeFile(join(values.out, 'elasticsearch.json'), `${JSON.stringify(result, null, 2)}\n`);
const t = result.throughput as Record<'events' | 'seconds' | 'eventsPerSecond' | 'peakRssMiB', number>;
const b = result.baseline as Record<'events' | 'seconds' | 'eventsPerSecond', number>;
const o = result.outage as
  | {
      minutes: number;
      rssMiB: Record<string, number>;
      catchUpSeconds: number;
      events: number;
      exact: boolean;
    }
  | undefined;
const md = [
  `# Elasticsearch benchmark (${new Date().toISOString().slice(0, 10)}, Elasticsearch ${node.version}, 2 cores)`,
  '',
  `Command: \`npx tsx bench/elasticsearch.ts --lines ${LINES} --outage-minutes ${OUTAGE_MS / 60_000} --rate ${RATE}\``,
  '',
  `- Indexing: ${t.events} events in ${t.seconds} s = **${t.eventsPerSecond} events/s** (gax run, defaults: batches of 1000, 2 bulk requests in flight, gzip), peak RSS ${t.peakRssMiB} MiB.`,
  `- Baseline (split + JSON.parse + the same bulk requests, no tailing/checkpoints, same node and index templates): ${b.events} events in ${b.seconds} s = ${b.eventsPerSecond} events/s; gax reaches ${Math.round((t.eventsPerSecond / b.eventsPerSecond) * 100)} % of it.`,
  o === undefined
    ? ''
    : `- Outage: node stopped ${o.minutes} min while ${RATE} lines/s were appended: daemon RSS min ${o.rssMiB.min} / max ${o.rssMiB.max} / last ${o.rssMiB.last} MiB; after the restart it caught up in ${o.catchUpSeconds} s; ${o.events} events, counts exact: ${o.exact}.`,
  '',
].join('\n');
await writeFile(join(values.out, 'elasticsearch.md'), md);
process.stdout.write(md);

// Pipeline into the summaries plugin, or into the file plugin on the same lines: the real daemon
// (in process, see in-process.mjs) with only `--plugin summaries` (PostgreSQL at `--url`, schema
// `--schema`, every other setting the default: all 11 tables × MINUTES/HOURS/DAYS/MONTHS, one
// transaction per batch with its positions, dedupe window 1h) or only `--plugin file` (NDJSON in a
// temp dir) tails FILE from its beginning until `--events N` events are delivered (the daemon's own
// counts, checked every 5 ms). Prints {"lines","events","deadLettered","seconds","stopSeconds",
// "cpuMs","fileLines"|"counted"}: `cpuMs` this process's CPU from just before the daemon starts
// (the plugin's start, e.g. its CREATE TABLE IF NOT EXISTS, included; node startup not) until every
// event is delivered; `counted` the requests in ApiVersionPerAppAgg_DAYS plus the
// faulty events in ApiFaultyInvocationAgg_DAYS and ApiThrottledOutAgg_DAYS (= events);
// `fileLines` the NDJSON lines written (rotated files included: the plugin's defaults apply). Needs `npm run build`.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { runUntilDelivered } from './in-process.mjs';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    plugin: { type: 'string' },
    url: { type: 'string' },
    schema: { type: 'string', default: 'public' },
    events: { type: 'string' },
  },
});
const file = positionals[0];
const plugin = values.plugin;
if (file === undefined || values.events === undefined || !['summaries', 'file'].includes(plugin ?? '')) {
  process.stderr.write(
    'usage: node bench/drivers/summaries.mjs FILE --plugin summaries|file [--url URL --schema S] --events N\n',
  );
  process.exit(2);
}
if (plugin === 'summaries' && values.url === undefined) {
  process.stderr.write('--plugin summaries needs --url\n');
  process.exit(2);
}

const dir = await mkdtemp(join(tmpdir(), 'gax-bench-summaries-'));
const out = join(dir, 'events.ndjson');
const plugins =
  plugin === 'summaries'
    ? {
        file: { enabled: false },
        prometheus: { enabled: false },
        summaries: { enabled: true, postgres: { url: values.url, schema: values.schema } },
      }
    : { file: { enabled: true, path: out }, prometheus: { enabled: false } };

let cpuMs = 0;
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
const cpuAtStart = cpu();
const run = await runUntilDelivered({
  file,
  id: plugin,
  plugins,
  expected: Number(values.events),
  stallMs: 60_000,
  beforeClose: () => {
    cpuMs = cpu() - cpuAtStart;
  },
});
const result = {
  lines: run.lines,
  events: run.events,
  deadLettered: run.deadLettered,
  seconds: run.seconds,
  stopSeconds: run.stopSeconds,
  cpuMs,
};
if (plugin === 'file') {
  // The plugin's default rotation (100 MiB) applies: the lines of `events.ndjson` and its `.N`.
  let lines = 0;
  for (const name of await readdir(dir)) {
    if (!name.startsWith('events.ndjson')) continue;
    const bytes = await readFile(join(dir, name));
    for (let i = bytes.indexOf(10); i !== -1; i = bytes.indexOf(10, i + 1)) lines++;
  }
  result.fileLines = lines;
} else {
  const client = new pg.Client({ connectionString: values.url });
  await client.connect();
  const sum = async (table, column) => {
    const { rows } = await client.query(
      `SELECT COALESCE(SUM("${column}"), 0)::bigint AS n FROM "${values.schema}"."${table}"`,
    );
    return Number(rows[0].n);
  };
  result.counted =
    (await sum('ApiVersionPerAppAgg_DAYS', 'AGG_COUNT')) +
    (await sum('ApiFaultyInvocationAgg_DAYS', 'AGG_COUNT')) +
    (await sum('ApiThrottledOutAgg_DAYS', 'AGG_COUNT'));
  await client.end();
}
await rm(dir, { recursive: true, force: true });
process.stdout.write(`${JSON.stringify(result)}\n`);

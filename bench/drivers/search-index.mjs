// Pipeline into Elasticsearch or OpenSearch: the real daemon (in process, see in-process.mjs) with
// only the `--plugin` (elasticsearch or opensearch) enabled (`indexPrefix` PREFIX,
// `numberOfReplicas: 0` for the single node; every other plugin setting the default: batches of
// 1,000, 2 bulk requests in flight, gzip; it installs its templates at start) tails FILE from its beginning (pollIntervalMs 50, as tail.mjs)
// until `--events N` events are delivered, i.e. acknowledged by bulk responses (the daemon's own
// counts, checked every 5 ms) or, without `--events`, nothing new was delivered for `--idle-ms`
// (default 1000). Then `_refresh` + `_count` of `<prefix>_*`. Prints {"lines","events",
// "deadLettered","indexed","seconds","stopSeconds"}: `seconds` from daemon start to the last event
// delivered. Needs `npm run build`.
import { parseArgs } from 'node:util';
import { countDocs } from './es-count.mjs';
import { runUntilDelivered } from './in-process.mjs';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    plugin: { type: 'string' },
    node: { type: 'string' },
    prefix: { type: 'string' },
    events: { type: 'string' },
    'idle-ms': { type: 'string', default: '1000' },
  },
});
const file = positionals[0];
const { plugin, node, prefix } = values;
if (
  file === undefined ||
  !['elasticsearch', 'opensearch'].includes(plugin) ||
  node === undefined ||
  prefix === undefined
) {
  process.stderr.write(
    'usage: node bench/drivers/search-index.mjs FILE --plugin elasticsearch|opensearch --node URL --prefix PREFIX [--events N] [--idle-ms MS]\n',
  );
  process.exit(2);
}
const expected = values.events === undefined ? undefined : Number(values.events);
const stallMs = expected === undefined ? Number(values['idle-ms']) : 60_000;

const { lines, events, deadLettered, seconds, stopSeconds } = await runUntilDelivered({
  file,
  id: plugin,
  plugins: {
    file: { enabled: false },
    prometheus: { enabled: false },
    [plugin]: { enabled: true, node, indexPrefix: prefix, templates: { numberOfReplicas: 0 } },
  },
  expected,
  stallMs,
});
const indexed = await countDocs(node, prefix);
process.stdout.write(`${JSON.stringify({ lines, events, deadLettered, indexed, seconds, stopSeconds })}\n`);

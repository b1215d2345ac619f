// Baseline for the Elasticsearch pipeline (see bulk-loader.mjs): the plain bulk loader into
// `<prefix>_response` / `<prefix>_faulty` (the plugin's default `indexMode: index`) through the
// client library the plugin uses (@elastic/elasticsearch, its retries off). The harness
// installs the plugin's index templates for `<prefix>` before the run (untimed). Plain JS: no build.
import { Client } from '@elastic/elasticsearch';
import { loaderArgs, runBulkLoader } from './bulk-loader.mjs';

const { file, node, prefix } = loaderArgs('node bench/baselines/es-bulk.mjs FILE --node URL --prefix PREFIX');
const client = new Client({ node, maxRetries: 0 });
await runBulkLoader({
  file,
  node,
  prefix,
  indexOf: (type) => `${prefix}_${type}`,
  post: ({ body, querystring, headers }) =>
    client.transport.request(
      { method: 'POST', path: '/_bulk', querystring, bulkBody: body },
      { compression: false, headers },
    ),
  close: () => client.close(),
});

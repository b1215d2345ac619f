// Baseline for the OpenSearch pipeline (see bulk-loader.mjs): the plain bulk loader into the daily
// indices `<prefix>_response-YYYY-MM-DD` / `<prefix>_faulty-YYYY-MM-DD` (the plugin's default
// `indexMode: daily`, dated by requestTimestamp) through the client library the plugin uses
// (@opensearch-project/opensearch, its retries off). The harness installs the plugin's index
// templates for `<prefix>` before the run (untimed). Plain JS: no build.
import { Client } from '@opensearch-project/opensearch';
import { loaderArgs, runBulkLoader } from './bulk-loader.mjs';

const { file, node, prefix } = loaderArgs('node bench/baselines/os-bulk.mjs FILE --node URL --prefix PREFIX');
const client = new Client({ node, maxRetries: 0 });
await runBulkLoader({
  file,
  node,
  prefix,
  indexOf: (type, requestTimestamp) => `${prefix}_${type}-${String(requestTimestamp).slice(0, 10)}`,
  post: async ({ body, querystring, headers }) =>
    (
      await client.transport.request(
        { method: 'POST', path: '/_bulk', querystring, bulkBody: body },
        { headers },
      )
    ).body,
  close: () => client.close(),
});

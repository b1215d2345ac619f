import { type SearchBenchSpec, searchPipelineScenario } from '../lib/search-bench.js';

/**
 * The OpenSearch pair: the plugin's default `indexMode: daily`, the indices WSO2's Fluent Bit
 * writes (`<prefix>_response-YYYY-MM-DD` / `<prefix>_faulty-YYYY-MM-DD`).
 */
export const OPENSEARCH_BENCH: SearchBenchSpec = {
  backend: 'opensearch',
  label: 'OpenSearch',
  indices: 'a fresh set of daily indices',
  loader: 'os-bulk.mjs',
  pipelineName: 'pipeline-opensearch',
  baselineName: 'baseline-os-bulk',
};

/**
 * The daemon in process with only the OpenSearch plugin, tailing the first `--es-lines` lines of
 * the input into fresh daily indices of the shared OpenSearch 2 node until every event is
 * acknowledged and `_count` agrees. Against the plain bulk loader on the same lines and node.
 */
export const pipelineOpensearch = searchPipelineScenario(OPENSEARCH_BENCH);

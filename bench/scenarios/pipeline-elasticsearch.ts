import { type SearchBenchSpec, searchPipelineScenario } from '../lib/search-bench.js';

/** The Elasticsearch pair: the plugin's default `indexMode: index`, `<prefix>_response` / `<prefix>_faulty`. */
export const ELASTICSEARCH_BENCH: SearchBenchSpec = {
  backend: 'elasticsearch',
  label: 'Elasticsearch',
  indices: 'a fresh index pair',
  loader: 'es-bulk.mjs',
  pipelineName: 'pipeline-elasticsearch',
  baselineName: 'baseline-es-bulk',
};

/**
 * The daemon in process with only the Elasticsearch plugin, tailing the first `--es-lines` lines
 * of the input into a fresh index pair of the shared node until every event is acknowledged and
 * `_count` agrees. Against the plain bulk loader on the same lines and node.
 */
export const pipelineElasticsearch = searchPipelineScenario(ELASTICSEARCH_BENCH);

import { searchBaselineScenario } from '../lib/search-bench.js';
import { OPENSEARCH_BENCH } from './pipeline-opensearch.js';

/** What `pipeline-opensearch` is divided by: the plain bulk loader, @opensearch-project/opensearch. */
export const baselineOsBulk = searchBaselineScenario(OPENSEARCH_BENCH);

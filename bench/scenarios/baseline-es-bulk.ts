import { searchBaselineScenario } from '../lib/search-bench.js';
import { ELASTICSEARCH_BENCH } from './pipeline-elasticsearch.js';

/** What `pipeline-elasticsearch` is divided by: the plain bulk loader, @elastic/elasticsearch. */
export const baselineEsBulk = searchBaselineScenario(ELASTICSEARCH_BENCH);

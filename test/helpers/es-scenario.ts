/**
 * The Elasticsearch tests' name for the backend-neutral helpers of search-scenario.ts (known logs,
 * counts, a JSON client), which serve Elasticsearch and OpenSearch alike.
 */
export {
  countDocs,
  type KnownLog,
  knownLog,
  searchJson as es,
  writeLog,
} from './search-scenario.js';

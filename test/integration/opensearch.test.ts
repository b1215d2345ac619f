/**
 * The OpenSearch plugin against a real OpenSearch 2.19 node (the suite: opensearch-suite.ts;
 * opensearch-3.test.ts runs it against 3.x).
 */
import { openSearchSuite } from './opensearch-suite.js';

openSearchSuite(2);

/** The OpenSearch plugin against a real OpenSearch 3.x node (the suite: opensearch-suite.ts). */
import { openSearchSuite } from './opensearch-suite.js';

openSearchSuite(3);

import type { EventResult } from '../../src/plugin/result.js';
import {
  type BulkItem,
  type ClassifiedItem,
  classifyBulkFailure,
  classifyBulkItem,
  type RequestFailure,
} from '../../src/search-index/classify.js';

/** Bulk classification is shared with the OpenSearch plugin (src/search-index/classify.ts). */
export {
  type BulkError,
  type BulkItem,
  type ClassifiedItem,
  describe,
  type ItemOutcome,
  parseRetryAfter,
  type RequestFailure,
} from '../../src/search-index/classify.js';

/** One bulk item → its result, with `elasticsearch` in the reason. */
export function classifyItem(item: BulkItem): ClassifiedItem {
  return classifyBulkItem(item, 'elasticsearch');
}

/** A failed bulk request → the result for each of its documents, with `elasticsearch` in the reason. */
export function classifyRequestFailure(failure: RequestFailure): EventResult {
  return classifyBulkFailure(failure, 'elasticsearch');
}

import type { Registry } from 'prom-client';
import { BulkMetrics, bulkFamilies } from '../../src/search-index/metrics.js';

const OPENSEARCH = { name: 'opensearch', title: 'OpenSearch' } as const;

/**
 * `gax_opensearch_documents_total{plugin,outcome,error_type}`, `gax_opensearch_bulk_requests_total{plugin,status}`
 * and `gax_opensearch_bulk_request_duration_seconds{plugin}`: the Elasticsearch plugin's bulk
 * families under the engine's own name (src/search-index/metrics.ts).
 */
function families(registry: Registry, plugin?: string) {
  return bulkFamilies(registry, OPENSEARCH, plugin);
}

/** Registers every metric an OpenSearch instance registers (the definition's `selfMetrics`). */
export function registerOsMetrics(registry: Registry): void {
  families(registry);
}

/** One OpenSearch instance's metrics (`opensearch`, `opensearch/archive`: one `plugin` label each). */
export class OsMetrics extends BulkMetrics {
  constructor(registry: Registry, plugin: string) {
    super(registry, plugin, families);
  }
}
